"""`campbank season try FILE`: the policy dry-run, printed (it writes nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from campbank.cli.common import MANAGER_HELP, console, fail_on_error, manager_for, state
from campbank.core.money import format_amount


def season_try(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The candidate season TOML file (or `classic` / `flat-tax` / "
                                               "`savings`).")],
    as_user: Annotated[str | None, typer.Option("--as", help=MANAGER_HELP)] = None,
    students: Annotated[bool, typer.Option("--students/--no-students",
                                           help="List every student (default), or only squads and who falls "
                                                "into danger.")] = True,
) -> None:
    """What a candidate season's tax and study fines would have charged this camp so far, projected to the last
    day, per squad and per student, and who would fall into danger. Nothing is written."""
    from campbank.ledger.actions.setup import season_source
    from campbank.ledger.season.load import read_season_file
    from campbank.ledger.views.policy_try import DryRun, try_season

    with fail_on_error():
        db = state(ctx).database()
        text, source = read_season_file(season_source(str(file)))
        run: DryRun = try_season(db, manager_for(ctx, db, as_user), text, source)
    sign = run.currency_sign

    def money(cents: int) -> str:
        return format_amount(cents, sign)

    def delta(cents: int, *, paid: bool = False) -> Text:
        """More charged is red, more paid (interest) green."""
        worse = cents < 0 if paid else cents > 0
        return Text(("+" if cents > 0 else "") + money(cents), style="red" if worse else "green" if cents else "")

    so_far = f"{run.days_so_far} of {run.season_days} days" + (f" (to {run.through})" if run.through else "")
    console.print(Text.assemble(("Policy dry-run: ", "bold"), (run.candidate, "bold"), f" ({run.source}) against the "
                                "season in force, ", (run.season, "bold"), f"; {so_far}. Nothing was written."))
    for note in run.notes:
        console.print(Text(f"  {note}", style="dim"))

    parts = Table(title="Charges and interest, all students" if any(c.paid for c in run.components)
                  else "Charges, all students", title_justify="left")
    for title in ("", "Charged so far", "Candidate so far", "Difference", "By the last day", "Candidate by then"):
        parts.add_column(title, justify="left" if not title else "right")
    for c in run.components:
        parts.add_row(c.name, money(c.charged), money(c.would_charge), delta(c.would_charge - c.charged, paid=c.paid),
                      money(c.charged_by_end), money(c.would_charge_by_end))
    console.print(parts)

    squads = Table(title="Per squad", title_justify="left")
    for title in ("Squad", "Students", "Charged so far", "Candidate", "Difference", "Danger now", "Candidate",
                  "Danger at the end", "Candidate", "Fall into danger"):
        squads.add_column(title, justify="left" if title == "Squad" else "right")
    for sq in run.squads:
        squads.add_row(Text(sq.squad or "No squad"), str(sq.students), money(sq.charged), money(sq.would_charge),
                       delta(sq.difference), str(sq.danger_now), str(sq.danger_now_candidate), str(sq.danger_at_end),
                       str(sq.danger_at_end_candidate), Text(str(sq.falling), style="bold red" if sq.falling else ""))
    console.print(squads)

    shown = run.students if students else run.falling
    table = Table(title="Per student" if students else "Who falls into danger", title_justify="left")
    for title in ("Student", "Squad", "Balance", "Charged", "Candidate", "Difference", "Balance had it been",
                  "End", "End, candidate", ""):
        table.add_column(title, justify="left" if title in ("Student", "Squad", "") else "right")
    for s in shown:
        table.add_row(Text(f"{s.full_name} ({s.username})"), Text(s.squad or "-"), money(s.balance), money(s.charged),
                      money(s.would_charge), delta(s.difference), money(s.balance_candidate), money(s.end_balance),
                      money(s.end_balance_candidate),
                      Text("falls into danger", style="bold red") if s.falls_into_danger else "")
    console.print(table)
    falling = len(run.falling)
    console.print(Text(f"{falling} student{'' if falling == 1 else 's'} would fall into danger under {run.candidate}.",
                       style="bold red" if falling else "green"))

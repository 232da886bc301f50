"""`campbank tax …` and `campbank fines …`: the manager's (and the scheduler's) charging runs."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from campbank.cli.common import (
    MANAGER_HELP,
    console,
    currency_sign,
    esc,
    fail_on_error,
    manager_for,
    scheduler_actor,
    state,
    title,
)
from campbank.core.errors import InputError, RuleError
from campbank.core.money import format_amount
from campbank.widgets.literal import literal

tax_app = typer.Typer(help="The nightly run of the tax, interest, instalments, circle rounds and fund refunds "
                            "(the scheduler runs it every evening), or void a tax day.")
fines_app = typer.Typer(help="Study fines for an incomplete programme: preview, charge once (on or after the "
                                 "stage's day), void a stage.")
AsUser = Annotated[str | None, typer.Option("--as", help=MANAGER_HELP)]
RunAs = Annotated[str | None, typer.Option("--as", help="Run it as this manager (password from CAMPBANK_PASSWORD "
                                                        "or a prompt). Without it, the bank runs it, as the scheduler "
                                                        "does.")]
STAGE_HELP = "final or equator"


def register(app: typer.Typer) -> None:
    app.add_typer(tax_app, name="tax")
    app.add_typer(fines_app, name="fines")


def parse_date(value: str | None, field: str) -> date | None:
    """YYYY-MM-DD, or `today` / `yesterday` (the camp's calendar day)."""
    from campbank.ledger import clock

    if value is None:
        return None
    word = value.strip().casefold()
    if word in ("today", "yesterday"):
        return clock.today() - timedelta(days=1 if word == "yesterday" else 0)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date written YYYY-MM-DD, today or yesterday", field=field) from None


@tax_app.command("run")
def tax_run(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", help="The day to run: YYYY-MM-DD, today or yesterday "
                                                           "(default today).")] = None,
    through: Annotated[str | None, typer.Option(help="Catch up every day up to this one (YYYY-MM-DD, today or "
                                                     "yesterday); never a day after today.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be charged.")] = False,
    as_user: RunAs = None,
) -> None:
    """The nightly run, once per date with a backup first: the tax, then interest on savings, loan
    instalments, savings circles' rounds and refunds of funds past their deadline (each on its own line)."""
    from campbank.ledger.actions.nightly import run
    from campbank.ledger.actions.tax import BACKUPS_KEPT, days_to_run
    from campbank.ledger.season.in_force import season_in_force
    from campbank.ledger.store.backup import backup
    from campbank.ledger.store.chain import current_head

    with fail_on_error():
        db = state(ctx).database()
        actor = scheduler_actor(db, as_user)
        start, end = parse_date(day, "--date"), parse_date(through, "--through")
        season = season_in_force(db)
        days = days_to_run(season, start, end)
        sign = season.currency_sign

        def report(result) -> None:
            line = f"{result.day} (day {result.season_day}): "
            if result.outcome in ("charged", "would charge"):
                line += (f"{result.outcome} {format_amount(result.amount, sign)} to {result.students} students, "
                         f"{format_amount(result.total, sign)} in all")
                if result.transaction_id:
                    line += f" (#{result.transaction_id})"
            elif result.outcome == "already taxed":
                line += f"already taxed in #{result.transaction_id}; nothing charged"
            elif result.outcome == "voided":
                line += (f"its tax #{result.transaction_id} was voided; nothing charged (`tax run --date "
                         f"{result.day}` charges it again)")
            elif result.outcome == "no tax":
                line += "the schedule's tax is 0; nothing charged"
            else:
                line += "outside the season's tax schedule; nothing charged"
            console.print(literal(line))

        def report_step(step) -> None:
            console.print(literal(f"{step.day} (day {season.day_number(step.day)}): {step.describe(sign)}"))

        def take_backup() -> None:
            path = backup(db, reason="tax", keep=BACKUPS_KEPT, actor_id=actor.id)
            console.print(f"Backed up to {esc(path)}")

        if sys.stdout.isatty() and len(days) > 1:
            with Progress(TextColumn("Nightly run"), BarColumn(), TextColumn("{task.completed}/{task.total} days"),
                          console=console, transient=True) as bar:
                task = bar.add_task("tax", total=len(days))

                def advance(result) -> None:
                    report(result)
                    bar.advance(task)

                run(db, actor, day=start, through=end, dry_run=dry_run, on_tax=advance, on_step=report_step,
                    backup=take_backup)
        else:
            run(db, actor, day=start, through=end, dry_run=dry_run, on_tax=report, on_step=report_step,
                backup=take_backup)
        # Kept in the scheduler's log, the head lets `campbank verify --anchor` prove this history later.
        console.print(f"Chain head: {current_head(db)}")


@tax_app.command("void")
def tax_void(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help="The taxed date, YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")] = "",
    as_user: AsUser = None,
) -> None:
    """Undo a mistaken tax day: its charges stop counting (audited)."""
    from campbank.ledger.actions.tax import void

    with fail_on_error():
        db = state(ctx).database()
        changed = void(db, manager_for(ctx, db, as_user), parse_date(day, "date"), reason=reason)  # type: ignore[arg-type]
    console.print(literal(f"Tax #{changed.id} for {day} voided: {changed.old_state} -> {changed.state}"))


@fines_app.command("preview")
def fines_preview(
    ctx: typer.Context,
    stage: Annotated[str, typer.Option(help=STAGE_HELP)] = "final",
    as_user: AsUser = None,
) -> None:
    """Show each student's progress and the fine a charge would make."""
    from campbank.ledger.actions.study_fines import preview

    with fail_on_error():
        db = state(ctx).database()
        rows = preview(db, manager_for(ctx, db, as_user), stage)
        sign = currency_sign(db)
    table = Table(title=title(f"Study fines, {stage} stage"))
    for column in ("student", "squad", "grade", "visits", "labs", "fac passes", "seminars given", "fine", "charged"):
        table.add_column(column, justify="right" if column in ("fine", "grade") else "left")
    for row in rows:
        p = row.progress
        table.add_row(literal(f"{row.full_name} ({row.username})"), literal(row.squad or ""), str(row.grade or ""),
                      f"{p.visits}/{p.visits_target}", f"{p.labs}/{p.labs_target}",
                      f"{p.fac_passes}/{p.fac_passes_target}", f"{p.seminars_given}/{p.seminars_target}",
                      literal(format_amount(p.expected_fine, sign)), f"#{row.charged_in}" if row.charged_in else "")
    console.print(table)
    due = [r for r in rows if r.charged_in is None and r.fine > 0]
    console.print(literal(f"{len(due)} students would be charged {format_amount(sum(r.fine for r in due), sign)} "
                          "in all."))


@fines_app.command("charge")
def fines_charge(
    ctx: typer.Context,
    stage: Annotated[str, typer.Option(help=STAGE_HELP)] = "final",
    yes: Annotated[bool, typer.Option("--yes", help="Charge without asking (the total is printed first).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Charge before the stage's day (the equator: the "
                                                        "season's middle day; the final: its last day).")] = False,
    as_user: AsUser = None,
) -> None:
    """Charge the stage's study fines after showing their total and head-count; students already charged for
    it are skipped."""
    from campbank.ledger import clock
    from campbank.ledger.actions.study_fines import charge, due_day, preview

    with fail_on_error():
        db = state(ctx).database()
        actor = manager_for(ctx, db, as_user)
        sign = currency_sign(db)
        due = [r for r in preview(db, actor, stage) if r.charged_in is None and r.fine > 0]
        day = due_day(db, stage)
        console.print(literal(f"The {stage} stage (due {day}): {len(due)} students would be charged "
                              f"{format_amount(sum(r.fine for r in due), sign)} in all."))
        if clock.today() < day and not force:
            raise RuleError(f"the {stage} stage falls due on {day}; charging it before then needs --force",
                            field="stage")
        if due and not yes and not typer.confirm("Charge them now?", default=False):
            console.print("Nothing charged.")
            raise typer.Exit(1)
        charged = charge(db, actor, stage, force=force)
    for row in charged:
        console.print(literal(f"#{row.charged_in}: {row.full_name} ({row.username}) fined "
                              f"{format_amount(row.fine, sign)}"))
    console.print(literal(f"Charged {len(charged)} students {format_amount(sum(r.fine for r in charged), sign)} "
                          "in all" + ("" if charged else " (nothing due, or this stage was already charged)") + "."))


@fines_app.command("void")
def fines_void(
    ctx: typer.Context,
    stage: Annotated[str, typer.Option(help=STAGE_HELP)],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")] = "",
    as_user: AsUser = None,
) -> None:
    """Reverse every fine of a stage in one audited step (a later charge of the stage works again)."""
    from campbank.ledger.actions.study_fines import void

    with fail_on_error():
        db = state(ctx).database()
        voided = void(db, manager_for(ctx, db, as_user), stage, reason=reason)
        sign = currency_sign(db)
    console.print(literal(f"Voided the {stage} study fines: {voided.students} students, "
                          f"{format_amount(voided.total, sign)} given back "
                          f"(#{voided.transaction_ids[0]} to #{voided.transaction_ids[-1]})."))

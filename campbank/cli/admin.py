"""Camp administration: init, season, backup, verify. (Exports live in `campbank.cli.reports`.)"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from campbank.cli.common import (
    OWNER_AS_HELP,
    actor_for,
    console,
    errors,
    fail_on_error,
    state,
)
from campbank.cli.season_try import season_try

season_app = typer.Typer(help="The season's rules: load a season file, show the one in force.")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(demo)
    app.add_typer(season_app, name="season")
    app.command()(backup)
    app.command()(verify)


def init(
    ctx: typer.Context,
    season: Annotated[str, typer.Option(help="A season file, or `classic` / `flat-tax`.")] = "classic",
    manager: Annotated[str, typer.Option(help="Username of the first manager.")] = "manager",
) -> None:
    """Create a new camp database: the season, the bank account and the first manager."""
    from campbank.ledger.actions.setup import initialise

    with fail_on_error():
        camp = initialise(state(ctx).path, season=season, manager=manager)
    console.print(f"Created {camp.database.path} with the season [bold]{camp.season_name}[/].")
    console.print(f"First manager: [bold]{camp.manager}[/]  password: [bold]{camp.password}[/]")
    console.print("The password is shown only this once: write it down or change it with `campbank users passwd`.")


def demo(
    ctx: typer.Context,
    students: Annotated[int, typer.Option(min=4, max=5000, help="How many students.")] = 130,
    open_ui: Annotated[bool, typer.Option("--open/--no-open", help="Open the office UI on it.")] = True,
) -> None:
    """Create a ready demo camp (users and a week of history), print its logins and open the office UI."""
    from campbank.demo import create_demo
    from campbank.ledger.store.paths import default_db_path

    chosen = state(ctx).db_path
    path = chosen or default_db_path().with_name("campbank-demo.db")
    with fail_on_error():
        camp = create_demo(path, students=students, progress=lambda message: errors.print(f"{message}…"))
    console.print(f"Demo camp ready in {path} ({len(camp.students)} students, {len(camp.staff)} staff).")
    console.print(f"  manager: [bold]{camp.manager[0]}[/] / {camp.manager[1]}")
    console.print(f"  staff:   [bold]{camp.staff[0]}[/] (and {len(camp.staff) - 1} more) / {camp.staff_password}")
    console.print(f"  student: [bold]{camp.students[0]}[/] (and {len(camp.students) - 1} more) / "
                  f"{camp.student_password}")
    console.print(f"Next time: CAMPBANK_DB={path} campbank")
    if open_ui and sys.stdin.isatty() and sys.stdout.isatty():
        from campbank.app import CampBankApp

        CampBankApp(camp.database).run()


@season_app.command("load")
def season_load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The season TOML file.")],
    as_user: Annotated[str | None, typer.Option("--as", help=OWNER_AS_HELP)] = None,
) -> None:
    """Validate a season file and make it the season in force (a bad file changes nothing)."""
    from campbank.ledger.actions.setup import season_source
    from campbank.ledger.season.in_force import load, read_file

    with fail_on_error():
        db = state(ctx).database()
        text, source = read_file(season_source(str(file)))
        season = load(db, actor_for(db, as_user), text, source)
    console.print(f"Season [bold]{season.name}[/] from {source} is now in force "
                  f"({season.first_day} to {season.last_day}).")


season_app.command("try")(season_try)


@season_app.command("show")
def season_show(ctx: typer.Context) -> None:
    """Show the season in force."""
    from campbank.core.money import format_amount
    from campbank.ledger.season.in_force import current

    with fail_on_error(), state(ctx).database().session() as session:
        season = current(session)
    sign = season.currency_sign
    table = Table(title=f"Season: {season.name}", show_header=False)
    table.add_row("source", season.source)
    table.add_row("days", f"{season.first_day} to {season.last_day}")
    table.add_row("initial grant", format_amount(season.initial_grant, sign))
    schedule = sorted(season.tax_schedule.items())
    table.add_row("tax", ", ".join(f"d{day}: {format_amount(a, sign)}" for day, a in schedule))
    table.add_row("seminar reward", season.seminar_reward.formula)
    table.add_row("squads", ", ".join(season.squads))
    table.add_row("grades", ", ".join(map(str, season.grades)))
    table.add_row("warning levels", f"danger <= {format_amount(season.balance_danger, sign)}, "
                  f"warning < {format_amount(season.balance_warning, sign)}")
    blocks = season.time_blocks.values()
    table.add_row("time blocks", ", ".join(f"{b.name} {b.start:%H:%M}-{b.end:%H:%M}" for b in blocks))
    console.print(table)


def backup(
    ctx: typer.Context,
    dest: Annotated[
        Path | None, typer.Argument(help="A file or folder (default: backups/ beside the database).")
    ] = None,
) -> None:
    """Copy the database with SQLite's online backup API (safe while others use it)."""
    from campbank.ledger.store.backup import backup as make_backup

    with fail_on_error():
        path = make_backup(state(ctx).database(), dest)
    console.print(f"Backed up to {path}")


def verify(ctx: typer.Context) -> None:
    """Recompute every balance and counter from the journal and report any difference."""
    from campbank.ledger.verify import verify_file

    path = state(ctx).path
    if not path.exists():
        errors.print(f"[bold red]error:[/] database: no file at {path}")
        raise typer.Exit(1)
    report = verify_file(path)
    counted = ", ".join(f"{n} {what}" for what, n in report.counted.items())
    if report.ok:
        console.print(f"[green]OK[/]: integrity check passed; {counted}; every balance, counter and "
                      "transaction agrees with the journal.")
        return
    for finding in report.findings:
        console.print(f"[red]{finding.check}[/]: {finding.message}")
    console.print(f"[bold red]{len(report.findings)} problem(s) found[/]" + (f" ({counted})" if counted else ""))
    raise typer.Exit(1)

"""Camp administration: init, season, backup, verify. (Exports live in `campbank.cli.reports`.)"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from campbank.cli.common import (
    MANAGER_HELP,
    console,
    errors,
    esc,
    fail_on_error,
    manager_for,
    state,
    title,
)
from campbank.cli.season_try import season_try
from campbank.core.errors import InputError
from campbank.widgets.literal import literal

season_app = typer.Typer(help="The season's rules: load a season file, show the one in force, move its dates, "
                                  "close it.")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(demo)
    app.add_typer(season_app, name="season")
    app.command()(backup)
    app.command()(verify)
    app.command()(migrate)


def init(
    ctx: typer.Context,
    first_day: Annotated[str | None, typer.Option(
        "--first-day", help="This summer's first day, YYYY-MM-DD (default: the season file's).")] = None,
    days: Annotated[int | None, typer.Option(
        "--days", help="How many days the camp lasts (default: as many as the season file's).")] = None,
    season: Annotated[str, typer.Option(help="A season file, or `classic` / `flat-tax` / `savings`.")] = "classic",
    manager: Annotated[str, typer.Option(help="Username of the first manager.")] = "manager",
    app_role: Annotated[str | None, typer.Option(
        "--app-role", help="PostgreSQL only: the role the offices connect as, granted everything but changing or "
                           "removing append-only rows (docs/postgresql.md).")] = None,
) -> None:
    """Create a new camp database: the season (on this summer's dates), the bank account and the first manager."""
    from campbank.cli.money_runs import parse_date
    from campbank.ledger.actions.setup import initialise
    from campbank.ledger.season.in_force import season_in_force

    with fail_on_error():
        start = parse_date(first_day, "--first-day")
        if app_role is not None:
            from campbank.ledger.store.dialects import is_server
            from campbank.ledger.store.roles import grant_statements

            grant_statements(app_role)  # a bad name is refused before the camp is made
            if not is_server(state(ctx).path):
                raise InputError("--app-role is for a camp on PostgreSQL; a SQLite file has no roles", field="app-role")
        camp = initialise(state(ctx).path, season=season, manager=manager, first_day=start, days=days)
        if app_role is not None:
            from campbank.ledger.store.roles import grant

            grant(camp.database, app_role)
        dated = season_in_force(camp.database)
    console.print(f"Created {esc(str(camp.database))} with the season [bold]{esc(camp.season_name)}[/], "
                  f"{dated.first_day} to {dated.last_day} ({dated.days} days).")
    console.print(f"First manager: [bold]{esc(camp.manager)}[/]  password: [bold]{esc(camp.password)}[/]")
    console.print("The password is shown only this once: write it down or change it with `campbank users passwd`.")


def demo(
    ctx: typer.Context,
    students: Annotated[int, typer.Option(min=4, max=5000, help="How many students.")] = 130,
    open_ui: Annotated[bool, typer.Option("--open/--no-open", help="Open the office UI on it.")] = True,
    reset: Annotated[bool, typer.Option("--reset", help="Start an existing demo camp again (its content is "
                                                        "replaced; only a demo camp ever is).")] = False,
) -> None:
    """Create a ready demo camp (users and a week of history), print its logins and open the office UI."""
    from campbank.demo import demo_camp
    from campbank.ledger.store.paths import default_db_path

    chosen = state(ctx).db_path
    path = chosen or default_db_path().with_name("campbank-demo.db")
    with fail_on_error():
        camp = demo_camp(path, students=students, reset=reset, progress=lambda message: errors.print(f"{message}…"))
    made = "made before, as it was left; --reset starts it over" if camp.reopened else "ready"
    console.print(f"Demo camp {made}: {esc(path)} ({len(camp.students)} students, {len(camp.staff)} staff).")
    console.print(f"  manager: [bold]{camp.manager[0]}[/] / {camp.manager[1]}")
    console.print(f"  staff:   [bold]{camp.staff[0]}[/] (and {len(camp.staff) - 1} more) / {camp.staff_password}")
    console.print(f"  student: [bold]{camp.students[0]}[/] (and {len(camp.students) - 1} more) / "
                  f"{camp.student_password}")
    console.print(f"Next time: CAMPBANK_DB={esc(path)} campbank")
    if open_ui and sys.stdin.isatty() and sys.stdout.isatty():
        from campbank.app import CampBankApp

        CampBankApp(camp.database).run()


@season_app.command("load")
def season_load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The season TOML file.")],
    as_user: Annotated[str | None, typer.Option("--as", help=MANAGER_HELP)] = None,
) -> None:
    """Validate a season file and make it the season in force (a bad file changes nothing)."""
    from campbank.ledger.actions.setup import season_source
    from campbank.ledger.season.in_force import load
    from campbank.ledger.season.load import read_season_file

    with fail_on_error():
        db = state(ctx).database()
        text, source = read_season_file(season_source(str(file)))
        season = load(db, manager_for(ctx, db, as_user), text, source)
    console.print(f"Season [bold]{esc(season.name)}[/] from {esc(source)} is now in force "
                  f"({season.first_day} to {season.last_day}).")


season_app.command("try")(season_try)


@season_app.command("close")
def season_close(
    ctx: typer.Context,
    statements: Annotated[Path | None, typer.Option(
        "--statements", help="Where to write every student's closing statement (default: beside the database, "
                             "NAME-statements.pdf).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Close before the day after the last day.")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help=MANAGER_HELP)] = None,
) -> None:
    """Close the season for good: refused while anything is left undone (each listed); then every change is
    refused, every read keeps working, and each student's statement is written."""
    from campbank.formats.statements.writer import write_statements
    from campbank.ledger.actions.closing import close
    from campbank.ledger.store.outputs import judge

    with fail_on_error():
        db = state(ctx).database()
        actor = manager_for(ctx, db, as_user)
        out = statements or db.path.with_name(f"{db.path.stem}-statements.pdf")
        judge(out, force=False, protect=[db.path])  # a bad path is refused before the camp is closed
        closed = close(db, actor, force=force)
        console.print(f"Season [bold]{esc(closed.season)}[/] is closed: every change is refused from now on; "
                      "reports, exports, statements, verify and backups still work.")
        written = write_statements(db, actor, None, out, with_left=True)  # everyone who was in the camp
    console.print(f"Statements of {written.students} students ({written.pages} pages) in {esc(written.path)}")


@season_app.command("dates")
def season_dates(
    ctx: typer.Context,
    first_day: Annotated[str | None, typer.Option("--first-day", help="The first day, YYYY-MM-DD.")] = None,
    days: Annotated[int | None, typer.Option("--days", help="How many days (default: as many as now).")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help=MANAGER_HELP)] = None,
) -> None:
    """Move the season in force to new dates (refused while a counted transaction would fall outside them)."""
    from campbank.cli.money_runs import parse_date
    from campbank.core.errors import InputError
    from campbank.ledger.season.in_force import move_dates

    with fail_on_error():
        if first_day is None and days is None:
            raise InputError("give --first-day, --days or both", field="--first-day")
        db = state(ctx).database()
        season = move_dates(db, manager_for(ctx, db, as_user), parse_date(first_day, "--first-day"), days)
    console.print(f"Season [bold]{esc(season.name)}[/] now runs {season.first_day} to {season.last_day} "
                  f"({season.days} days).")


@season_app.command("show")
def season_show(ctx: typer.Context) -> None:
    """Show the season in force."""
    from campbank.core.money import format_amount
    from campbank.ledger.season.in_force import season_in_force

    with fail_on_error():
        season = season_in_force(state(ctx).database())
    sign = season.currency_sign
    # Names, squads and the source come from a file a person wrote: every cell is literal Text.
    table = Table(title=title(f"Season: {season.name}"), show_header=False)
    table.add_row("source", literal(season.source))
    table.add_row("days", f"{season.first_day} to {season.last_day}")
    table.add_row("initial grant", literal(format_amount(season.initial_grant, sign)))
    schedule = sorted(season.tax_schedule.items())
    table.add_row("tax", literal(", ".join(f"d{day}: {format_amount(a, sign)}" for day, a in schedule)))
    table.add_row("seminar reward", season.seminar_reward.formula)
    table.add_row("squads", literal(", ".join(season.squads)))
    table.add_row("grades", ", ".join(map(str, season.grades)))
    table.add_row("warning levels", literal(f"danger <= {format_amount(season.balance_danger, sign)}, "
                                            f"warning < {format_amount(season.balance_warning, sign)}"))
    blocks = season.time_blocks.values()
    table.add_row("time blocks", ", ".join(f"{b.name} {b.start:%H:%M}-{b.end:%H:%M}" for b in blocks))
    console.print(table)


def backup(
    ctx: typer.Context,
    dest: Annotated[
        Path | None, typer.Argument(help="A new file, or a folder to put a dated file in (default: backups/ "
                                         "beside the database).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace DEST if it is an existing file (never a "
                                                        "database, a device or a folder).")] = False,
) -> None:
    """Copy the database with SQLite's online backup API (safe while others use it)."""
    from campbank.ledger.store.backup import backup as make_backup
    from campbank.ledger.store.backup import head_file

    with fail_on_error():
        path = make_backup(state(ctx).database(), dest, force=force)
    console.print(f"Backed up to {esc(path)}")
    console.print(f"Chain head: {head_file(path).read_text(encoding='ascii').strip()} "
                  f"(kept in {esc(head_file(path).name)})")


def verify(
    ctx: typer.Context,
    anchor: Annotated[list[str] | None, typer.Option(
        "--anchor", help="A chain head SEQ:HASH kept elsewhere (printed by `tax run`, in a backup's .head file, "
                         "on the report's first sheet): prove the history up to it is unchanged. Repeatable.")] = None,
) -> None:
    """Recompute every balance, counter and the hash chain from the rows and report any difference."""
    from campbank.ledger.verify import parse_anchor, verify_file

    path = state(ctx).path
    with fail_on_error():
        anchors = [parse_anchor(text) for text in anchor or []]
    from campbank.ledger.store.dialects import is_server

    if not is_server(path) and not path.exists():
        errors.print(f"[bold red]error:[/] database: no file at {esc(path)}")
        raise typer.Exit(1)
    report = verify_file(path, anchors)
    counted = ", ".join(f"{n} {what}" for what, n in report.counted.items())
    if report.ok:
        console.print(f"[green]OK[/]: integrity check passed; {esc(counted)}; every balance, counter and "
                      "transaction agrees with the journal.")
        links = f"{report.links} link{'s' if report.links != 1 else ''}"
        since = report.chain_started or ""
        since = f"the chain {since}" if since.startswith("started") else f"chained {since}"
        console.print(f"Hash chain: {links}, every one matches its rows; head {report.head} ({since})")
        for proven in report.anchors_proven:
            console.print(f"Anchor {proven}: the history up to it is unchanged.")
        return
    for finding in report.findings:  # a finding may quote what is in the file (a trigger's SQL): never markup
        console.print(f"[red]{esc(finding.check)}[/]: {esc(finding.message)}")
    console.print(f"[bold red]{len(report.findings)} problem(s) found[/]" + (f" ({esc(counted)})" if counted else ""))
    raise typer.Exit(1)


def migrate(
    ctx: typer.Context,
    source: Annotated[Path, typer.Option("--from", help="The camp's SQLite file.")],
    target: Annotated[str, typer.Option("--to", help="An empty PostgreSQL database: postgresql://USER:PASS@HOST/NAME "
                                                     "(docs/postgresql.md).")],
    as_: Annotated[str | None, typer.Option("--as", help="A manager of the camp (password: CAMPBANK_PASSWORD or a "
                                                         "prompt).")] = None,
) -> None:
    """Move a camp from its SQLite file to an empty PostgreSQL database, and check both ends agree."""
    from campbank.ledger.store import audit
    from campbank.ledger.store.database import open_database
    from campbank.ledger.store.dialects import masked
    from campbank.ledger.store.migrate import migrate as move

    with fail_on_error():
        db = open_database(source)
        actor = manager_for(ctx, db, as_)
        done = move(db, Path(target))
        done.target.write(lambda session: audit.record(session, "camp.migrated", actor_id=actor.id,
                                                        target="camp", source=str(source), head=done.head))
    copied = sum(done.rows.values())
    console.print(f"Moved {esc(source)} to {esc(masked(target))}: {copied} rows in {len(done.rows)} tables, "
                  f"{done.accounts} accounts; row counts, balances and the chain's head ({done.head}) agree.")
    console.print("Point every office at it: CAMPBANK_DB=<the URL> (docs/postgresql.md). The file was not changed; "
                  "keep it as a backup.")

"""`campbank users …`: import a roster, add, edit, reset a password, deactivate, reactivate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from campbank.cli.common import MANAGER_HELP, console, esc, fail_on_error, manager_for, state, title
from campbank.widgets.literal import literal

users_app = typer.Typer(help="People: import a roster, add, edit, reset a password, deactivate, reactivate.")
AsUser = Annotated[str | None, typer.Option("--as", help=MANAGER_HELP)]


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


@users_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Roster .csv or .xlsx")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file and show what would change.")] = False,
    credentials: Annotated[Path | None, typer.Option(help="Write new people's passwords to this .xlsx (an existing "
                                                          "credentials workbook keeps its rows: the new are "
                                                          "added).")] = None,
    as_user: AsUser = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --credentials file when it exists and is not "
                                                        "a credentials workbook.")] = False,
) -> None:
    """Import a roster all-or-nothing: new people are added with their grant, known people updated."""
    from campbank.formats.roster_import import import_roster
    from campbank.ledger.store.outputs import judge

    with fail_on_error():
        if credentials is not None:  # a database, a device or a folder is refused before anything else
            judge(credentials, force=True, protect=[state(ctx).path], field="credentials")
        db = state(ctx).database()
        plan = import_roster(db, manager_for(ctx, db, as_user), file, credentials_out=credentials, dry_run=dry_run,
                             force=force)
    table = Table(title=title(("Would import" if dry_run else "Imported") + f" {file.name}"))
    for column in ("line", "username", "name", "squad", "grade", "role", "change"):
        table.add_column(column)
    for row in plan.create:
        table.add_row(str(row.line), literal(plan.usernames[row.line]), literal(row.full_name),
                      literal(row.squad or ""), str(row.grade or ""), row.role, "[green]new[/]")
    for row, username, changed in plan.update:
        table.add_row(str(row.line), literal(username), literal(row.full_name), literal(row.squad or ""),
                      str(row.grade or ""), row.role, literal(", ".join(changed), "yellow"))
    if plan.create or plan.update:
        console.print(table)
    verb = "would add" if dry_run else "added"
    console.print(f"{verb} {len(plan.create)}, {'would update' if dry_run else 'updated'} {len(plan.update)}, "
                  f"unchanged {len(plan.unchanged)}.")
    if plan.generated_passwords and not dry_run and credentials:
        console.print(f"Passwords for {len(plan.generated_passwords)} new people are in {esc(credentials)} "
                      "(readable only by you).")


@users_app.command("add")
def add(
    ctx: typer.Context,
    last_name: Annotated[str, typer.Option("--last-name")],
    first_name: Annotated[str, typer.Option("--first-name")],
    role: Annotated[str, typer.Option(help="student, staff or manager")],
    middle_name: Annotated[str, typer.Option("--middle-name")] = "",
    squad: Annotated[str | None, typer.Option()] = None,
    grade: Annotated[int | None, typer.Option()] = None,
    username: Annotated[str | None, typer.Option(help="Generated from the name when left out.")] = None,
    as_user: AsUser = None,
) -> None:
    """Add one person; a generated password is printed once."""
    from campbank.ledger.actions.users import add_user

    with fail_on_error():
        db = state(ctx).database()
        made = add_user(db, manager_for(ctx, db, as_user), last_name=last_name, first_name=first_name,
                        middle_name=middle_name, role=role, squad=squad, grade=grade, username=username)
    console.print(f"Added {esc(made.full_name)}: username [bold]{esc(made.username)}[/]  "
                  f"password [bold]{esc(made.password)}[/]")


@users_app.command("passwd")
def passwd(ctx: typer.Context, username: str, as_user: AsUser = None) -> None:
    """Reset someone's password to a new generated one, printed once (also lifts a lockout)."""
    from campbank.ledger.actions.users import set_password

    with fail_on_error():
        db = state(ctx).database()
        password = set_password(db, manager_for(ctx, db, as_user), username)
    console.print(f"New password for {esc(username)}: [bold]{esc(password)}[/]")


@users_app.command("deactivate")
def deactivate(ctx: typer.Context, username: str, as_user: AsUser = None) -> None:
    """Stop someone signing in and being paid; their history stays."""
    from campbank.ledger.actions.users import deactivate as deactivate_user

    with fail_on_error():
        db = state(ctx).database()
        deactivate_user(db, manager_for(ctx, db, as_user), username)
    console.print(literal(f"{username} is deactivated."))


@users_app.command("reactivate")
def reactivate(ctx: typer.Context, username: str, as_user: AsUser = None) -> None:
    """Let a deactivated person sign in and be paid again (the tax charges them again from today)."""
    from campbank.ledger.actions.user_changes import reactivate as reactivate_user

    with fail_on_error():
        db = state(ctx).database()
        reactivate_user(db, manager_for(ctx, db, as_user), username)
    console.print(literal(f"{username} is active again."))


@users_app.command("edit")
def edit(
    ctx: typer.Context,
    username: str,
    last_name: Annotated[str | None, typer.Option("--last-name")] = None,
    first_name: Annotated[str | None, typer.Option("--first-name")] = None,
    middle_name: Annotated[str | None, typer.Option("--middle-name", help="An empty text removes it.")] = None,
    squad: Annotated[str | None, typer.Option(help="The squad's name or number (1 = the first).")] = None,
    grade: Annotated[int | None, typer.Option()] = None,
    as_user: AsUser = None,
) -> None:
    """Correct someone's name, squad or grade (checked like a roster row; audited)."""
    from campbank.ledger.actions.user_changes import edit as edit_user

    with fail_on_error():
        db = state(ctx).database()
        changed = edit_user(db, manager_for(ctx, db, as_user), username, last_name=last_name, first_name=first_name,
                            middle_name=middle_name, squad=squad, grade=grade)
    console.print(literal(f"{username}: changed {', '.join(changed)}." if changed else f"{username}: nothing changed."))

"""`campbank files …`: add a file to the shared files (kept inside the database), list them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from campbank.cli.common import AS_HELP, MANAGER_HELP, console, esc, fail_on_error, manager_for, signed_in, state
from campbank.widgets.literal import literal

files_app = typer.Typer(help="The shared files everyone can read: notices, schedules, rules, menus.")


def register(app: typer.Typer) -> None:
    app.add_typer(files_app, name="files")


@files_app.command("add")
def files_add(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The file to add (up to 20 MB).")],
    name: Annotated[str | None, typer.Option("--as", help="Share it under this name (default: its file name).")]
    = None,
    by: Annotated[str | None, typer.Option("--by", help=MANAGER_HELP)]
    = None,
) -> None:
    """Add a file; adding a name again keeps the old version in history."""
    from campbank.ledger.actions.files import add_path, human_size

    with fail_on_error():
        db = state(ctx).database()
        added = add_path(db, manager_for(ctx, db, by), path, name=name)
    again = f" (version {added.version}; older versions kept)" if added.version > 1 else ""
    console.print(f"Added {esc(added.name)}, {human_size(added.size)}{again}")


@files_app.command("list")
def files_list(
    ctx: typer.Context,
    by: Annotated[str | None, typer.Option("--by", help=AS_HELP)] = None,
) -> None:
    """List the shared files: name, size, versions, when and by whom the newest was added."""
    from campbank.ledger.actions.files import human_size, list_files

    with fail_on_error():
        db = state(ctx).database()
        files = list_files(db, signed_in(ctx, db, by, "--by"))
    table = Table("name", "size", "versions", "added", "by")
    for item in files:
        table.add_row(literal(item.name), human_size(item.size), str(item.versions),
                      f"{item.added_at:%Y-%m-%d %H:%M}", literal(item.added_by))
    console.print(table if files else "No shared files yet.")

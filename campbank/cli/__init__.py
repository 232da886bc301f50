"""The `campbank` command: thin typer commands that call the ledger and print with rich."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from campbank.cli import admin, files, money_runs, reports, savings, serve, statements, transactions, ui, users
from campbank.cli.common import State
from campbank.cli.usage import OneLineErrors

app = typer.Typer(
    name="campbank",
    cls=OneLineErrors,
    help="The bank of a summer camp's virtual economy. Without a command: the office terminal UI.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option("--db", envvar="CAMPBANK_DB", help="The database file.")] = None,
) -> None:
    ctx.obj = State(db_path=db)
    if ctx.invoked_subcommand is None:
        ui.open_office(ctx)


admin.register(app)
users.register(app)
transactions.register(app)
money_runs.register(app)
reports.register(app)
ui.register(app)
files.register(app)
serve.register(app)
savings.register(app)
statements.register(app)

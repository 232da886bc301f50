"""Every usage error as one `error:` line (exit 2), the way the ledger's refusals are printed.

Typer would print a usage block, a hint and a framed panel; a script reading the output, or a person in a
hurry, needs one line that says what is wrong and where to look (docs/season.md#exit-codes).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer.core
from typer._click import exceptions as click  # typer carries its own copy of click: its errors are these
from typer.exceptions import Abort

from campbank.cli.common import errors, esc


class OneLineErrors(typer.core.TyperGroup):
    """The top-level group: runs the command, turning click's usage errors into one line."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.ClickException as error:
            _fail(error)
        except Abort:
            errors.print("[bold red]error:[/] aborted; nothing more was done")
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _fail(error: click.ClickException) -> NoReturn:
    message = " ".join(error.format_message().split())
    command = error.ctx.command_path if isinstance(error, click.UsageError) and error.ctx else None
    if command:
        message = f"{command}: {message} (see `{command} --help`)"
    errors.print(f"[bold red]error:[/] {esc(message)}")
    sys.exit(error.exit_code)

"""`campbank statement`: account statements as PDF, and `campbank statement check CODE`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from campbank.cli.common import AS_HELP, console, errors, fail_on_error, signed_in, state
from campbank.core.errors import InputError


def register(app: typer.Typer) -> None:
    app.command(name="statement")(statement)


def statement(
    ctx: typer.Context,
    username: Annotated[str | None, typer.Argument(help="The student; or `check CODE` to check a statement.",
                                                   show_default=False)] = None,
    code: Annotated[str | None, typer.Argument(help="With `check`: the code printed on the statement.",
                                               show_default=False)] = None,
    squad: Annotated[str | None, typer.Option("--squad", help="Every student of this squad.")] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Every student of the camp, in one file.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The PDF file to write.")] = None,
    first: Annotated[str | None, typer.Option("--from", help="The first day (YYYY-MM-DD; default: the season's "
                                                             "first day).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="The last day (default: today, or the season's last "
                                                        "day once it is over).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists (never a database, a "
                                                        "device or a folder).")] = False,
    as_user: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
) -> None:
    """Write account statements to a PDF: opening balance, every entry with a running balance, counters,
    study programme, closing balance and a verification code (also as a QR code).

    `campbank statement USERNAME|--squad S|--all -o FILE.pdf [--from D] [--to D]`;
    `campbank statement check CODE` confirms a statement against the ledger."""
    with fail_on_error():
        if username == "check" and code is not None:
            _check(ctx, code, as_user)
            return
        if code is not None:
            raise InputError(f"unexpected {code!r}: name one student, or use --squad or --all", field="username")
        chosen = [bool(username), squad is not None, everyone]
        if sum(chosen) != 1:
            raise InputError("name one student, or use --squad S or --all (one of them)", field="username")
        if output is None:
            raise InputError("name the PDF to write with -o FILE.pdf", field="--output")
        _write(ctx, username, squad, output, _day(first, "--from"), _day(to, "--to"), force, as_user)


def _write(ctx: typer.Context, username: str | None, squad: str | None, output: Path, first: date | None,
           last: date | None, force: bool, as_user: str | None) -> None:
    from campbank.formats.statements.writer import write_statements
    from campbank.ledger.store.outputs import judge

    judge(output, force=force, protect=[state(ctx).path])  # before anyone signs in or anything is read
    db = state(ctx).database()
    actor = signed_in(ctx, db, as_user)
    def progress(done: int, total: int) -> None:
        if errors.is_terminal:
            errors.print(f"{done}/{total} students…", end="\r")

    written = write_statements(db, actor, [username] if username else None, output, squad=squad, first_day=first,
                               last_day=last, force=force, progress=progress)
    if errors.is_terminal:
        errors.print(" " * 30, end="\r")
    console.print(f"Wrote {written.path}: {_count(written.students, 'statement')}, {_count(written.pages, 'page')}, "
                  f"{written.first_day} to {written.last_day}.")
    if written.students == 1:
        console.print(Text(f"Verification code: {written.codes[0][1]}"))


def _check(ctx: typer.Context, code: str, as_user: str | None) -> None:
    from campbank.core.money import format_amount
    from campbank.ledger.views.statements import check_code

    db = state(ctx).database()
    result = check_code(db, signed_in(ctx, db, as_user), code)
    sign = result.currency_sign
    closing = format_amount(result.closing, sign)
    if result.saved:
        closing = (f"main {closing} + pockets {format_amount(result.saved, sign)} = "
                   f"{format_amount(result.total, sign)}")
    about = (f"the statement of {result.full_name} ({result.username}), {result.first_day} to {result.last_day}: "
             f"opening {format_amount(result.opening, sign)}, closing {closing}, {result.entries} entries")
    if result.ok:
        console.print(Text.assemble(("OK", "bold green"), f": the ledger confirms {about}."))
        return
    console.print(Text.assemble(("DOES NOT MATCH", "bold red"), f": the ledger no longer gives {about.split(':')[0]} "
                                "as coded: an entry of that period was added, cancelled, altered or changed since it "
                                f"was made. As the ledger stands now: {about.split(': ', 1)[1]}."))
    raise typer.Exit(1)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _day(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value!r} is not a date written YYYY-MM-DD", field=field) from None

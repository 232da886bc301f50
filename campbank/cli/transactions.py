"""Posting and deciding transactions from the command line: post, approve, reject, cancel."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from campbank.cli.common import (
    AS_HELP,
    console,
    currency_sign,
    fail_on_error,
    sign_in_as,
    state,
)
from campbank.core.errors import InputError
from campbank.widgets.literal import literal

AsUser = Annotated[str, typer.Option("--as", help=AS_HELP)]
MAX_DIGITS = 30  # no amount, id or score of a camp comes near it
Reason = Annotated[str, typer.Option(help="Why (kept in the audit log).")]


def register(app: typer.Typer) -> None:
    app.command()(post)
    app.command()(approve)
    app.command()(reject)
    app.command()(cancel)


def post(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="The payload JSON file, or - for standard input.")],
    as_user: AsUser,
) -> None:
    """Post one transaction from a JSON payload (see the README for the fields of each type)."""
    from campbank.ledger.actions.posting import post as post_payload

    with fail_on_error():
        payload = read_payload(file)
        db = state(ctx).database()
        posted = post_payload(db, sign_in_as(db, as_user), payload)
        sign = currency_sign(db)
    if posted.duplicate:
        console.print(literal(f"Already posted as #{posted.id}: {posted.summary(sign)} (same idempotency key; "
                              "nothing new)"))
    else:
        console.print(literal(f"Posted #{posted.id}: {posted.summary(sign)}"))


def approve(ctx: typer.Context, id: int, as_user: AsUser, reason: Reason = "") -> None:
    """Approve what waits: a student's pending transfer (staff; the sender's balance is checked again), or a
    staff transaction waiting for a second manager (a manager other than its creator; checked again)."""
    from campbank.ledger.actions.states import approve as approve_request

    _decide(ctx, approve_request, id, as_user, reason)


def reject(ctx: typer.Context, id: int, as_user: AsUser, reason: Reason = "") -> None:
    """Reject what waits: a student's pending transfer, or a staff transaction waiting for a second manager
    (a manager other than its creator). --reason is required: the sender sees who rejected it and why."""
    from campbank.ledger.actions.states import reject as reject_request

    _decide(ctx, reject_request, id, as_user, reason)


def cancel(ctx: typer.Context, id: int, as_user: AsUser, reason: Reason = "") -> None:
    """Cancel a transaction: its entries stop counting and the reversal shows in the history. Staff and
    managers give --reason: the people it touched see who cancelled it and why."""
    from campbank.ledger.actions.states import cancel as cancel_transaction

    _decide(ctx, cancel_transaction, id, as_user, reason)


def _decide(ctx: typer.Context, action, id: int, as_user: str, reason: str) -> None:
    with fail_on_error():
        db = state(ctx).database()
        changed = action(db, sign_in_as(db, as_user), id, reason=reason)
    console.print(literal(f"#{changed.id} ({changed.type}): {changed.old_state} -> {changed.state}"))


def read_payload(file: str) -> object:
    """The JSON payload from a file or standard input, refusing what is not JSON with the place."""
    if file == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{file} does not exist", field="payload") from None
        except UnicodeDecodeError:
            raise InputError(f"{file} is not UTF-8 text", field="payload") from None
    try:
        # parse_float=Decimal: `12.5` is read exactly, as 12.50@ (docs/season.md#exit-codes), never as a float.
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_int=_whole_number,
                          parse_float=_exact_number)
    except json.JSONDecodeError as error:
        raise InputError(f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                         field="payload") from None
    except RecursionError:  # [[[[… a hundred thousand deep: Python's JSON reader gives up
        raise InputError("is nested far too deeply to be a payload", field="payload") from None


def _exact_number(text: str) -> Decimal:
    """A JSON number with a fraction or an exponent, exactly; a huge exponent is refused, never computed."""
    if len(text) > MAX_DIGITS:
        raise InputError(f"has a number of {len(text)} characters: far too long", field="payload")
    number = Decimal(text)
    if abs(number.adjusted()) > MAX_DIGITS:
        raise InputError(f"has a number far too large or too small ({text})", field="payload")
    return number


def _whole_number(text: str) -> int:
    """A JSON whole number; one of thousands of digits is refused before Python is asked to convert it."""
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise InputError(f"has a whole number of {len(text.lstrip('-'))} digits: far too large", field="payload")
    return int(text)


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """JSON keeps only the last of two equal keys; a payload naming a student twice is refused instead."""
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise InputError(f"{key!r} appears twice in one object; each key may appear once", field="payload")
        seen[key] = value
    return seen

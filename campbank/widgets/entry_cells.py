"""The cells of the group-entry table: its rows and value columns, how a value is drawn, what is valid,
and why a key is not taken (widgets/group_entry.py)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from campbank.core.errors import InputError
from campbank.core.money import format_amount, parse_amount

KINDS = ("amount", "tick", "number", "integer", "place")
TYPED = {"amount": "0123456789.", "number": "0123456789", "integer": "-0123456789", "place": "1234"}


def letters(text: str) -> str:
    """The letters of a name or username, folded: what type-to-jump compares with."""
    return "".join(char for char in text.casefold().replace("ё", "е") if char.isalpha())


@dataclass(frozen=True)
class EntryRow:
    key: str  # the payload key: a username, a criterion
    group: str  # shown on the first row of each group (the squad)
    label: str  # the full name
    note: str = ""  # the username, or the allowed values
    allowed: tuple[int, ...] = ()  # for "integer" columns: the values accepted (empty: any)


@dataclass(frozen=True)
class EntryColumn:
    name: str  # the payload field
    kind: str  # one of KINDS
    label: str


Value = str | bool


def cell_text(spec: EntryColumn, row: EntryRow, value: Value | None) -> Text:
    if spec.kind == "tick":
        return Text("✔", style="bold green") if value else Text("·", style="dim")
    if not value:
        return Text("·", style="dim")
    assert isinstance(value, str)
    if not valid(spec, row, value):
        return Text(f"{value}!", style="bold red")
    if spec.kind == "amount":
        return Text(format_amount(parse_amount(value, limit=None), sign=""), style="bold", justify="right")
    return Text(value, style="bold", justify="right")


def valid(spec: EntryColumn, row: EntryRow, value: str) -> bool:
    if spec.kind == "amount":
        try:
            parse_amount(value, limit=None)
        except InputError:
            return False
        return True
    try:
        number = int(value)
    except ValueError:
        return False
    if spec.kind == "place":
        return 1 <= number <= 4
    if spec.kind == "number":
        return number >= 0
    return not row.allowed or number in row.allowed


def refusal(spec: EntryColumn, row: EntryRow, char: str, typed: str) -> str:
    """Why `char` was not taken in this cell, naming the cell."""
    if char == "-" and spec.kind in ("amount", "number"):
        why = "an amount is never negative here" if spec.kind == "amount" else "a number here is 0 or more"
    elif char.isalpha():
        why = f"{char!r} is a letter; finish the number (Enter) before jumping to a name"
    else:
        why = f"{char!r} cannot be part of {'an amount' if spec.kind == 'amount' else 'this number'}"
    return f"{spec.label} for {row.label}: {why}. Typed so far: {typed or 'nothing'}"

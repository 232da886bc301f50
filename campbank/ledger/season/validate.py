"""Helpers for reading a season file: the error it raises, where each key is written, typed getters.

`season.py` walks the TOML document with `Table` readers; each getter checks one key's type and range
and, on a refusal, raises a `SeasonError` naming the dotted key and the line it is written on.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from functools import cached_property
from typing import Any

from campbank.core.errors import InputError
from campbank.core.money import format_amount, parse_amount
from campbank.core.text import text_problem

Path = tuple[str, ...]

AMOUNT_HINT = 'must be a whole number or an amount such as "12.50"'
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_SYNTAX_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_SYNTAX_END = re.compile(r"\s*\(at end of document\)\s*$")


class SeasonError(InputError):
    """A season file that cannot be used: the file, the line and the dotted key at fault, and why."""

    def __init__(self, source: str, key: str | None, line: int | None, reason: str) -> None:
        super().__init__(reason, field=key)
        self.source = source
        self.key = key
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f" line {self.line}"
        if self.key:
            where += f", key {self.key}"
        return f"{where}: {self.reason}"


def syntax_error(source: str, text: str, message: str) -> SeasonError:
    """Turn tomllib's complaint into a SeasonError carrying the line it names."""
    at = _SYNTAX_AT.search(message)
    if at:
        reason = message[: at.start()]
        return SeasonError(source, None, int(at.group(1)), f"not valid TOML: {reason} (column {at.group(2)})")
    end = _SYNTAX_END.search(message)
    if end:
        last_line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        return SeasonError(source, None, last_line, f"not valid TOML: {message[: end.start()]} (at the end)")
    return SeasonError(source, None, None, f"not valid TOML: {message}")


# --------------------------------------------------------------------------- where keys are written


class _Scanner:
    """Best-effort map from dotted key paths to the line they are written on.

    Runs only on text tomllib has accepted, so it can be lenient; any surprise just ends the scan.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[Path, int] = {}

    def run(self) -> dict[Path, int]:
        with contextlib.suppress(IndexError, ValueError):
            self._document()
        return self.lines

    def _peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def _advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self._peek() == "\n":
                self.line += 1
            self.pos += 1

    def _skip(self, newlines: bool) -> None:
        while self.pos < len(self.text):
            char = self._peek()
            if char in " \t\r" or (newlines and char == "\n"):
                self._advance()
            elif char == "#":
                while self.pos < len(self.text) and self._peek() != "\n":
                    self._advance()
            else:
                return

    def _record(self, path: Path, line: int) -> None:
        for depth in range(1, len(path) + 1):
            self.lines.setdefault(path[:depth], line)

    def _document(self) -> None:
        table: Path = ()
        while True:
            self._skip(newlines=True)
            if self.pos >= len(self.text):
                return
            if self._peek() == "[":
                double = self._peek(1) == "["
                self._advance(2 if double else 1)
                line = self.line
                table = self._key()
                self._advance(2 if double else 1)
                self._record(table, line)
            else:
                line = self.line
                path = table + self._key()
                self._record(path, line)
                self._advance()  # '='
                self._value(path)

    def _key(self) -> Path:
        parts: list[str] = []
        while True:
            self._skip(newlines=False)
            char = self._peek()
            if char in "\"'":
                parts.append(self._string())
            else:
                start = self.pos
                while self._peek() and (self._peek().isalnum() or self._peek() in "_-"):
                    self._advance()
                if self.pos == start:
                    raise ValueError("no key")
                parts.append(self.text[start : self.pos])
            self._skip(newlines=False)
            if self._peek() != ".":
                return tuple(parts)
            self._advance()

    def _string(self) -> str:
        quote = self._peek()
        if self.text.startswith(quote * 3, self.pos):
            self._advance(3)
            end = self.text.index(quote * 3, self.pos)
            while self.pos < end:
                self._advance()
            self._advance(3)
            while self._peek() == quote:  # up to two quotes may close the string
                self._advance()
            return ""
        self._advance()
        chars: list[str] = []
        while self._peek() != quote:
            if self._peek() == "\\" and quote == '"':
                self._advance()
            chars.append(self._peek())
            self._advance()
        self._advance()
        return "".join(chars)

    def _value(self, path: Path) -> None:
        self._skip(newlines=False)
        char = self._peek()
        if char in "\"'":
            self._string()
        elif char == "[":
            self._advance()
            while True:
                self._skip(newlines=True)
                if self._peek() == "]":
                    self._advance()
                    return
                self._value(path)
                self._skip(newlines=True)
                if self._peek() == ",":
                    self._advance()
        elif char == "{":
            self._advance()
            while True:
                self._skip(newlines=False)
                if self._peek() == "}":
                    self._advance()
                    return
                line = self.line
                inner = path + self._key()
                self._record(inner, line)
                self._advance()  # '='
                self._value(inner)
                self._skip(newlines=False)
                if self._peek() == ",":
                    self._advance()
        else:
            while self._peek() and self._peek() not in ",]}#\n":
                self._advance()


class Context:
    """The file being read: its name, and where each of its keys is written."""

    def __init__(self, source: str, text: str, *, check_text: bool = True) -> None:
        self.source = source
        self.text = text
        self.amount_limit: int | None = None  # once read: no amount of the season may be larger
        self.check_text = check_text
        """Refuse control characters and invisible characters in names and labels (a file being loaded);
        a season already stored is read as it was accepted then."""

    @cached_property
    def lines(self) -> dict[Path, int]:
        """Scanned only when an error names a line: the scan reads the file character by character, which
        took most of the time of reading a good season."""
        return _Scanner(self.text).run()

    def line_of(self, path: Path) -> int | None:
        """The line of the key, or of its nearest written parent (a missing key's table)."""
        for depth in range(len(path), 0, -1):
            if path[:depth] in self.lines:
                return self.lines[path[:depth]]
        return None

    def error(self, path: Path, reason: str) -> SeasonError:
        return SeasonError(self.source, ".".join(path) or None, self.line_of(path), reason)


# --------------------------------------------------------------------------- typed getters


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, (date, time)):
        return value.isoformat()
    return repr(value)


class Table:
    """One TOML table being read, with its dotted path for error messages."""

    def __init__(self, data: dict[str, Any], path: Path, ctx: Context) -> None:
        self.data = data
        self.path = path
        self.ctx = ctx

    def error(self, key: str | Iterable[str], reason: str) -> SeasonError:
        extra = (key,) if isinstance(key, str) else tuple(key)
        return self.ctx.error(self.path + extra, reason)

    def keys(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        """Refuse unknown keys first (a typo shows up as itself), then missing ones."""
        required = list(required)
        known = required + list(optional)
        for key in self.data:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
                raise self.error(key, "unknown key" + hint)
        for key in required:
            if key not in self.data:
                raise self.error(key, "is missing")

    def has(self, key: str) -> bool:
        return key in self.data

    def table(self, key: str) -> Table:
        value = self.data[key]
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, not {_describe(value)}")
        return Table(value, (*self.path, key), self.ctx)

    def text(self, key: str, *, max_length: int = 80) -> str:
        value = self.data[key]
        if not isinstance(value, str):
            raise self.error(key, f"must be text in quotes, not {_describe(value)}")
        if not value.strip():
            raise self.error(key, "must not be blank")
        if len(value) > max_length:
            raise self.error(key, f"must be at most {max_length} characters")
        self.check_name(key, value)
        return value

    def check_name(self, key: str, value: str, item: str = "") -> None:
        """A name or label shown to people: one line of visible characters (docs/security.md)."""
        if self.ctx.check_text and (problem := text_problem(value, name=True)):
            raise self.error(key, item + problem)

    def choice(self, key: str, allowed: Iterable[str]) -> str:
        allowed = tuple(allowed)
        value = self.text(key)
        if value not in allowed:
            raise self.error(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def count(self, key: str, *, minimum: int = 0, maximum: int | None = None) -> int:
        return check_count(self.data[key], lambda reason: self.error(key, reason), minimum, maximum)

    def amount(self, key: str, *, minimum: int | None = 0, maximum: int | None = None) -> int:
        """An amount in cents, at most `maximum` (by default the season's amount_limit, once it is read)."""
        cents = check_amount(self.data[key], lambda reason: self.error(key, reason), minimum)
        self._within_limit(key, cents, maximum)
        return cents

    def _within_limit(self, key: str, cents: int, maximum: int | None = None) -> None:
        """Season amounts stay within bounds that keep every sum in 64-bit integers (core.money)."""
        if maximum is not None:
            if cents > maximum:
                raise self.error(key, f"must be at most {format_amount(maximum, sign='')} (so that every sum "
                                      "of the camp's money fits the ledger's 64-bit integers)")
        elif self.ctx.amount_limit is not None and abs(cents) > self.ctx.amount_limit:
            raise self.error(key, f"{format_amount(cents, sign='')} is more than the season's amount_limit "
                                  f"({format_amount(self.ctx.amount_limit, sign='')})")

    def amounts(self, key: str, *, length: int) -> tuple[int, ...]:
        value = self.data[key]
        if not isinstance(value, list):
            raise self.error(key, f"must be a list of {length} amounts, not {_describe(value)}")
        if len(value) != length:
            raise self.error(key, f"must list exactly {length} amounts, not {len(value)}")
        amounts = tuple(
            check_amount(item, lambda reason, n=n: self.error(key, f"item {n}: {reason}"), 0)
            for n, item in enumerate(value, start=1)
        )
        for amount in amounts:
            self._within_limit(key, amount)
        return amounts

    def day(self, key: str) -> date:
        value = self.data[key]
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                raise self.error(key, f"{value!r} is not a date such as 2018-08-06") from None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.error(key, f"must be a date such as 2018-08-06, not {_describe(value)}")
        return value

    def clock(self, key: str) -> time:
        value = self.data[key]
        if isinstance(value, time):
            return value
        match = _TIME.match(value.strip()) if isinstance(value, str) else None
        if not match:
            raise self.error(key, f'must be a time such as "08:15", not {_describe(value)}')
        hour, minute, second = (int(part or 0) for part in match.groups())
        if hour > 23 or minute > 59 or second > 59:
            raise self.error(key, f"{value!r} is not a time of day")
        return time(hour, minute, second)

    def name_key(self, key: str) -> str:
        """A key that names something (a block, a money type, a criterion): lower_case_words."""
        if not _NAME.match(key):
            raise self.error(key, "names must be lower-case letters, digits and '_', starting with a letter")
        return key


def check_count(value: object, fail, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"must be a whole number, not {_describe(value)}")
    if value < minimum:
        raise fail(f"must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise fail(f"must be at most {maximum}")
    return value


def check_amount(value: object, fail, minimum: int | None = 0) -> int:
    """An amount in @ (integer, or a string with up to 2 decimals) as integer cents."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        suffix = f" (write decimals in quotes: \"{value}\")" if isinstance(value, float) else ""
        raise fail(AMOUNT_HINT + suffix)
    try:
        cents = parse_amount(value, limit=None, minimum=None)
    except InputError as exc:
        raise fail(exc.message) from None
    if minimum is not None and cents < minimum:
        if minimum == 0:
            raise fail("must not be negative")
        raise fail(f"must be at least {format_amount(minimum, sign='')}")
    return cents

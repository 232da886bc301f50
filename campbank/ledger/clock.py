"""The one place the ledger reads the time, so tests and the demo can fix it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

_fixed: datetime | None = None


def now() -> datetime:
    """Aware UTC; the database stores it as UTC text."""
    return _fixed or datetime.now(UTC)


def fixed_moment() -> datetime | None:
    """The moment `fixed_at` set, if any (handed on to a process that reads for this one)."""
    return _fixed


@contextmanager
def fixed_at(moment: datetime) -> Iterator[None]:
    """Stamp everything written inside with `moment` (the demo writes a week of history this way)."""
    global _fixed
    previous, _fixed = _fixed, moment
    try:
        yield
    finally:
        _fixed = previous


def today() -> date:
    """The camp's calendar day: the office laptop's local date."""
    return _fixed.astimezone().date() if _fixed else date.today()

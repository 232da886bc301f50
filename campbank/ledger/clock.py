"""The one place the ledger reads the time, so tests and the demo can fix it."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """Aware UTC; the database stores it as UTC text."""
    return datetime.now(UTC)


def today() -> date:
    """The camp's calendar day: the office laptop's local date."""
    return date.today()

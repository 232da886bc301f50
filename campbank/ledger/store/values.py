"""Column values as Python types: SQLite hands dates and times back as text from a raw statement."""

from __future__ import annotations

from datetime import date, datetime


def as_date(value: object) -> date:
    """A `date` from a date, a datetime, or text that starts with YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def as_datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

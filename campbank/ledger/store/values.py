"""Column values as Python types: SQLite hands dates and times back as text from a raw statement."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache


def as_date(value: object) -> date:
    """A `date` from a date, a datetime, or text that starts with YYYY-MM-DD."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@lru_cache(maxsize=4096)
def day_of(value: object) -> date:
    """`as_date`, remembered: a big read's rows name the season's few days over and over."""
    return as_date(value)


def as_datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

"""Every time on screen, in the camp's local time (the ledger stores UTC).

A stored time without a zone is UTC (that is how the ledger writes them); it is shown in the zone of the
machine the UI runs on, which is the camp's. One helper, so no screen shows UTC by accident.
"""

from __future__ import annotations

from datetime import UTC, datetime

SHORT = "%m-%d %H:%M"
SHORT_SECONDS = "%m-%d %H:%M:%S"
LONG = "%Y-%m-%d %H:%M"
SECONDS = "%Y-%m-%d %H:%M:%S"


def local(at: datetime) -> datetime:
    """`at` in the local zone (a time without a zone is taken as UTC)."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone()


def when(at: datetime | None, form: str = SHORT) -> str:
    """`at` as local time in `form` (SHORT, SHORT_SECONDS, LONG or SECONDS); "" for no time."""
    return "" if at is None else local(at).strftime(form)

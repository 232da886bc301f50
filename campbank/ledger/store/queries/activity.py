"""Who was an active student on a given date: added on or before it, and not deactivated before it.

An account keeps only whether it is active now; when it stopped (or started again) is in the audit log
(`user.deactivate`, `user.reactivate`), which nobody can change. A date is the camp's calendar day (the
office laptop's local date), as everywhere else (docs/season.md#who-pays-the-tax).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store.queries.students import StudentRow
from campbank.ledger.store.values import as_datetime

_STUDENTS = text(
    "SELECT id, username, last_name, first_name, middle_name, squad, grade, created_at, active "
    "FROM account WHERE role = 'student' ORDER BY id"
)
_CHANGES = text(
    "SELECT target, action, at FROM audit_log WHERE action IN ('user.deactivate', 'user.reactivate') ORDER BY id"
)


def local_day(moment: datetime) -> date:
    """The camp's calendar day of a stored moment (UTC text in the database)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone().date()


def active_on(added: date, changes: list[tuple[date, bool]], day: date) -> bool:
    """Active at some moment of `day`: added by then, and not deactivated for the whole of it."""
    if added > day:
        return False
    active = True
    for when, now_active in changes:
        if when > day:
            break
        if when == day and active:
            return True  # active when the day began, whatever happened later that day
        active = now_active
    return active


def students_active_on(session: Session, day: date) -> list[StudentRow]:
    """Every student who was active on `day`, in id order."""
    changes: dict[str, list[tuple[date, bool]]] = {}
    for target, action, at in session.connection().execute(_CHANGES):
        changes.setdefault(str(target).removeprefix("user:"), []).append(
            (local_day(as_datetime(at)), action == "user.reactivate"))
    # Most students were never deactivated: they are active if added before `day` ended, which compares
    # their stored moment with one moment, not each with the local calendar.
    day_ends = _utc_moment(datetime.combine(day + timedelta(days=1), time.min))
    return [
        StudentRow(id_, username, last, first, middle, squad, grade, bool(active))
        for id_, username, last, first, middle, squad, grade, created, active in session.connection().execute(_STUDENTS)
        if (_naive_utc(as_datetime(created)) < day_ends if username not in changes
            else active_on(local_day(as_datetime(created)), changes[username], day))
    ]


def _utc_moment(local: datetime) -> datetime:
    """A naive local time as the naive UTC moment it is (how moments are stored)."""
    return local.astimezone(UTC).replace(tzinfo=None)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment

"""The sums a policy dry-run starts from: what the season in force has charged each student so far (its tax and
study fines), what they were granted, and their counters as of a day. Counted entries only."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store.values import as_date, as_datetime

_STUDENTS = text(
    """
    SELECT id, username, last_name, first_name, middle_name, squad, grade, balance, created_at FROM account
     WHERE role = 'student' AND active = 1 AND username != 'bank'
    """
)

# per student: tax and study fines charged on days up to :through (as positive numbers); initial grants, ever
_CHARGED = text(
    """
    SELECT m.receiver_id,
           -SUM(CASE WHEN t.type = 'tax' AND t.day <= :through THEN m.amount ELSE 0 END),
           -SUM(CASE WHEN t.type = 'study_fine' AND t.day <= :through THEN m.amount ELSE 0 END),
           SUM(CASE WHEN m.money_type = 'initial' THEN m.amount ELSE 0 END)
      FROM money_entry m JOIN txn t ON t.id = m.transaction_id
     WHERE t.state = 'processed' AND (t.type IN ('tax', 'study_fine') OR m.money_type = 'initial')
     GROUP BY m.receiver_id
    """
)

_COUNTERS = text(
    """
    SELECT c.receiver_id, c.counter_type, SUM(c.value)
      FROM counter_entry c JOIN txn t ON t.id = c.transaction_id
     WHERE t.state = 'processed' AND c.day <= :day
     GROUP BY c.receiver_id, c.counter_type
    """
)

_LAST_TAXED = text("SELECT MAX(day) FROM txn WHERE type = 'tax' AND state = 'processed'")


class Student(NamedTuple):
    id: int
    username: str
    last_name: str
    first_name: str
    middle_name: str
    squad: str | None
    grade: int | None
    balance: int
    added: datetime


class Charged(NamedTuple):
    tax: int
    study_fines: int
    grants: int


def active_students(session: Session) -> list[Student]:
    return [Student(id_, username, last or "", first or "", middle or "", squad, grade, int(balance),
                    as_datetime(added))
            for id_, username, last, first, middle, squad, grade, balance, added in session.execute(_STUDENTS)]


def charged_through(session: Session, through: date) -> dict[int, Charged]:
    """Per account id: the tax and study fines counted on transactions dated up to `through`; its grants."""
    return {int(row[0]): Charged(int(row[1] or 0), int(row[2] or 0), int(row[3] or 0))
            for row in session.execute(_CHARGED, {"through": through.isoformat()})}


def counters_on(session: Session, day: date) -> dict[int, dict[str, int]]:
    """Per account id: each counter's total from counted entries dated up to `day`."""
    totals: dict[int, dict[str, int]] = {}
    for account_id, counter_type, value in session.execute(_COUNTERS, {"day": day.isoformat()}):
        totals.setdefault(int(account_id), {})[counter_type] = int(value)
    return totals


def last_taxed_day(session: Session) -> date | None:
    value = session.execute(_LAST_TAXED).scalar_one()
    return None if value is None else as_date(value)

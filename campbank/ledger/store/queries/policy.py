"""The sums a policy dry-run starts from: what the season in force has charged each student so far (its tax and
study fines), what they were granted, their counters as of a day, and their savings pockets' money day by day.
Counted entries only."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store.values import as_date, as_datetime

_STUDENTS = text(
    """
    SELECT s.id, s.username, s.last_name, s.first_name, s.middle_name, s.squad, s.grade,
           s.balance + COALESCE((SELECT SUM(a.balance) FROM pocket p JOIN account a ON a.id = p.account_id
                                  WHERE p.owner_id = s.id), 0),
           s.created_at
      FROM account s
     WHERE s.role = 'student' AND s.active = 1 AND s.username != 'bank'
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

# per savings pocket and date: the interest it was paid and every other move of money (the journal's money rows:
# a cancelled transaction's reversal cancels it on its own date)
_SAVINGS_DAYS = text(
    """
    SELECT p.owner_id, p.account_id, t.day,
           SUM(CASE WHEN t.type = 'interest' THEN j.amount ELSE 0 END),
           SUM(CASE WHEN t.type != 'interest' THEN j.amount ELSE 0 END)
      FROM journal j JOIN txn t ON t.id = j.transaction_id JOIN pocket p ON p.account_id = j.account_id
     WHERE p.kind = 'savings' AND j.counter_type IS NULL
     GROUP BY p.owner_id, p.account_id, t.day
    """
)

# The state inside the MAX: in the WHERE, SQLite would take the state's index over the type's (52 ms, not 1).
_LAST_TAXED = text("SELECT MAX(CASE WHEN state = 'processed' THEN day END) FROM txn WHERE type = 'tax'")


class Student(NamedTuple):
    id: int
    username: str
    last_name: str
    first_name: str
    middle_name: str
    squad: str | None
    grade: int | None
    balance: int  # their own account and their pockets
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


class SavingsDay(NamedTuple):
    day: date
    interest: int  # paid that day
    other: int  # every other move of money that day (in and out)


def savings_days(session: Session) -> dict[int, dict[int, list[SavingsDay]]]:
    """Per student id, per savings pocket (account id): its days with money moved, in date order."""
    found: dict[int, dict[int, list[SavingsDay]]] = {}
    for owner, pocket, day, interest, other in session.execute(_SAVINGS_DAYS):
        found.setdefault(int(owner), {}).setdefault(int(pocket), []).append(
            SavingsDay(as_date(day), int(interest or 0), int(other or 0)))
    for pockets in found.values():
        for days in pockets.values():
            days.sort()
    return found


def last_taxed_day(session: Session) -> date | None:
    value = session.execute(_LAST_TAXED).scalar_one()
    return None if value is None else as_date(value)

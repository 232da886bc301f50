"""The economy's sums in SQL: how each student's balance moved on each day, from the journal.

A journal row counts on the day it was written (UTC), so a cancellation moves the balance on the day it
happened, as in the money supply of the market statistics.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store.values import as_date, as_datetime

_STUDENTS = text(
    """
    SELECT id, username, squad, created_at FROM account
     WHERE role = 'student' AND active = 1 AND username != 'bank'
    """
)

# Read from the index ix_journal_money_day alone, already in (account, day) order: no sort, no table rows.
_DAILY_MOVES = text(
    """
    SELECT j.account_id, substr(j.created_at, 1, 10), SUM(j.amount)
      FROM journal j
     WHERE j.counter_type IS NULL
       AND j.account_id IN (SELECT id FROM account WHERE role = 'student' AND active = 1)
     GROUP BY j.account_id, substr(j.created_at, 1, 10)
    """
)


class Student(NamedTuple):
    id: int
    username: str
    squad: str | None
    added: datetime


class Move(NamedTuple):
    """What one student's balance changed by on one day."""

    account_id: int
    day: date
    amount: int


def active_students(session: Session) -> list[Student]:
    return [Student(row[0], row[1], row[2], as_datetime(row[3])) for row in session.execute(_STUDENTS)]


def daily_moves(session: Session) -> Iterator[Move]:
    for account_id, day, amount in session.execute(_DAILY_MOVES):
        yield Move(int(account_id), as_date(day), int(amount))

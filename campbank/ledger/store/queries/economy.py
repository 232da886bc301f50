"""The economy's sums in SQL: how each student's money moved on each day, from the journal.

A student's money is their own account (the main pocket) and the accounts of their pockets
(docs/savings.md#pockets), as in the market statistics. A journal row counts on the day it was written
(UTC), so a cancellation moves the balance on the day it happened, as in their money supply.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store.dialects import raw_cursor
from campbank.ledger.store.values import as_datetime, day_of

_STUDENTS = text(
    """
    SELECT id, username, squad, created_at FROM account
     WHERE role = 'student' AND active = 1 AND username != 'bank'
    """
)

# The pockets of the active students, with their owners.
_POCKET_OWNERS = text(
    "SELECT p.account_id, p.owner_id FROM pocket p JOIN account o ON o.id = p.owner_id WHERE o.active = 1"
)

# Read from the index ix_journal_money_day alone, already in (account, day) order: no sort, no table rows.
# A pocket's rows come under its own account; `pocket_owners` says whose money they are.
_DAILY_MOVES = text(
    """
    SELECT j.account_id, substr(j.created_at, 1, 10), SUM(j.amount)
      FROM journal j
     WHERE j.counter_type IS NULL
       AND j.account_id IN (SELECT id FROM account WHERE role = 'student' AND active = 1
                            UNION ALL
                            SELECT p.account_id FROM pocket p JOIN account o ON o.id = p.owner_id
                             WHERE o.active = 1)
     GROUP BY j.account_id, substr(j.created_at, 1, 10)
    """
)


class Student(NamedTuple):
    id: int
    username: str
    squad: str | None
    added: datetime


class Move(NamedTuple):
    """What one account's balance (a student's own, or one of their pockets') changed by on one day."""

    account_id: int
    day: date
    amount: int


def active_students(session: Session) -> list[Student]:
    return [Student(row[0], row[1], row[2], as_datetime(row[3])) for row in session.execute(_STUDENTS)]


def pocket_owners(session: Session) -> dict[int, int]:
    """The owner's account id of every pocket of an active student, by the pocket's account id."""
    return {int(pocket): int(owner) for pocket, owner in session.execute(_POCKET_OWNERS)}


def daily_moves(session: Session) -> Iterator[Move]:
    """Read as plain tuples through the session's own connection: a big camp has 150,000 of them."""
    cursor = raw_cursor(session)
    try:
        for account_id, day, amount in cursor.execute(_DAILY_MOVES.text):
            yield Move(int(account_id), day_of(day), int(amount))
    finally:
        cursor.close()

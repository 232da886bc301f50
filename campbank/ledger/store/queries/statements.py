"""What statements read: the students chosen, everyone's name, each student's journal rows with their
transaction and entry, and the camp's statement key. Rows come account by account, in journal order, through
the journal's account index (no sort), a few hundred accounts per statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store.schema import STATEMENT_KEY
from campbank.ledger.store.values import as_date

CHUNK = 400  # accounts per query

_STUDENTS = text(
    """
    SELECT id, username, last_name, first_name, middle_name, squad, grade FROM account
     WHERE role = 'student' AND username != 'bank'
    """
)
_NAMES = text("SELECT id, username, last_name, first_name, middle_name FROM account")
# Read through the DB-API cursor of the session's own connection (the same read transaction): a camp's
# statements read a million rows, and the plain tuples cost a third of SQLAlchemy's rows.
_ROWS = """
    SELECT j.account_id, j.id, j.transaction_id, j.amount, j.counter_type, j.reverses,
           t.day, t.type, t.creator_id, t.state, t.description,
           m.receiver_id, m.money_type, m.description, m.amount
      FROM journal j
      JOIN txn t ON t.id = j.transaction_id
      LEFT JOIN money_entry m ON m.id = j.money_entry_id
     WHERE j.account_id IN ({marks})
     ORDER BY j.account_id, j.id
"""
_KEY = text("SELECT value FROM meta WHERE key = :key")


class StudentRow(NamedTuple):
    id: int
    username: str
    last_name: str
    first_name: str
    middle_name: str
    squad: str | None
    grade: int | None


class JournalLine(NamedTuple):
    """One journal row of an account with what a statement shows of its transaction and entry."""

    id: int
    transaction_id: int
    amount: int
    counter_type: str | None  # None: money
    reverses: bool
    day: date  # the transaction's day
    type: str
    creator_id: int
    state: str
    description: str
    receiver_id: int | None  # the money entry's, for money rows
    money_type: str | None
    entry_description: str | None
    entry_amount: int | None


def students(session: Session) -> list[StudentRow]:
    """Every student (active or not), as stored."""
    return [StudentRow(row[0], row[1], row[2] or "", row[3] or "", row[4] or "", row[5], row[6])
            for row in session.execute(_STUDENTS)]


def names(session: Session) -> dict[int, tuple[str, str, str, str]]:
    """(username, last, first, middle) by account id, for the other party of each line."""
    return {row[0]: (row[1], row[2] or "", row[3] or "", row[4] or "") for row in session.execute(_NAMES)}


def journal_by_account(session: Session, account_ids: Sequence[int]) -> Iterator[tuple[int, list[JournalLine]]]:
    """(account id, its journal rows in order) for each of the accounts, in the order given; accounts without
    rows too."""
    days: dict[object, date] = {}
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    for start in range(0, len(account_ids), CHUNK):
        chunk = [int(account_id) for account_id in account_ids[start:start + CHUNK]]
        found: dict[int, list[JournalLine]] = {account_id: [] for account_id in chunk}  # in the caller's order
        for row in cursor.execute(_ROWS.format(marks=",".join("?" * len(chunk))), sorted(chunk)):
            day = days.get(row[6])
            if day is None:
                day = days[row[6]] = as_date(row[6])
            found[row[0]].append(JournalLine(row[1], row[2], row[3], row[4], bool(row[5]), day, row[7], row[8],
                                             row[9], row[10] or "", row[11], row[12], row[13], row[14]))
        yield from found.items()


def statement_key(session: Session) -> bytes:
    value = session.execute(_KEY, {"key": STATEMENT_KEY}).scalar_one_or_none()
    if value is None:
        raise LookupError("the camp has no statement key")
    return bytes.fromhex(str(value))

"""What statements read: the students chosen, everyone's name, each student's journal rows with their
transaction and entry, their pockets and loans, and the camp's statement key. Rows come account by account,
in journal order, through the journal's account index (no sort), a few hundred accounts per statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store import dialects
from campbank.ledger.store.dialects import raw_cursor
from campbank.ledger.store.queries.students import StudentRow
from campbank.ledger.store.schema import STATEMENT_KEY
from campbank.ledger.store.values import as_date, as_datetime, day_of

CHUNK = 400  # accounts per query
PAGE_CACHE_KIB = 32_768  # 32 MiB: most of what 64 MiB saves, within the statements' memory budget

_STUDENTS = text(
    """
    SELECT id, username, last_name, first_name, middle_name, squad, grade, active FROM account
     WHERE role = 'student' AND username != 'bank'
    """
)
# The pockets of some students (open or closed), savings first, then goals in the order they were opened.
_POCKETS = """
    SELECT p.owner_id, p.account_id, p.kind, p.name, p.target, p.opened_at, p.closed_at
      FROM pocket p
     WHERE p.owner_id IN ({marks})
     ORDER BY p.owner_id, CASE p.kind WHEN 'savings' THEN 0 ELSE 1 END, p.id
"""
# Their loans granted by a day (a cancelled loan, or one whose grant is not counted, never lent anything),
# and what was paid on each by then.
# CROSS JOIN: from the borrowers' loans to their grants; SQLite would start at the state's index (every
# processed transaction: 41 ms a chunk on a big camp, not 0.1). On PostgreSQL it is an ordinary join.
_LOANS = """
    SELECT l.id, l.borrower_id, l.day, l.principal, l.total_due, l.instalments, l.state, l.closed_at
      FROM loan l CROSS JOIN txn g
     WHERE g.id = l.transaction_id AND g.state = 'processed'
       AND l.borrower_id IN ({marks}) AND l.state != 'cancelled' AND l.day <= ?
     ORDER BY l.id
"""
_LOAN_PAYMENTS = """
    SELECT lp.loan_id, lp.instalment, ABS(me.amount)
      FROM loan_payment lp
      JOIN money_entry me ON me.id = lp.money_entry_id
      JOIN txn t ON t.id = me.transaction_id
     WHERE lp.loan_id IN ({marks}) AND t.state = 'processed' AND t.day <= ?
"""
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


class PocketRow(NamedTuple):
    owner_id: int
    account_id: int
    kind: str  # savings | goal
    name: str
    target: int | None
    opened_at: datetime
    closed_at: datetime | None


class LoanPayment(NamedTuple):
    instalment: int | None  # None: an early repayment
    amount: int  # what it paid (positive)


class LoanRow(NamedTuple):
    id: int
    borrower_id: int
    day: date
    principal: int
    total_due: int
    instalments: int
    state: str  # open | written_off (a cancelled loan is never read)
    closed_at: datetime | None
    payments: tuple[LoanPayment, ...]  # counted, dated on or before the day asked for


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
    return [StudentRow(row[0], row[1], row[2] or "", row[3] or "", row[4] or "", row[5], row[6], bool(row[7]))
            for row in session.execute(_STUDENTS)]


def pockets_of(session: Session, owner_ids: Sequence[int]) -> dict[int, list[PocketRow]]:
    """Each student's pockets (open or closed), savings first; students without pockets are left out."""
    found: dict[int, list[PocketRow]] = {}
    cursor = raw_cursor(session)
    for chunk in _chunks(owner_ids):
        for row in cursor.execute(_POCKETS.format(marks=",".join("?" * len(chunk))), chunk):
            found.setdefault(row[0], []).append(PocketRow(
                row[0], row[1], row[2], row[3], row[4], as_datetime(row[5]),
                as_datetime(row[6]) if row[6] is not None else None))
    return found


def loans_of(session: Session, borrower_ids: Sequence[int], last_day: date) -> dict[int, list[LoanRow]]:
    """Each student's loans granted on or before `last_day` and not cancelled, oldest first, with the counted
    payments dated on or before it; students without such loans are left out."""
    cursor = raw_cursor(session)
    loans: list[tuple] = []
    for chunk in _chunks(borrower_ids):
        loans += cursor.execute(_LOANS.format(marks=",".join("?" * len(chunk))), [*chunk, last_day.isoformat()])
    payments: dict[int, list[LoanPayment]] = {}
    for chunk in _chunks([row[0] for row in loans]):
        for loan_id, instalment, amount in cursor.execute(_LOAN_PAYMENTS.format(marks=",".join("?" * len(chunk))),
                                                          [*chunk, last_day.isoformat()]):
            payments.setdefault(loan_id, []).append(LoanPayment(instalment, int(amount)))
    found: dict[int, list[LoanRow]] = {}
    for loan_id, borrower_id, day, principal, total_due, instalments, state, closed_at in loans:
        found.setdefault(borrower_id, []).append(LoanRow(
            loan_id, borrower_id, as_date(day), principal, total_due, instalments, state,
            as_datetime(closed_at) if closed_at is not None else None, tuple(payments.get(loan_id, ()))))
    return found


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield [int(account_id) for account_id in ids[start:start + CHUNK]]


def names(session: Session) -> dict[int, tuple[str, str, str, str]]:
    """(username, last, first, middle) by account id, for the other party of each line."""
    return {row[0]: (row[1], row[2] or "", row[3] or "", row[4] or "") for row in session.execute(_NAMES)}


def journal_by_account(session: Session, account_ids: Sequence[int]) -> Iterator[tuple[int, list[JournalLine]]]:
    """(account id, its journal rows in order) for each of the accounts, in the order given; accounts without
    rows too."""
    cursor = raw_cursor(session)
    for start in range(0, len(account_ids), CHUNK):
        chunk = [int(account_id) for account_id in account_ids[start:start + CHUNK]]
        found: dict[int, list[JournalLine]] = {account_id: [] for account_id in chunk}  # in the caller's order
        for row in cursor.execute(_ROWS.format(marks=",".join("?" * len(chunk))), sorted(chunk)):
            found[row[0]].append(JournalLine(row[1], row[2], row[3], row[4], bool(row[5]), day_of(row[6]), row[7],
                                             row[8], row[9], row[10] or "", row[11], row[12], row[13], row[14]))
        yield from found.items()


@contextmanager
def page_cache(session: Session, kib: int = PAGE_CACHE_KIB) -> Iterator[None]:
    """A larger SQLite page cache on the session's connection while statements are read, the usual one after:
    the students of a chunk share most of their transactions, read from the cache instead of the file. A
    PostgreSQL server keeps its own shared buffers: nothing to change there."""
    if dialects.of(session).name != "sqlite":
        yield
        return
    cursor = raw_cursor(session)
    (before,) = cursor.execute("PRAGMA cache_size").fetchone()
    cursor.execute(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size={int(before)}")


def statement_key(session: Session) -> bytes:
    value = session.execute(_KEY, {"key": STATEMENT_KEY}).scalar_one_or_none()
    if value is None:
        raise LookupError("the camp has no statement key")
    return bytes.fromhex(str(value))

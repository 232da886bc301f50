"""The table of all transactions (managers): paged, sorted and filtered, and streamed for exports.

Neither the page nor the stream ever loads every transaction: a page reads one page of ids, then the
details, amounts and recipients of just those ids (store/queries/transactions.py); the stream walks the
ids in chunks, each chunk in its own short read transaction, so a long export never holds the database
against the office and the scheduler.

`amount` is the sum of the transaction's money entries (what its receivers got; negative for fines,
purchases and tax); `recipients` counts the distinct people named by its money or counter entries. Both
are kept on the transaction when it is written, so the table sorts by them through an index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from campbank.core.errors import InputError
from campbank.ledger.people import join_name
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import transactions as queries
from campbank.ledger.store.queries.transactions import SORTS, TransactionFilter, TransactionRow
from campbank.ledger.views.summaries import authorise

__all__ = ["SORTS", "TransactionFilter", "TransactionLine", "TransactionPage",
           "iter_transactions", "transactions_page"]

NAMES_SHOWN = 3  # recipients named in full; more are counted
CHUNK = 2000


@dataclass(frozen=True)
class TransactionLine:
    id: int
    created_at: datetime  # UTC
    day: date
    creator: str  # username
    creator_name: str
    type: str
    state: str
    amount: int  # cents: the sum of its money entries
    recipients: int
    recipient_names: tuple[str, ...]  # full names, only when there are at most NAMES_SHOWN recipients
    description: str
    update_of: int | None

    @property
    def recipients_text(self) -> str:
        if self.recipient_names:
            return "; ".join(self.recipient_names)
        return f"{self.recipients} people" if self.recipients else ""


@dataclass(frozen=True)
class TransactionPage:
    lines: tuple[TransactionLine, ...]
    total: int | None  # how many transactions match the filter (None: not counted, see `transactions_page`)
    offset: int
    limit: int


def transactions_page(
    db: Database,
    viewer: Actor,
    *,
    where: TransactionFilter | None = None,
    sort: str = "id",
    descending: bool = True,
    offset: int = 0,
    limit: int = 50,
    counted: bool = True,
) -> TransactionPage:
    """One page of the table of all transactions (managers), newest first by default. `counted=False`
    leaves out how many match (a scan of every description under a text filter), for a table turning the
    pages of a count it already has."""
    where = where or TransactionFilter()
    with db.session() as session:
        authorise(session, viewer, Action.VIEW_STAFF)
        if sort not in SORTS:
            raise InputError(f"{sort!r} is not one of: {', '.join(SORTS)}", field="sort")
        if offset < 0 or not 1 <= limit <= 10_000:
            raise InputError("offset must be >= 0 and limit between 1 and 10000", field="page")
        total = queries.count_matching(session, where) if counted else None
        ids = queries.page_of_ids(session, where, sort=sort, descending=descending, offset=offset, limit=limit)
        people = _people(queries.names_for(session, ids, named=NAMES_SHOWN))
        lines = {line.id: line for line in _lines(session, ids, people)}
    return TransactionPage(tuple(lines[i] for i in ids), total, offset, limit)


def iter_transactions(
    db: Database,
    viewer: Actor,
    *,
    upto_id: int | None = None,
    chunk: int = CHUNK,
    on_chunk: Callable[[int], None] | None = None,
) -> Iterator[TransactionLine]:
    """Every transaction (up to `upto_id`), oldest first, read chunk by chunk (managers).

    The permission is checked now, not at the first `next()`. `on_chunk(n)` is told how many lines each
    chunk held, for a progress bar.
    """
    with db.session() as session:
        authorise(session, viewer, Action.VIEW_STAFF)
        if upto_id is None:
            upto_id = queries.newest_id(session)
    return _stream(db, upto_id, chunk, on_chunk)


def _stream(db: Database, upto_id: int, chunk: int, on_chunk: Callable[[int], None] | None
            ) -> Iterator[TransactionLine]:
    with db.session() as session:
        people = _people(queries.all_names(session))
    after = 0
    while after < upto_id:
        with db.session() as session:
            ids = queries.ids_after(session, after, upto_id, chunk)
            if not ids:
                return
            lines = _lines(session, ids, people, between=(ids[0], ids[-1]))
        yield from lines
        if on_chunk:
            on_chunk(len(lines))
        after = ids[-1]


def _people(names: dict[int, tuple[str, ...]]) -> dict[int, tuple[str, str]]:
    """(username, full name) by account id."""
    return {id_: (row[0], join_name(*(part or "" for part in row[1:]))) for id_, row in names.items()}


def _lines(session: Session, ids: Sequence[int], people: dict[int, tuple[str, str]],
           between: tuple[int, int] | None = None) -> list[TransactionLine]:
    """The lines of the given ids, in id order."""
    return [_line(row, people) for row in queries.rows_of(session, ids, named=NAMES_SHOWN, between=between)]


def _line(row: TransactionRow, people: dict[int, tuple[str, str]]) -> TransactionLine:
    shown = tuple(sorted((people.get(r, ("?", "?"))[1] for r in row.recipient_ids), key=str.casefold))
    creator = people.get(row.creator_id, ("?", "?"))
    return TransactionLine(
        id=row.id, created_at=row.created_at, day=row.day, creator=creator[0], creator_name=creator[1],
        type=row.type, state=row.state, amount=row.amount, recipients=row.recipients, recipient_names=shown,
        description=row.description, update_of=row.update_of,
    )

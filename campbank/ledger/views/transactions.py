"""The table of all transactions (managers): paged, sorted and filtered in SQL, and streamed for exports.

Neither the page nor the stream ever loads every transaction: a page asks SQLite for one page of ids
(LIMIT/OFFSET over the filtered, sorted table), then the details, amounts and recipients of just those
ids; the stream walks the ids in chunks, each chunk in its own short read transaction, so a long
export never holds the database against the office and the scheduler.

`amount` is the sum of the transaction's money entries (what its receivers got; negative for fines,
purchases and tax); `recipients` counts the distinct people named by its money or counter entries. Both
are kept on the transaction when it is written, so the table sorts by them through an index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, text
from sqlmodel import Session

from campbank.core.errors import InputError
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.store.database import Database
from campbank.ledger.views.summaries import authorise

NAMES_SHOWN = 3  # recipients named in full; more are counted
CHUNK = 2000

# sort key -> SQL expression (the only text that reaches the ORDER BY)
SORTS: dict[str, str] = {
    "id": "t.id",
    "created": "t.created_at",
    "day": "t.day",
    "creator": "c.username",
    "type": "t.type",
    "state": "t.state",
    "amount": "t.amount",
    "recipients": "t.recipients",
    "description": "t.description",
}


@dataclass(frozen=True)
class TransactionFilter:
    """Which transactions to list; every part is optional and they combine with AND."""

    types: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    creator: str | None = None  # username
    receiver: str | None = None  # username named by any of its entries
    day_from: date | None = None
    day_to: date | None = None
    text: str = ""  # in the description, ignoring case (see `_where`); "#12" or "12" also finds id 12


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
    total: int  # how many transactions match the filter
    offset: int
    limit: int


def transactions_page(
    session: Session,
    viewer: Actor,
    *,
    where: TransactionFilter | None = None,
    sort: str = "id",
    descending: bool = True,
    offset: int = 0,
    limit: int = 50,
) -> TransactionPage:
    """One page of the table of all transactions (managers), newest first by default."""
    authorise(session, viewer, Action.VIEW_STAFF)
    if sort not in SORTS:
        raise InputError(f"{sort!r} is not one of: {', '.join(SORTS)}", field="sort")
    if offset < 0 or not 1 <= limit <= 10_000:
        raise InputError("offset must be >= 0 and limit between 1 and 10000", field="page")
    where = where or TransactionFilter()
    clause, params = _where(session, where)
    direction = "DESC" if descending else "ASC"
    # the creators' accounts only when asked for: without them a count or a sort can read an index alone
    joined = "FROM txn t JOIN account c ON c.id = t.creator_id"
    counted = joined if where.creator else "FROM txn t"
    sorted_ = joined if where.creator or sort == "creator" else "FROM txn t"
    total = int(session.execute(_text(f"SELECT COUNT(*) {counted} WHERE {clause}", params), params).scalar_one())
    order = f"{SORTS[sort]} {direction}, t.id {direction}"
    ids = [row[0] for row in session.execute(
        _text(f"SELECT t.id {sorted_} WHERE {clause} ORDER BY {order} "
              "LIMIT :limit OFFSET :offset", params),
        {**params, "limit": limit, "offset": offset})]
    lines = {line.id: line for line in _lines(session, ids, _names_of(session, ids))}
    return TransactionPage(tuple(lines[i] for i in ids), total, offset, limit)


def count_transactions(session: Session, viewer: Actor) -> int:
    authorise(session, viewer, Action.VIEW_STAFF)
    return int(session.execute(text("SELECT COUNT(*) FROM txn")).scalar_one())


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
            upto_id = int(session.execute(text("SELECT COALESCE(MAX(id), 0) FROM txn")).scalar_one())
    return _stream(db, upto_id, chunk, on_chunk)


def _stream(db: Database, upto_id: int, chunk: int, on_chunk: Callable[[int], None] | None
            ) -> Iterator[TransactionLine]:
    with db.session() as session:
        names = _all_names(session)
    after = 0
    while after < upto_id:
        with db.session() as session:
            ids = [row[0] for row in session.execute(
                text("SELECT id FROM txn WHERE id > :after AND id <= :upto ORDER BY id LIMIT :n"),
                {"after": after, "upto": upto_id, "n": chunk})]
            if not ids:
                return
            lines = _lines(session, ids, names, between=(ids[0], ids[-1]))
        yield from lines
        if on_chunk:
            on_chunk(len(lines))
        after = ids[-1]


def _lines(session: Session, ids: Sequence[int], names: dict[int, tuple[str, str]],
           between: tuple[int, int] | None = None) -> list[TransactionLine]:
    """The lines of the given ids, in id order. `between` (first, last id) lets SQLite use a range."""
    if not ids:
        return []
    if between is None:
        pick, params = "IN :ids", {"ids": list(ids)}
    else:
        pick, params = "BETWEEN :first AND :last", {"first": between[0], "last": between[1]}
    rows = session.execute(_text(
        "SELECT t.id, t.created_at, t.day, t.creator_id, t.type, t.state, t.amount, t.recipients, t.description, "
        f"t.update_of FROM txn t WHERE t.id {pick} ORDER BY t.id", params), params).all()
    named = [row[0] for row in rows if 0 < row[7] <= NAMES_SHOWN]  # only these show their recipients' names
    receivers: dict[int, list[int]] = {}
    if named:
        for txn_id, receiver_id in session.execute(_text(
                "SELECT transaction_id, receiver_id FROM money_entry WHERE transaction_id IN :named "
                "UNION SELECT transaction_id, receiver_id FROM counter_entry WHERE transaction_id IN :named",
                {"named": named}), {"named": named}):
            receivers.setdefault(txn_id, []).append(receiver_id)
    lines = []
    for txn_id, created, day, creator_id, type_, state, amount, recipients, description, update_of in rows:
        shown = tuple(sorted((names.get(r, ("?", "?"))[1] for r in receivers.get(txn_id, ())), key=str.casefold))
        creator = names.get(creator_id, ("?", "?"))
        lines.append(TransactionLine(
            id=txn_id, created_at=_as_datetime(created), day=_as_date(day), creator=creator[0],
            creator_name=creator[1], type=type_, state=state, amount=amount, recipients=recipients,
            recipient_names=shown, description=description or "", update_of=update_of,
        ))
    return lines


def _where(session: Session, where: TransactionFilter) -> tuple[str, dict[str, object]]:
    parts, params = ["1 = 1"], {}  # type: tuple[list[str], dict[str, object]]
    if where.types:
        parts.append("t.type IN :types")
        params["types"] = list(where.types)
    if where.states:
        parts.append("t.state IN :states")
        params["states"] = list(where.states)
    if where.creator:
        parts.append("c.username = :creator")
        params["creator"] = where.creator
    if where.receiver:
        parts.append(
            "t.id IN (SELECT m.transaction_id FROM money_entry m JOIN account r ON r.id = m.receiver_id "
            "WHERE r.username = :receiver UNION SELECT e.transaction_id FROM counter_entry e "
            "JOIN account r ON r.id = e.receiver_id WHERE r.username = :receiver)")
        params["receiver"] = where.receiver
    if where.day_from:
        parts.append("t.day >= :day_from")
        params["day_from"] = where.day_from.isoformat()
    if where.day_to:
        parts.append("t.day <= :day_to")
        params["day_to"] = where.day_to.isoformat()
    needle = where.text.strip()
    if needle:
        # SQLite's LIKE ignores case for ASCII only: for other letters try the spellings a person means
        # (as typed, lower, upper, capitalised), so "семинар" also finds "Семинар".
        spellings = [needle] if needle.isascii() else list(
            dict.fromkeys((needle, needle.lower(), needle.upper(), needle.capitalize())))
        likes = []
        for i, spelling in enumerate(spellings):
            escaped = spelling.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            likes.append(f"t.description LIKE :pattern{i} ESCAPE '\\'")
            params[f"pattern{i}"] = f"%{escaped}%"
        match = "(" + " OR ".join(likes) + ")"
        if needle.lstrip("#").isdigit():
            match = f"({match} OR t.id = :text_id)"
            params["text_id"] = int(needle.lstrip("#"))
        parts.append(match)
    return " AND ".join(parts), params


def _text(sql: str, params: dict[str, object]):
    """A text query whose list parameters expand to IN (...)."""
    statement = text(sql)
    expanding = [bindparam(name, expanding=True) for name, value in params.items() if isinstance(value, list)]
    return statement.bindparams(*expanding) if expanding else statement


def _names_of(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(username, full name) of the creators of the given transactions, and of the recipients shown."""
    if not ids:
        return {}
    params = {"ids": list(ids)}
    rows = session.execute(_text(
        "SELECT id, username, last_name, first_name, middle_name FROM account WHERE id IN ("
        "SELECT creator_id FROM txn WHERE id IN :ids "
        "UNION SELECT receiver_id FROM money_entry WHERE transaction_id IN (SELECT id FROM txn WHERE id IN :ids "
        f"AND recipients <= {NAMES_SHOWN}) "
        "UNION SELECT receiver_id FROM counter_entry WHERE transaction_id IN (SELECT id FROM txn WHERE id IN :ids "
        f"AND recipients <= {NAMES_SHOWN}))", params), params)
    return {row[0]: (row[1], _full(row[2:])) for row in rows}


def _all_names(session: Session) -> dict[int, tuple[str, str]]:
    rows = session.execute(text("SELECT id, username, last_name, first_name, middle_name FROM account"))
    return {row[0]: (row[1], _full(row[2:])) for row in rows}


def _full(parts: Sequence[str | None]) -> str:
    return " ".join(p for p in parts if p)


def _as_datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])

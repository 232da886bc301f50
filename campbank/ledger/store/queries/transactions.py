"""The table of all transactions in SQL: a filtered, sorted page of ids; the rows of given ids; names.

A page asks for one page of ids (LIMIT/OFFSET over the filtered, sorted table), then the rows, amounts
and recipients of just those ids, so no call ever reads every transaction. `txn.amount` and
`txn.recipients` are kept on each transaction when it is written, so sorting by them reads an index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, TextClause, bindparam, text
from sqlmodel import Session

from campbank.ledger.store.dialects import raw_cursor
from campbank.ledger.store.values import as_datetime, day_of

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


class TransactionRow(NamedTuple):
    """One transaction as stored, with the ids of its recipients when it has at most `named` of them."""

    id: int
    created_at: datetime  # UTC
    day: date
    creator_id: int
    type: str
    state: str
    amount: int
    recipients: int
    description: str
    update_of: int | None
    recipient_ids: tuple[int, ...]


def count_matching(session: Session, where: TransactionFilter) -> int:
    """How many transactions match."""
    clause, params = _where(where)
    return int(session.execute(_text(f"SELECT COUNT(*) {_source(where)} WHERE {clause}", params),
                               params).scalar_one())


def _source(where: TransactionFilter) -> str:
    """The creators' accounts only when the filter names one: without them a count or a sort can read an
    index alone."""
    return "FROM txn t JOIN account c ON c.id = t.creator_id" if where.creator else "FROM txn t"


def page_of_ids(session: Session, where: TransactionFilter, *, sort: str, descending: bool, offset: int,
                limit: int) -> list[int]:
    """The ids of one page of the matching transactions, in the asked order."""
    clause, params = _where(where)
    direction = "DESC" if descending else "ASC"
    source = _source(where)
    condition, order = clause, f"{SORTS[sort]} {direction}, t.id {direction}"
    if sort == "creator":
        # Accounts in name order, then each one's transactions by time: both are index walks that stop at
        # the page (SQLite takes CROSS JOIN's order as given), where sorting every match by name read them
        # all first: 80 ms for a text filter over a season, 400 ms for a page deep in the table.
        source, condition = "FROM account c CROSS JOIN txn t", f"t.creator_id = c.id AND {clause}"
        order = f"c.username {direction}, t.created_at {direction}, t.id {direction}"
    return [row[0] for row in session.execute(
        _text(f"SELECT t.id {source} WHERE {condition} ORDER BY {order} LIMIT :limit OFFSET :offset", params),
        {**params, "limit": limit, "offset": offset})]


def count(session: Session) -> int:
    return int(session.execute(text("SELECT COUNT(*) FROM txn")).scalar_one())


def newest_id(session: Session) -> int:
    return int(session.execute(text("SELECT COALESCE(MAX(id), 0) FROM txn")).scalar_one())


def ids_after(session: Session, after: int, upto: int, limit: int) -> list[int]:
    """The next `limit` ids above `after` and at most `upto`, in order."""
    cursor = raw_cursor(session)
    try:
        return [row[0] for row in cursor.execute("SELECT id FROM txn WHERE id > ? AND id <= ? ORDER BY id LIMIT ?",
                                                 [int(after), int(upto), int(limit)]).fetchall()]
    finally:
        cursor.close()


_ROWS = ("SELECT t.id, t.created_at, t.day, t.creator_id, t.type, t.state, t.amount, t.recipients, t.description, "
         "t.update_of FROM txn t WHERE t.id {pick} ORDER BY t.id")
_RECEIVERS = ("SELECT transaction_id, receiver_id FROM money_entry WHERE transaction_id IN ({marks}) "
              "UNION SELECT transaction_id, receiver_id FROM counter_entry WHERE transaction_id IN ({marks})")


def rows_of(session: Session, ids: Sequence[int], *, named: int, between: tuple[int, int] | None = None
            ) -> list[TransactionRow]:
    """The rows of the given ids in id order; those with at most `named` recipients carry their ids.
    `between` (first, last id) lets the database read a range instead of a list.

    Read as plain tuples through the session's own connection: the report streams every transaction of a
    camp through here."""
    if not ids:
        return []
    cursor = raw_cursor(session)
    try:
        if between is None:
            rows = cursor.execute(_ROWS.format(pick=f"IN ({_marks(len(ids))})"), [int(i) for i in ids]).fetchall()
        else:
            rows = cursor.execute(_ROWS.format(pick="BETWEEN ? AND ?"), [int(between[0]), int(between[1])]).fetchall()
        shown = [row[0] for row in rows if 0 < row[7] <= named]
        receivers: dict[int, list[int]] = {}
        if shown:
            for txn_id, receiver_id in cursor.execute(_RECEIVERS.format(marks=_marks(len(shown))), shown + shown):
                receivers.setdefault(txn_id, []).append(receiver_id)
    finally:
        cursor.close()
    return [TransactionRow(txn_id, as_datetime(created), day_of(day), creator_id, type_, state, amount, recipients,
                           description or "", update_of, tuple(receivers.get(txn_id, ())))
            for txn_id, created, day, creator_id, type_, state, amount, recipients, description, update_of in rows]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def names_for(session: Session, ids: Sequence[int], *, named: int) -> dict[int, tuple[str, ...]]:
    """(username, last, first, middle) by account id: the creators of the given transactions, and the
    recipients of those with at most `named` recipients."""
    if not ids:
        return {}
    params: dict[str, Any] = {"ids": list(ids), "named": named}
    rows = session.execute(_text(
        "SELECT id, username, last_name, first_name, middle_name FROM account WHERE id IN ("
        "SELECT creator_id FROM txn WHERE id IN :ids "
        "UNION SELECT receiver_id FROM money_entry WHERE transaction_id IN (SELECT id FROM txn WHERE id IN :ids "
        "AND recipients <= :named) "
        "UNION SELECT receiver_id FROM counter_entry WHERE transaction_id IN (SELECT id FROM txn WHERE id IN :ids "
        "AND recipients <= :named))", params), params)
    return {row[0]: tuple(row[1:]) for row in rows}


def names_in(session: Session, transaction_id: int) -> dict[int, tuple[str, ...]]:
    """(username, last, first, middle) by account id of everyone one transaction names."""
    rows = session.execute(text(
        "SELECT id, username, last_name, first_name, middle_name FROM account WHERE id IN ("
        "SELECT creator_id FROM txn WHERE id = :id "
        "UNION SELECT receiver_id FROM money_entry WHERE transaction_id = :id "
        "UNION SELECT receiver_id FROM counter_entry WHERE transaction_id = :id)"), {"id": transaction_id})
    return {row[0]: tuple(row[1:]) for row in rows}


def all_names(session: Session) -> dict[int, tuple[str, ...]]:
    """(username, last, first, middle) of every account, by id."""
    rows = session.execute(text("SELECT id, username, last_name, first_name, middle_name FROM account"))
    return {row[0]: tuple(row[1:]) for row in rows}


def widest(session: Session) -> tuple[int, int, int]:
    """The longest username, description and type in characters (to size a sheet's columns)."""
    username, description, type_ = session.execute(text(
        "SELECT (SELECT MAX(LENGTH(username)) FROM account), MAX(LENGTH(description)), MAX(LENGTH(type)) "
        "FROM txn")).one()
    return int(username or 0), int(description or 0), int(type_ or 0)


def _where(where: TransactionFilter) -> tuple[str, dict[str, object]]:
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


def _text(sql: str, params: dict[str, object]) -> TextClause:
    """A text query whose list parameters expand to IN (...)."""
    statement = text(sql)
    expanding: list[BindParameter[Any]] = [bindparam(name, expanding=True) for name, value in params.items()
                                           if isinstance(value, list)]
    return statement.bindparams(*expanding) if expanding else statement

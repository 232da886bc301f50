"""Every money or counter entry with its transaction, in id order and chunk by chunk (the raw exports)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store.values import as_date, as_datetime

Kind = Literal["money", "counters"]

_TABLES: dict[Kind, str] = {"money": "money_entry", "counters": "counter_entry"}
_EXTENT = {kind: text(f"SELECT COALESCE(MAX(id), 0), COUNT(*) FROM {table}") for kind, table in _TABLES.items()}
_CHUNK = {
    "money": text("""
        SELECT e.id, e.transaction_id, t.type, e.receiver_id, t.creator_id, t.created_at, t.day, t.state,
               t.description, e.money_type, e.amount, e.description
          FROM money_entry e JOIN txn t ON t.id = e.transaction_id
         WHERE e.id > :after AND e.id <= :upto ORDER BY e.id LIMIT :n"""),
    "counters": text("""
        SELECT e.id, e.transaction_id, t.type, e.receiver_id, t.creator_id, t.created_at, t.day, t.state,
               t.description, e.counter_type, e.value, e.day, e.block
          FROM counter_entry e JOIN txn t ON t.id = e.transaction_id
         WHERE e.id > :after AND e.id <= :upto ORDER BY e.id LIMIT :n"""),
}
# A pocket's or a fund's account also receives money: `holding` names the pocket or the fund (docs/savings.md).
_PEOPLE = text(
    "SELECT a.id, a.username, a.last_name, a.first_name, a.middle_name, a.role, a.squad, a.grade, a.balance, "
    "COALESCE(p.name, '#' || f.id || ' ' || f.name) FROM account a "
    "LEFT JOIN pocket p ON p.account_id = a.id LEFT JOIN fund f ON f.account_id = a.id")


class AccountRow(NamedTuple):
    username: str
    last_name: str
    first_name: str
    middle_name: str
    role: str
    squad: str | None
    grade: int | None
    balance: int
    holding: str | None = None  # for a pocket's or a fund's account: the pocket's or the fund's name


class MoneyEntryRow(NamedTuple):
    id: int
    transaction_id: int
    transaction_type: str
    receiver_id: int
    creator_id: int
    created_at: datetime
    day: date
    state: str
    transaction_description: str
    money_type: str
    amount: int
    description: str


class CounterEntryRow(NamedTuple):
    id: int
    transaction_id: int
    transaction_type: str
    receiver_id: int
    creator_id: int
    created_at: datetime
    day: date
    state: str
    transaction_description: str
    counter_type: str
    value: int
    entry_day: date
    block: str | None


def accounts(session: Session) -> dict[int, AccountRow]:
    """Everyone, by account id, as they are now."""
    return {id_: AccountRow(username, last or "", first or "", middle or "", role, squad, grade, balance or 0, holding)
            for id_, username, last, first, middle, role, squad, grade, balance, holding in session.execute(_PEOPLE)}


def extent(session: Session, kind: Kind) -> tuple[int, int]:
    """The newest entry id and how many entries there are."""
    upto, total = session.execute(_EXTENT[kind]).one()
    return int(upto), int(total)


def money_chunk(session: Session, after: int, upto: int, limit: int) -> list[MoneyEntryRow]:
    """The next `limit` money entries with ids above `after` and at most `upto`."""
    return [MoneyEntryRow(id_, txn_id, txn_type, receiver, creator, as_datetime(created), as_date(day), state,
                          txn_description or "", money_type, amount, description or "")
            for id_, txn_id, txn_type, receiver, creator, created, day, state, txn_description, money_type, amount,
            description in session.execute(_CHUNK["money"], {"after": after, "upto": upto, "n": limit})]


def counter_chunk(session: Session, after: int, upto: int, limit: int) -> list[CounterEntryRow]:
    """The next `limit` counter entries with ids above `after` and at most `upto`."""
    return [CounterEntryRow(id_, txn_id, txn_type, receiver, creator, as_datetime(created), as_date(day), state,
                            txn_description or "", counter_type, value, as_date(entry_day), block)
            for id_, txn_id, txn_type, receiver, creator, created, day, state, txn_description, counter_type, value,
            entry_day, block in session.execute(_CHUNK["counters"], {"after": after, "upto": upto, "n": limit})]

"""The read side of "my transactions": what the acting person created, newest first, with its totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import CounterEntry, MoneyEntry, Transaction
from campbank.rules import REGISTRY

PAGE = 50


@dataclass(frozen=True)
class MyTransaction:
    id: int
    type: str
    label: str
    created_at: datetime
    day: date
    state: str
    description: str
    recipients: int
    total: int  # the sum of its money entries, in cents
    update_of: int | None


def my_transactions(db: Database, actor: Actor, *, limit: int = PAGE, before_id: int | None = None
                    ) -> list[MyTransaction]:
    """The actor's own transactions, newest first; page on with `before_id` (the last id shown)."""
    with db.session() as session:
        account = acting_account(session, actor)
        require(account, Action.VIEW_OWN)
        query = (
            select(Transaction).where(Transaction.creator_id == account.id)
            .order_by(col(Transaction.id).desc()).limit(limit)
        )
        if before_id is not None:
            query = query.where(col(Transaction.id) < before_id)
        txns = session.exec(query).all()
        ids = [t.id for t in txns]
        money: dict[int, tuple[int, set[int]]] = {}
        for txn_id, receiver_id, amount in session.exec(
            select(MoneyEntry.transaction_id, MoneyEntry.receiver_id, MoneyEntry.amount)
            .where(col(MoneyEntry.transaction_id).in_(ids))
        ):
            total, receivers = money.setdefault(txn_id, (0, set()))
            money[txn_id] = (total + amount, receivers | {receiver_id})
        counted: dict[int, set[int]] = {}
        for txn_id, receiver_id in session.exec(
            select(CounterEntry.transaction_id, CounterEntry.receiver_id)
            .where(col(CounterEntry.transaction_id).in_(ids)).distinct()
        ):
            counted.setdefault(txn_id, set()).add(receiver_id)
        rows = []
        for txn in txns:
            assert txn.id is not None
            total, receivers = money.get(txn.id, (0, set()))
            rule = REGISTRY.get(txn.type)
            rows.append(MyTransaction(
                txn.id, txn.type, rule.label if rule else txn.type, txn.created_at, txn.day, str(txn.state),
                txn.description, len(receivers | counted.get(txn.id, set())), total, txn.update_of,
            ))
        return rows

"""The read side of "my transactions": what the acting person created, newest first, with its totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store.database import Database
from campbank.ledger.store.savings import with_poster
from campbank.ledger.store.tables import Transaction
from campbank.ledger.views.decisions import decisions_in
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
    recipients: int  # the people its entries name
    total: int  # the sum of its money entries, in cents
    update_of: int | None
    decision: str = ""  # "cancelled by X: reason" / "rejected by X: reason" once declined


def my_transactions(db: Database, actor: Actor, *, limit: int = PAGE, before_id: int | None = None
                    ) -> list[MyTransaction]:
    """The actor's own transactions (the loans they granted among them), newest first; page on with
    `before_id` (the last id shown)."""
    with db.session() as session:
        account = acting_account(session, actor)
        require(account, Action.VIEW_OWN)
        mine, poster = with_poster(select(Transaction))  # a loan is recorded as the bank's: who granted it
        query = mine.where(poster == account.id).order_by(col(Transaction.id).desc()).limit(limit)
        if before_id is not None:
            query = query.where(col(Transaction.id) < before_id)
        txns = session.exec(query).all()
        decided = decisions_in(session, [txn.id for txn in txns if txn.id is not None])
    rows = []
    for txn in txns:
        assert txn.id is not None
        rule = REGISTRY.get(txn.type)
        rows.append(MyTransaction(
            txn.id, txn.type, rule.label if rule else txn.type, txn.created_at, txn.day, str(txn.state),
            txn.description, txn.recipients, txn.amount, txn.update_of,
            decided[txn.id].sentence if txn.id in decided else "",
        ))
    return rows

"""Staff transactions waiting for a second manager (four eyes), each with why it waits, oldest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from campbank.core.enums import State
from campbank.ledger.people import acting_account, full_name
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store.database import Database
from campbank.ledger.store.savings import with_poster
from campbank.ledger.store.tables import Account, Transaction, TransactionHold
from campbank.rules import REGISTRY


@dataclass(frozen=True)
class HeldTransaction:
    id: int
    created_at: datetime
    day: date
    creator: str  # who posted it (a loan: who granted it, though the bank lends the money)
    creator_name: str
    type: str
    label: str
    total: int  # the sum of its money entries, in cents
    recipients: int
    description: str
    reasons: tuple[str, ...]  # as its creator was told when posting it


def held_transactions(db: Database, actor: Actor) -> list[HeldTransaction]:
    """Everything held for a second manager and not yet decided (staff and managers may look)."""
    with db.session() as session:
        require(acting_account(session, actor), Action.APPROVE_TRANSFERS)
        query, poster = with_poster(  # a loan: who granted it
            select(Transaction, TransactionHold.reasons, Account)
            .join(TransactionHold, col(TransactionHold.transaction_id) == col(Transaction.id)))
        rows = session.exec(
            query.join(Account, col(Account.id) == poster)
            .where(Transaction.state == State.CREATED)
            .order_by(col(Transaction.id))
        ).all()
        return [
            HeldTransaction(
                id=txn.id or 0, created_at=txn.created_at,
                day=txn.day if isinstance(txn.day, date) else date.fromisoformat(str(txn.day)[:10]),
                creator=creator.username, creator_name=full_name(creator), type=txn.type,
                label=REGISTRY[txn.type].label if txn.type in REGISTRY else txn.type, total=txn.amount,
                recipients=txn.recipients, description=txn.description, reasons=tuple(json.loads(reasons)),
            )
            for txn, reasons, creator in rows
        ]

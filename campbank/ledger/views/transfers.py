"""Students' transfer requests waiting for staff: who sends what to whom, and can the sender pay now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import col, select

from campbank.core.enums import State
from campbank.ledger.people import acting_account, full_name
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, MoneyEntry, Transaction
from campbank.rules import REGISTRY


@dataclass(frozen=True)
class PendingTransfer:
    id: int
    created_at: datetime
    sender: str
    sender_name: str
    sender_squad: str | None
    sender_balance: int  # now, not when the request was made
    receiver: str
    receiver_name: str
    amount: int
    comment: str

    @property
    def covered(self) -> bool:
        """Whether the sender's balance still covers the amount (approval checks again)."""
        return self.sender_balance >= self.amount


def pending_transfers(db: Database, actor: Actor) -> list[PendingTransfer]:
    """Every request that waits for approval, oldest first (staff and managers)."""
    waiting = tuple(rule.type for rule in REGISTRY.values() if rule.needs_approval)
    sender, receiver = aliased(Account), aliased(Account)
    with db.session() as session:
        require(acting_account(session, actor), Action.APPROVE_TRANSFERS)
        rows = session.exec(
            select(Transaction, MoneyEntry, sender, receiver)
            .join(MoneyEntry, col(MoneyEntry.transaction_id) == col(Transaction.id))
            .join(sender, col(sender.id) == col(Transaction.creator_id))
            .join(receiver, col(receiver.id) == col(MoneyEntry.receiver_id))
            .where(col(Transaction.type).in_(waiting))
            .where(Transaction.state == State.CREATED)
            .order_by(col(Transaction.id))
        ).all()
        return [
            PendingTransfer(
                txn.id or 0, txn.created_at, who.username, full_name(who), who.squad, who.balance,
                whom.username, full_name(whom), entry.amount, txn.description,
            )
            for txn, entry, who, whom in rows
        ]

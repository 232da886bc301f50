"""Why a transaction was declined, and by whom: "cancelled by X: reason" or "rejected by X: reason".

The state machine has one final state for both (`declined`); the audit row of the change keeps who, when,
why and how. A decline is a rejection when someone other than its creator turned down what was waiting
(a student's transfer, a held transaction), and a cancel otherwise (a processed transaction cancelled, or
a creator withdrawing their own request). Audit rows written before `how` was recorded are read the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from campbank.core.enums import Decline, State
from campbank.ledger.people import full_name
from campbank.ledger.store.tables import Account, AuditRow, Transaction

TARGET = "txn:"


@dataclass(frozen=True)
class Decision:
    transaction_id: int
    kind: str  # a Decline
    by_username: str
    by_name: str
    reason: str
    at: datetime

    @property
    def sentence(self) -> str:
        """E.g. "rejected by Anna Petrova: not enough saved" (the reason as typed; screens show it literally)."""
        who = self.by_name or self.by_username or "someone"
        return f"{self.kind} by {who}" + (f": {self.reason}" if self.reason else "")


def decisions_in(session: Session, transaction_ids: Iterable[int]) -> dict[int, Decision]:
    """The decline of each of these transactions that was declined, by transaction id."""
    ids = sorted(set(transaction_ids))
    found: dict[int, Decision] = {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        creators = dict(session.execute(select(col(Transaction.id), col(Transaction.creator_id))
                                        .where(col(Transaction.id).in_(chunk))
                                        .where(Transaction.state == State.DECLINED)).all())
        if not creators:
            continue
        rows = session.exec(
            select(AuditRow, Account)
            .join(Account, col(Account.id) == col(AuditRow.actor_id), isouter=True)
            .where(AuditRow.action == f"txn.{State.DECLINED}")
            .where(col(AuditRow.target).in_([f"{TARGET}{each}" for each in creators]))
        ).all()
        for row, account in rows:
            txn_id = int(row.target.removeprefix(TARGET))
            detail = json.loads(row.detail)
            kind = detail.get("how") or _kind(detail.get("from_state"), row.actor_id, creators[txn_id])
            found[txn_id] = Decision(txn_id, str(kind), account.username if account else "",
                                     full_name(account) if account else "", str(detail.get("reason") or ""), row.at)
    return found


def _kind(from_state: object, actor_id: int | None, creator_id: int) -> str:
    return Decline.REJECTED if from_state == State.CREATED and actor_id != creator_id else Decline.CANCELLED

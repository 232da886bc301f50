"""A student withdraws their own transfer request while it still waits for staff.

The same check as the kiosk's cancel (`check_may_cancel`), narrowed to what the request is: a request
that needs approval, made by the person withdrawing it. Staff decide requests with approve or reject.
"""

from __future__ import annotations

from sqlmodel import Session

from campbank.core.enums import State
from campbank.core.errors import NotFound, PermissionDenied
from campbank.ledger.actions.states import Changed, transition
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database
from campbank.ledger.transactions import check_may_cancel, load_transaction
from campbank.rules import rule_for


def withdraw(db: Database, actor: Actor, transaction_id: int, *, reason: str = "withdrawn by the student"
             ) -> Changed:
    def work(session: Session) -> Changed:
        account = acting_account(session, actor)
        txn = load_transaction(session, transaction_id)
        if not rule_for(txn.type).needs_approval:
            raise NotFound(f"#{transaction_id} is not a transfer request", field="id")
        if txn.creator_id != account.id:
            raise PermissionDenied(f"#{transaction_id} is someone else's request; staff reject requests instead",
                                   field="id")
        check_may_cancel(session, account, txn)
        return transition(session, txn, State.DECLINED, actor_id=account.id, reason=reason)

    return db.write(work)

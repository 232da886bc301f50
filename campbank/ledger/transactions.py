"""Loading a transaction, and who may cancel it: shared by the actions that change transactions and the
views that show them (so a screen can refuse before asking; the action checks again)."""

from __future__ import annotations

from sqlmodel import Session

from campbank.core.enums import Role, State
from campbank.core.errors import NotFound, PermissionDenied, RuleError
from campbank.ledger.permissions import Action, require
from campbank.ledger.store.tables import Account, Transaction
from campbank.rules import REGISTRY


def load_transaction(session: Session, transaction_id: int) -> Transaction:
    txn = session.get(Transaction, transaction_id)
    if txn is None:
        raise NotFound(f"there is no transaction #{transaction_id}", field="id")
    return txn


def check_may_cancel(session: Session, account: Account, txn: Transaction) -> None:
    """Own transactions; staff also students'; managers any; nobody a tax (docs/guarantees.md#permissions)."""
    if txn.type == "tax":
        raise PermissionDenied(
            f"#{txn.id} is a tax; a tax day is corrected with `campbank tax void DATE`, not cancelled"
        )
    if (instead := _cancel_instead(txn.type)) is not None:
        raise PermissionDenied(f"#{txn.id} is a {txn.type}: {instead}")
    if State(txn.state) not in (State.CREATED, State.PROCESSED):
        raise RuleError(f"#{txn.id} is already {txn.state}", field="id")
    if txn.creator_id == account.id:
        if account.role == Role.STUDENT:
            if State(txn.state) != State.CREATED:
                raise PermissionDenied("a student may cancel only their own pending requests")
            require(account, Action.REQUEST_TRANSFER)
        else:
            require(account, Action.ALTER_OWN)
        return
    creator = session.get(Account, txn.creator_id)
    assert creator is not None
    if creator.role == Role.STUDENT:
        require(account, Action.CANCEL_STUDENTS)
    else:
        require(account, Action.CANCEL_ANY)


def _cancel_instead(type_name: str) -> str | None:
    """What undoes a type that the general cancel leaves alone (loans, instalments, interest, …)."""
    rule = REGISTRY.get(type_name)
    return rule.cancel_instead if rule is not None else None

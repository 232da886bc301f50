"""The transaction state machine (docs/guarantees.md#states) and the actions that move it: approve, reject, cancel.

created -> processed | declined;  processed -> declined | substituted.  Nothing else, ever.
Every change writes the journal rows it implies and an audit row, in one database transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from campbank.core.enums import TRANSITIONS, State
from campbank.core.errors import RuleError
from campbank.core.text import clean_text
from campbank.ledger import clock
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, journal
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, MoneyEntry, Transaction
from campbank.ledger.transactions import check_may_cancel, load_transaction
from campbank.rules import rule_for
from campbank.rules.p2p import check_sender_can_pay

MAX_REASON = 300


def clean_reason(reason: str) -> str:
    """A reason typed for an approval, rejection, cancel or void: one line, kept in the audit log."""
    return clean_text(reason, field="reason", max_length=MAX_REASON)


@dataclass(frozen=True)
class Changed:
    """The outcome of a state change, for any face to show."""

    id: int
    type: str
    old_state: str
    state: str


def transition(
    session: Session,
    txn: Transaction,
    to: State,
    *,
    actor_id: int | None,
    at: datetime | None = None,
    reason: str = "",
) -> Changed:
    """Move `txn` to `to` if the table allows it, writing the journal rows and the audit row."""
    assert txn.id is not None
    old = State(txn.state)
    if to not in TRANSITIONS[old]:
        raise RuleError(f"#{txn.id} is {old}; it cannot become {to}", field="state")
    at = at or clock.now()
    if to == State.PROCESSED:
        journal.count(session, txn.id, txn.creator_id, at)
    elif old == State.PROCESSED:
        journal.stop_counting(session, txn.id, at)
    txn.state = to
    session.add(txn)
    session.flush()
    audit.record(
        session, f"txn.{to}", actor_id=actor_id, target=f"txn:{txn.id}", at=at,
        type=txn.type, from_state=str(old), reason=reason,
    )
    return Changed(txn.id, txn.type, str(old), str(to))


def approve(db: Database, actor: Actor, transaction_id: int, *, reason: str = "") -> Changed:
    """Staff approve a student's pending transfer; the sender's balance is checked again now."""
    reason = clean_reason(reason)

    def work(session: Session) -> Changed:
        account = acting_account(session, actor)
        require(account, Action.APPROVE_TRANSFERS)
        txn = _pending_request(session, transaction_id)
        sender = session.get(Account, txn.creator_id)
        assert sender is not None
        if not sender.active:
            raise RuleError(f"the sender {sender.username} has been deactivated", field="id")
        entries = session.exec(select(MoneyEntry).where(MoneyEntry.transaction_id == txn.id)).all()
        for entry in entries:
            receiver = session.get(Account, entry.receiver_id)
            if receiver is None or not receiver.active:
                raise RuleError("the receiver has been deactivated", field="id")
        season = current_season(session)
        check_sender_can_pay(sender.balance, sum(e.amount for e in entries), season.currency_sign)
        return transition(session, txn, State.PROCESSED, actor_id=account.id, reason=reason)

    return db.write(work)


def reject(db: Database, actor: Actor, transaction_id: int, *, reason: str = "") -> Changed:
    reason = clean_reason(reason)

    def work(session: Session) -> Changed:
        account = acting_account(session, actor)
        require(account, Action.APPROVE_TRANSFERS)
        txn = _pending_request(session, transaction_id)
        return transition(session, txn, State.DECLINED, actor_id=account.id, reason=reason)

    return db.write(work)


def cancel(db: Database, actor: Actor, transaction_id: int, *, reason: str = "") -> Changed:
    reason = clean_reason(reason)

    def work(session: Session) -> Changed:
        account = acting_account(session, actor)
        txn = load_transaction(session, transaction_id)
        check_may_cancel(session, account, txn)
        return transition(session, txn, State.DECLINED, actor_id=account.id, reason=reason)

    return db.write(work)


def _pending_request(session: Session, transaction_id: int) -> Transaction:
    txn = load_transaction(session, transaction_id)
    if not rule_for(txn.type).needs_approval:
        raise RuleError(f"#{txn.id} is a {txn.type}, not a request that needs approval", field="id")
    if State(txn.state) != State.CREATED:
        raise RuleError(f"#{txn.id} is already {txn.state}", field="id")
    return txn

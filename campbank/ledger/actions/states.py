"""The transaction state machine (docs/guarantees.md#states) and the actions that move it: approve, reject, cancel.

What waits in `created` is decided here, one way for both kinds: a student's transfer (staff approve it,
the sender's balance is checked again) and a staff transaction held for a second manager (four eyes, see
`four_eyes`: a manager other than its creator approves it after a re-check, or rejects it with a reason).

created -> processed | declined;  processed -> declined | substituted.  Nothing else, ever.
Every change writes the journal rows it implies and an audit row, in one database transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from campbank.core.enums import TRANSITIONS, Decline, Role, State
from campbank.core.errors import InputError, RuleError
from campbank.core.text import clean_text
from campbank.ledger import clock
from campbank.ledger.actions import four_eyes
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


def required_reason(reason: str, why: str) -> str:
    reason = clean_reason(reason)
    if not reason.strip():
        raise InputError(f"say why, {why}", field="reason")
    return reason


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
    how: str = "",
) -> Changed:
    """Move `txn` to `to` if the table allows it, writing the journal rows and the audit row. `how` says, for
    the audit row of a decline, whether it was a cancel or a rejection (views/decisions)."""
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
        type=txn.type, from_state=str(old), reason=reason, **({"how": how} if how else {}),
    )
    return Changed(txn.id, txn.type, str(old), str(to))


def approve(db: Database, actor: Actor, transaction_id: int, *, reason: str = "") -> Changed:
    """Approve what waits: a student's transfer (staff; the sender's balance is checked again now), or a
    staff transaction held for a second manager (a manager other than its creator; re-checked now)."""
    reason = clean_reason(reason)

    def work(session: Session) -> Changed:
        account = acting_account(session, actor)
        txn = _waiting(session, account, transaction_id)
        season = current_season(session)
        if four_eyes.held_reasons(session, transaction_id) is not None:
            four_eyes.recheck(session, txn, season)
            changed = transition(session, txn, State.PROCESSED, actor_id=account.id, reason=reason)
            audit.record(session, "oversight.approved", actor_id=account.id, target=f"txn:{txn.id}", reason=reason)
            return changed
        sender = session.get(Account, txn.creator_id)
        assert sender is not None
        if not sender.active:
            raise RuleError(f"the sender {sender.username} has been deactivated", field="id")
        entries = session.exec(select(MoneyEntry).where(MoneyEntry.transaction_id == txn.id)).all()
        for entry in entries:
            receiver = session.get(Account, entry.receiver_id)
            if receiver is None or not receiver.active:
                raise RuleError("the receiver has been deactivated", field="id")
        check_sender_can_pay(sender.balance, sum(e.amount for e in entries), season.currency_sign)
        return transition(session, txn, State.PROCESSED, actor_id=account.id, reason=reason)

    return db.write(work)


def reject(db: Database, actor: Actor, transaction_id: int, *, reason: str = "") -> Changed:
    """Reject what waits (see `approve` for who may), saying why: the sender (or, for a held transaction,
    its creator) sees who rejected it and the reason."""
    reason = clean_reason(reason)

    def work(session: Session) -> Changed:
        account = acting_account(session, actor)
        txn = _waiting(session, account, transaction_id)
        required_reason(reason, "so the sender knows")
        changed = transition(session, txn, State.DECLINED, actor_id=account.id, reason=reason, how=Decline.REJECTED)
        if four_eyes.held_reasons(session, transaction_id) is not None:
            audit.record(session, "oversight.rejected", actor_id=account.id, target=f"txn:{txn.id}", reason=reason)
        return changed

    return db.write(work)


def cancel(db: Database, actor: Actor, transaction_id: int, *, reason: str = "") -> Changed:
    """Cancel a transaction. Staff and managers say why (the people it touched see who cancelled it and
    the reason); a student withdrawing their own waiting request need not."""
    reason = clean_reason(reason)

    def work(session: Session) -> Changed:
        account = acting_account(session, actor)
        txn = load_transaction(session, transaction_id)
        check_may_cancel(session, account, txn)
        if account.role != Role.STUDENT:
            required_reason(reason, "so the people it touched know")
        return transition(session, txn, State.DECLINED, actor_id=account.id, reason=reason, how=Decline.CANCELLED)

    return db.write(work)


def _waiting(session: Session, account: Account, transaction_id: int) -> Transaction:
    """The transaction, if it waits for a decision `account` may take: a request that needs approval (staff),
    or a transaction held for a second manager (a manager, not its creator)."""
    txn = load_transaction(session, transaction_id)
    held = four_eyes.held_reasons(session, transaction_id) is not None
    if not held and not rule_for(txn.type).needs_approval:
        raise RuleError(f"#{txn.id} is a {txn.type}, not a request that needs approval", field="id")
    if State(txn.state) != State.CREATED:
        raise RuleError(f"#{txn.id} is already {txn.state}", field="id")
    if held:
        four_eyes.check_approver(session, account, txn)
    else:
        require(account, Action.APPROVE_TRANSFERS)
    return txn

"""Disputes: a student asks about a transaction that concerns them (or asks a general question); staff and
managers answer in a thread and close it, resolved (naming the transaction that fixed it) or rejected (with a
reason the student reads). Every step is one database transaction with its audit row. See docs/oversight.md.

The dispute's row moves once, open -> resolved | rejected (a trigger refuses anything else); its messages
are append-only. A student may add to their own open dispute; a closed one is closed for good (a new
question is a new dispute).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from campbank.core.enums import Role, State
from campbank.core.errors import InputError, NotFound, PermissionDenied, RuleError
from campbank.core.text import clean_text
from campbank.ledger import clock
from campbank.ledger.actions.states import transition
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import (
    Account,
    CounterEntry,
    Dispute,
    DisputeMessage,
    MoneyEntry,
    Transaction,
)
from campbank.ledger.transactions import check_may_cancel, load_transaction

MAX_TEXT = 500
OPEN, RESOLVED, REJECTED = "open", "resolved", "rejected"


@dataclass(frozen=True)
class DisputeStep:
    """What a dispute action did, for any face to confirm."""

    dispute_id: int
    state: str
    message_id: int | None = None


def clean_message(text: object, *, field: str = "text") -> str:
    """A dispute message: one to 500 characters of visible text on one line (no control characters,
    escape sequences or direction overrides: `core.text`, as every typed text)."""
    if isinstance(text, str) and not text.strip():
        raise InputError("is empty; write what is wrong", field=field)
    return clean_text(text, field=field, max_length=MAX_TEXT, required=True)


def open_dispute(db: Database, actor: Actor, text: str, *, transaction_id: int | None = None,
                 now: datetime | None = None) -> DisputeStep:
    """A student opens a dispute about `transaction_id` (one that concerns them) or a general question."""
    message = clean_message(text)

    def work(session: Session) -> DisputeStep:
        student = acting_account(session, actor)
        require(student, Action.OPEN_DISPUTE)
        if transaction_id is not None:
            txn = load_transaction(session, transaction_id)
            if not concerns(session, txn, student):
                raise PermissionDenied(f"#{transaction_id} does not concern {student.username}; a dispute is about "
                                       "one's own transactions", field="transaction")
            already = session.exec(select(Dispute.id).where(
                Dispute.student_id == student.id, Dispute.transaction_id == transaction_id,
                Dispute.state == OPEN)).first()
            if already is not None:
                raise RuleError(f"dispute #{already} about #{transaction_id} is still open; add to it instead",
                                field="transaction")
        at = now or clock.now()
        assert student.id is not None
        dispute = Dispute(student_id=student.id, transaction_id=transaction_id, opened_at=at)
        session.add(dispute)
        session.flush()
        assert dispute.id is not None
        first = _add_message(session, dispute.id, student, message, at)
        audit.record(session, "dispute.opened", actor_id=student.id, target=f"dispute:{dispute.id}", at=at,
                     transaction=transaction_id)
        return DisputeStep(dispute.id, OPEN, first)

    return db.write(work)


def answer(db: Database, actor: Actor, dispute_id: int, text: str, *, now: datetime | None = None) -> DisputeStep:
    """Add a message to an open dispute: staff and managers answer; the student may add to their own."""
    message = clean_message(text)

    def work(session: Session) -> DisputeStep:
        author = acting_account(session, actor)
        dispute = _open(session, dispute_id)
        _check_may_write(author, dispute)
        at = now or clock.now()
        message_id = _add_message(session, dispute_id, author, message, at)
        audit.record(session, "dispute.answered", actor_id=author.id, target=f"dispute:{dispute_id}", at=at,
                     message=message_id)
        return DisputeStep(dispute_id, OPEN, message_id)

    return db.write(work)


def resolve(db: Database, actor: Actor, dispute_id: int, fixed_by: int, *, note: str = "",
            now: datetime | None = None) -> DisputeStep:
    """Close a dispute as resolved, naming the transaction that fixed it (see `check_fix`); `note` is
    optional and joins the thread."""
    message = clean_message(note, field="note") if note.strip() else None

    def work(session: Session) -> DisputeStep:
        closer = acting_account(session, actor)
        require(closer, Action.ANSWER_DISPUTES)
        dispute = _open(session, dispute_id)
        student = session.get(Account, dispute.student_id)
        assert student is not None
        fix = load_transaction(session, fixed_by) if _exists(session, fixed_by) else None
        if fix is None:
            raise NotFound(f"there is no transaction #{fixed_by}", field="fixed_by")
        check_fix(session, dispute, student, fix)
        at = now or clock.now()
        message_id = _add_message(session, dispute_id, closer, message, at) if message else None
        _close(session, dispute, RESOLVED, closer, at, fixed_by=fixed_by)
        audit.record(session, "dispute.resolved", actor_id=closer.id, target=f"dispute:{dispute_id}", at=at,
                     fixed_by=fixed_by)
        return DisputeStep(dispute_id, RESOLVED, message_id)

    return db.write(work)


def resolve_by_cancelling(db: Database, actor: Actor, dispute_id: int, *, note: str = "",
                          now: datetime | None = None) -> DisputeStep:
    """Cancel the disputed transaction and resolve the dispute naming it, in one step (both or neither).
    Who may cancel it is checked as for any cancel."""
    message = clean_message(note, field="note") if note.strip() else None

    def work(session: Session) -> DisputeStep:
        closer = acting_account(session, actor)
        require(closer, Action.ANSWER_DISPUTES)
        dispute = _open(session, dispute_id)
        if dispute.transaction_id is None:
            raise RuleError(f"dispute #{dispute_id} is a general question: there is no transaction to cancel",
                            field="dispute")
        txn = load_transaction(session, dispute.transaction_id)
        check_may_cancel(session, closer, txn)
        at = now or clock.now()
        transition(session, txn, State.DECLINED, actor_id=closer.id, at=at, reason=f"dispute #{dispute_id}")
        message_id = _add_message(session, dispute_id, closer, message, at) if message else None
        _close(session, dispute, RESOLVED, closer, at, fixed_by=txn.id)
        audit.record(session, "dispute.resolved", actor_id=closer.id, target=f"dispute:{dispute_id}", at=at,
                     fixed_by=txn.id, cancelled=True)
        return DisputeStep(dispute_id, RESOLVED, message_id)

    return db.write(work)


def reject(db: Database, actor: Actor, dispute_id: int, reason: str, *, now: datetime | None = None) -> DisputeStep:
    """Close a dispute as rejected; the reason is its last message, so the student reads why."""
    message = clean_message(reason, field="reason")

    def work(session: Session) -> DisputeStep:
        closer = acting_account(session, actor)
        require(closer, Action.ANSWER_DISPUTES)
        dispute = _open(session, dispute_id)
        at = now or clock.now()
        message_id = _add_message(session, dispute_id, closer, message, at)
        _close(session, dispute, REJECTED, closer, at)
        audit.record(session, "dispute.rejected", actor_id=closer.id, target=f"dispute:{dispute_id}", at=at,
                     message=message_id)
        return DisputeStep(dispute_id, REJECTED, message_id)

    return db.write(work)


def concerns(session: Session, txn: Transaction, student: Account) -> bool:
    """The student created it (a transfer) or one of its money or counter entries is theirs."""
    if txn.creator_id == student.id:
        return True
    money = session.exec(select(MoneyEntry.id).where(MoneyEntry.transaction_id == txn.id,
                                                     MoneyEntry.receiver_id == student.id).limit(1)).first()
    if money is not None:
        return True
    return session.exec(select(CounterEntry.id).where(CounterEntry.transaction_id == txn.id,
                                                      CounterEntry.receiver_id == student.id).limit(1)).first() \
        is not None


def check_fix(session: Session, dispute: Dispute, student: Account, fix: Transaction) -> None:
    """The fixing transaction must relate to the dispute: the disputed transaction itself, cancelled; an
    alter of it (its `update_of` chain leads back to it), counted; or a counted transaction for the student
    made since the dispute was opened (a refund, a compensating payment)."""
    disputed = dispute.transaction_id
    state = State(fix.state)
    if disputed is not None and fix.id == disputed:
        if state != State.DECLINED:
            raise RuleError(f"#{fix.id} is the disputed transaction and is still {fix.state}; cancel it first, or "
                            "name the transaction that fixed it", field="fixed_by")
        return
    if state != State.PROCESSED:
        raise RuleError(f"#{fix.id} is {fix.state}: it fixes nothing", field="fixed_by")
    if disputed is not None and _alters(session, fix, disputed):
        return
    opened = dispute.opened_at.replace(tzinfo=None) if dispute.opened_at.tzinfo else dispute.opened_at
    created = fix.created_at.replace(tzinfo=None) if fix.created_at.tzinfo else fix.created_at
    if concerns(session, fix, student) and created >= opened:
        return
    what = f"#{disputed} cancelled, an alter of it, or " if disputed is not None else ""
    raise RuleError(f"#{fix.id} does not fix this dispute: name {what}a transaction for {student.username} made since "
                    "the dispute was opened", field="fixed_by")


def _alters(session: Session, txn: Transaction, original: int) -> bool:
    """True when `txn` replaced `original`, directly or through a chain of alters."""
    seen = 0
    current: Transaction | None = txn
    while current is not None and current.update_of is not None and seen < 1000:
        if current.update_of == original:
            return True
        current = session.get(Transaction, current.update_of)
        seen += 1
    return False


def _exists(session: Session, transaction_id: int) -> bool:
    return session.get(Transaction, transaction_id) is not None


def _open(session: Session, dispute_id: int) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound(f"there is no dispute #{dispute_id}", field="dispute")
    if dispute.state != OPEN:
        raise RuleError(f"dispute #{dispute_id} is already {dispute.state}", field="dispute")
    return dispute


def _check_may_write(author: Account, dispute: Dispute) -> None:
    if author.role == Role.STUDENT:
        if author.id != dispute.student_id:
            raise PermissionDenied(f"dispute #{dispute.id} is another student's", field="dispute")
        require(author, Action.OPEN_DISPUTE)
    else:
        require(author, Action.ANSWER_DISPUTES)


def _add_message(session: Session, dispute_id: int, author: Account, text: str, at: datetime) -> int:
    assert author.id is not None
    message = DisputeMessage(dispute_id=dispute_id, author_id=author.id, at=at, text=text)
    session.add(message)
    session.flush()
    assert message.id is not None
    return message.id


def _close(session: Session, dispute: Dispute, state: str, closer: Account, at: datetime, *,
           fixed_by: int | None = None) -> None:
    dispute.state = state
    dispute.closed_at = at
    dispute.closed_by = closer.id
    dispute.fixed_by = fixed_by
    session.add(dispute)
    session.flush()


"""Reading disputes: a student's own, the staff queue (open first, oldest first), one thread in full.

A student sees only their own disputes with every message and the outcome; staff and managers see all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from campbank.core.enums import Role
from campbank.core.errors import NotFound, PermissionDenied
from campbank.ledger.people import acting_account, full_name
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, Dispute, DisputeMessage, MoneyEntry, Transaction
from campbank.rules import REGISTRY

SUBJECT_LENGTH = 60


@dataclass(frozen=True)
class DisputeLine:
    """One dispute in a list: who, about what, its state and its newest step."""

    id: int
    student: str
    student_name: str
    squad: str | None
    transaction_id: int | None
    opened_at: datetime
    state: str
    subject: str  # the student's question, shortened
    messages: int
    last_at: datetime
    last_by: str  # username of the newest message's author
    fixed_by: int | None

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def answered(self) -> bool:
        """Someone other than the student wrote last."""
        return self.last_by != self.student


@dataclass(frozen=True)
class Message:
    id: int
    at: datetime
    author: str
    author_name: str
    author_role: str
    text: str


@dataclass(frozen=True)
class Disputed:
    """The transaction a dispute is about, as the student's account saw it."""

    id: int
    type: str
    label: str
    day: date
    state: str
    description: str
    amount: int  # what it meant to the student's balance (their entries; minus for their own transfer)


@dataclass(frozen=True)
class DisputeThread:
    line: DisputeLine
    transaction: Disputed | None
    messages: tuple[Message, ...]
    closed_at: datetime | None
    closed_by: str | None
    fix: Disputed | None  # the transaction named as the fix, when resolved


def my_disputes(db: Database, actor: Actor) -> list[DisputeLine]:
    """A student's own disputes, newest first."""
    with db.session() as session:
        me = acting_account(session, actor)
        require(me, Action.VIEW_OWN)
        return _lines(session, student_id=me.id, open_first=False)


def dispute_queue(db: Database, actor: Actor, *, include_closed: bool = True) -> list[DisputeLine]:
    """Every dispute for staff: the open ones first, oldest first; then the closed ones, newest first."""
    with db.session() as session:
        require(acting_account(session, actor), Action.ANSWER_DISPUTES)
        lines = _lines(session, open_first=True)
    return lines if include_closed else [line for line in lines if line.is_open]


def open_dispute_count(db: Database, actor: Actor) -> int:
    """How many disputes wait for an answer (staff and managers: the dashboard's count)."""
    with db.session() as session:
        require(acting_account(session, actor), Action.ANSWER_DISPUTES)
        return int(session.exec(select(func.count()).select_from(Dispute).where(Dispute.state == "open")).one())


def dispute_thread(db: Database, actor: Actor, dispute_id: int) -> DisputeThread:
    """One dispute with every message, the disputed transaction and the fix (the student's own, or staff)."""
    with db.session() as session:
        me = acting_account(session, actor)
        dispute = session.get(Dispute, dispute_id)
        if dispute is None:
            raise NotFound(f"there is no dispute #{dispute_id}", field="dispute")
        if me.role == Role.STUDENT:
            if me.id != dispute.student_id:
                raise PermissionDenied(f"dispute #{dispute_id} is another student's", field="dispute")
            require(me, Action.VIEW_OWN)
        else:
            require(me, Action.ANSWER_DISPUTES)
        [line] = _lines(session, dispute_id=dispute_id)
        rows = session.exec(
            select(DisputeMessage, Account).join(Account, col(Account.id) == col(DisputeMessage.author_id))
            .where(DisputeMessage.dispute_id == dispute_id).order_by(col(DisputeMessage.id))).all()
        messages = tuple(Message(m.id or 0, m.at, a.username, full_name(a), str(a.role), m.text) for m, a in rows)
        closer = session.get(Account, dispute.closed_by) if dispute.closed_by is not None else None
        return DisputeThread(
            line=line,
            transaction=_disputed(session, dispute.transaction_id, dispute.student_id),
            messages=messages,
            closed_at=dispute.closed_at,
            closed_by=closer.username if closer else None,
            fix=_disputed(session, dispute.fixed_by, dispute.student_id),
        )


def _lines(session: Session, *, student_id: int | None = None, dispute_id: int | None = None,
           open_first: bool = False) -> list[DisputeLine]:
    student = aliased(Account)
    query = select(Dispute, student).join(student, col(student.id) == col(Dispute.student_id))
    if student_id is not None:
        query = query.where(Dispute.student_id == student_id)
    if dispute_id is not None:
        query = query.where(Dispute.id == dispute_id)
    disputes = session.exec(query).all()
    ids = [d.id for d, _ in disputes]
    firsts: dict[int, str] = {}
    counts: dict[int, int] = {}
    lasts: dict[int, tuple[datetime, str]] = {}
    if ids:
        for message, author in session.exec(
                select(DisputeMessage, Account).join(Account, col(Account.id) == col(DisputeMessage.author_id))
                .where(col(DisputeMessage.dispute_id).in_(ids)).order_by(col(DisputeMessage.id))):
            firsts.setdefault(message.dispute_id, message.text)
            counts[message.dispute_id] = counts.get(message.dispute_id, 0) + 1
            lasts[message.dispute_id] = (message.at, author.username)
    lines = [
        DisputeLine(
            id=d.id or 0, student=s.username, student_name=full_name(s), squad=s.squad,
            transaction_id=d.transaction_id, opened_at=d.opened_at, state=d.state,
            subject=_short(firsts.get(d.id or 0, "")), messages=counts.get(d.id or 0, 0),
            last_at=lasts.get(d.id or 0, (d.opened_at, s.username))[0],
            last_by=lasts.get(d.id or 0, (d.opened_at, s.username))[1], fixed_by=d.fixed_by,
        )
        for d, s in disputes
    ]
    if open_first:
        open_ones = sorted((line for line in lines if line.is_open), key=lambda line: (line.opened_at, line.id))
        closed = sorted((line for line in lines if not line.is_open), key=lambda line: line.id, reverse=True)
        return open_ones + closed
    return sorted(lines, key=lambda line: line.id, reverse=True)


def _disputed(session: Session, transaction_id: int | None, student_id: int) -> Disputed | None:
    if transaction_id is None:
        return None
    txn = session.get(Transaction, transaction_id)
    if txn is None:
        return None
    received = session.exec(select(func.coalesce(func.sum(MoneyEntry.amount), 0)).where(
        MoneyEntry.transaction_id == transaction_id, MoneyEntry.receiver_id == student_id)).one()
    sent = 0
    if txn.creator_id == student_id:
        sent = session.exec(select(func.coalesce(func.sum(MoneyEntry.amount), 0)).where(
            MoneyEntry.transaction_id == transaction_id)).one()
    rule = REGISTRY.get(txn.type)
    day = txn.day if isinstance(txn.day, date) else date.fromisoformat(str(txn.day)[:10])
    return Disputed(txn.id or 0, txn.type, rule.label if rule else txn.type, day, str(txn.state), txn.description,
                    int(received or 0) - int(sent or 0))


def _short(text: str) -> str:
    return text if len(text) <= SUBJECT_LENGTH else text[: SUBJECT_LENGTH - 1] + "…"

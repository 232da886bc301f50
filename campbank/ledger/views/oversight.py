"""The manager's oversight reads: the people list, one transaction in full, the audit log.

Plain frozen dataclasses for the office screens; each entry point checks the viewer's permission.
A transaction's detail also says whether, and why not, the viewer may cancel it, using the same check
`states.cancel` makes, so a screen can refuse before asking (the cancel itself checks again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from campbank.core.enums import Role
from campbank.core.errors import CampBankError
from campbank.ledger.people import BANK, acting_account, full_name, join_name
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import transactions as queries
from campbank.ledger.store.savings import poster_of
from campbank.ledger.store.tables import Account, CounterEntry, MoneyEntry, Transaction
from campbank.ledger.transactions import check_may_cancel, load_transaction
from campbank.ledger.views.decisions import decisions_in
from campbank.rules import REGISTRY


@dataclass(frozen=True)
class UserLine:
    username: str
    full_name: str
    role: str
    squad: str | None
    grade: int | None
    active: bool
    can_login: bool
    locked_until: datetime | None
    balance: int


@dataclass(frozen=True)
class MoneyLine:
    receiver: str
    receiver_name: str
    amount: int
    money_type: str
    description: str


@dataclass(frozen=True)
class CounterLine:
    receiver: str
    receiver_name: str
    counter_type: str
    value: int
    day: date
    block: str | None


@dataclass(frozen=True)
class TransactionDetail:
    id: int
    type: str
    label: str
    state: str
    created_at: datetime
    day: date
    creator: str
    creator_name: str
    description: str
    update_of: int | None
    replaced_by: int | None  # the newer version, when this one was substituted
    idempotency_key: str | None
    money: tuple[MoneyLine, ...]
    counters: tuple[CounterLine, ...]
    cancel_refusal: str | None  # why the viewer may not cancel it; None when they may
    decision: str = ""  # "cancelled by X: reason" / "rejected by X: reason" once declined

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.money)

    @property
    def may_cancel(self) -> bool:
        return self.cancel_refusal is None


def list_users(db: Database, viewer: Actor, *, include_inactive: bool = True) -> tuple[UserLine, ...]:
    """Everyone but the built-in bank: managers, staff, then students by squad and surname."""
    query = select(Account).where(Account.username != BANK)
    # people only: a pocket's or a fund's account is not a user (docs/savings.md#storage)
    query = query.where(col(Account.role).in_(tuple(Role)))
    if not include_inactive:
        query = query.where(col(Account.active).is_(True))
    with db.session() as session:
        require(acting_account(session, viewer), Action.MANAGE_USERS)
        lines = [
            UserLine(a.username, full_name(a), str(a.role), a.squad, a.grade, a.active, a.can_login,
                     a.locked_until, a.balance)
            for a in session.exec(query)
        ]
    order = {"manager": 0, "staff": 1, "student": 2}
    return tuple(sorted(lines, key=lambda u: (order.get(u.role, 3), u.squad or "", u.full_name.casefold(),
                                              u.username)))


def creators(db: Database, viewer: Actor) -> tuple[str, ...]:
    """The usernames of staff, managers and the bank: who creates most transactions (for filters)."""
    with db.session() as session:
        require(acting_account(session, viewer), Action.VIEW_STAFF)
        rows = session.exec(select(Account.username).where(col(Account.role).in_((Role.STAFF, Role.MANAGER))))
        return tuple(sorted(rows))


def transaction_types() -> tuple[str, ...]:
    return tuple(sorted(REGISTRY))


def transaction_detail(db: Database, viewer: Actor, transaction_id: int) -> TransactionDetail:
    """One transaction with all its entries (managers; staff, the ones they created)."""
    with db.session() as session:
        return _detail(session, viewer, transaction_id)


def _detail(session: Session, viewer: Actor, transaction_id: int) -> TransactionDetail:
    me = acting_account(session, viewer)
    txn = load_transaction(session, transaction_id)
    assert txn.id is not None
    if poster_of(session, txn.id, txn.creator_id) != me.id:  # anyone may open what they posted (My transactions)
        require(me, Action.VIEW_STAFF)
    names = {id_: (row[0], join_name(*row[1:])) for id_, row in queries.names_in(session, txn.id or 0).items()}
    money = tuple(
        MoneyLine(*names.get(e.receiver_id, ("?", "?")), e.amount, e.money_type, e.description)
        for e in session.exec(select(MoneyEntry).where(MoneyEntry.transaction_id == txn.id).order_by(
            col(MoneyEntry.id)))
    )
    counters = tuple(
        CounterLine(*names.get(e.receiver_id, ("?", "?")), e.counter_type, e.value, e.day, e.block)
        for e in session.exec(select(CounterEntry).where(CounterEntry.transaction_id == txn.id).order_by(
            col(CounterEntry.id)))
    )
    newer = session.exec(select(Transaction.id).where(Transaction.update_of == txn.id)).first()
    creator = names.get(txn.creator_id, ("?", "?"))
    rule = REGISTRY.get(txn.type)
    return TransactionDetail(
        id=txn.id or 0, type=txn.type, label=rule.label if rule else txn.type, state=str(txn.state),
        created_at=txn.created_at, day=txn.day, creator=creator[0], creator_name=creator[1],
        description=txn.description, update_of=txn.update_of, replaced_by=newer,
        idempotency_key=txn.idempotency_key, money=money, counters=counters,
        cancel_refusal=_refusal(session, me, txn), decision=_decision(session, txn.id or 0),
    )


def _decision(session: Session, transaction_id: int) -> str:
    found = decisions_in(session, [transaction_id]).get(transaction_id)
    return found.sentence if found else ""


def audit_log(db: Database, viewer: Actor, *, action_prefix: str = "", limit: int = 500
              ) -> tuple[audit.AuditEntry, ...]:
    """The newest audit rows first, optionally only actions starting with `action_prefix` (managers)."""
    with db.session() as session:
        require(acting_account(session, viewer), Action.VIEW_AUDIT)
        return tuple(audit.recent(session, limit=limit, action_prefix=action_prefix.strip()))


def _refusal(session: Session, me: Account, txn: Transaction) -> str | None:
    try:
        check_may_cancel(session, me, txn)
    except CampBankError as error:
        return error.message
    return None

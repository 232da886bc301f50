"""The read side: balances, counters and histories as plain dataclasses (never live ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from campbank.core.enums import Role
from campbank.core.errors import PermissionDenied
from campbank.ledger.people import (
    BANK,
    account_named,
    acting_account,
    full_name,
    join_name,
)
from campbank.ledger.permissions import Action, Actor, may_view_account, require
from campbank.ledger.store.savings import pocket_totals
from campbank.ledger.store.tables import (
    Account,
    CounterTotal,
    JournalRow,
    MoneyEntry,
    Transaction,
)

CERTIFICATE = "book_certificate"


@dataclass(frozen=True)
class BalanceRow:
    username: str
    full_name: str
    role: str
    squad: str | None
    grade: int | None
    active: bool
    balance: int  # what the student has: the main pocket and every other pocket
    counters: dict[str, int] = field(default_factory=dict)
    saved: int = 0  # the part of `balance` in pockets besides main (docs/savings.md)

    @property
    def certificates(self) -> int:
        return self.counters.get(CERTIFICATE, 0)

    @property
    def main(self) -> int:
        """The main pocket: what tax, fines, purchases, transfers and instalments charge."""
        return self.balance - self.saved


@dataclass(frozen=True)
class HistoryLine:
    """One money movement on an account, newest first, with the balance after it."""

    journal_id: int
    transaction_id: int
    at: datetime
    day: date
    type: str
    money_type: str
    description: str
    amount: int
    reverses: bool
    balance_after: int


def balances(session: Session, *, roles: tuple[Role, ...] = (Role.STUDENT,), include_inactive: bool = True
             ) -> list[BalanceRow]:
    """Everyone of the given roles, by squad then surname, with their counter totals."""
    # plain columns, not Account objects: a camp network has tens of thousands of people
    query = select(Account.id, Account.username, Account.last_name, Account.first_name, Account.middle_name,
                   Account.role, Account.squad, Account.grade, Account.active, Account.balance
                   ).where(col(Account.role).in_(roles)).where(Account.username != BANK)
    if not include_inactive:
        query = query.where(Account.active == True)  # noqa: E712
    counters: dict[int, dict[str, int]] = {}
    for account_id, counter_type, total in session.execute(
            select(CounterTotal.account_id, CounterTotal.counter_type, CounterTotal.total)
            .where(CounterTotal.total != 0)):
        counters.setdefault(account_id, {})[counter_type] = total
    saved = pocket_totals(session)
    rows = [BalanceRow(username, join_name(last, first, middle), str(role), squad, grade, bool(active),
                       balance + saved.get(account_id, 0), counters.get(account_id, {}), saved.get(account_id, 0))
            for account_id, username, last, first, middle, role, squad, grade, active, balance
            in session.execute(query)]
    return sorted(rows, key=lambda r: (r.squad or "", r.full_name.casefold(), r.username))


def account_balance(session: Session, viewer: Actor, username: str) -> BalanceRow:
    """One person's balance and counters, if `viewer` may see them."""
    account = account_named(session, username)
    check_may_view(session, viewer, account)
    counters = {
        t.counter_type: t.total
        for t in session.exec(select(CounterTotal).where(CounterTotal.account_id == account.id))
        if t.total
    }
    return _row(session, account, counters)


def history(session: Session, viewer: Actor, username: str, *, limit: int = 50, before_id: int | None = None
            ) -> list[HistoryLine]:
    """The newest money movements on an account, with the running balance after each."""
    account = account_named(session, username)
    check_may_view(session, viewer, account)
    query = (
        select(JournalRow, Transaction, MoneyEntry)
        .join(Transaction, col(Transaction.id) == col(JournalRow.transaction_id))
        .join(MoneyEntry, col(MoneyEntry.id) == col(JournalRow.money_entry_id))
        .where(JournalRow.account_id == account.id)
        .where(col(JournalRow.counter_type).is_(None))
        .order_by(col(JournalRow.id).desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(col(JournalRow.id) < before_id)
    rows = session.exec(query).all()
    if not rows:
        return []
    newest_id = rows[0][0].id
    later = session.exec(
        select(JournalRow.amount).where(JournalRow.account_id == account.id)
        .where(col(JournalRow.counter_type).is_(None)).where(col(JournalRow.id) > newest_id)
    ).all()
    running = account.balance - sum(later)
    lines = []
    for row, txn, entry in rows:
        lines.append(HistoryLine(row.id or 0, txn.id or 0, row.created_at, txn.day, txn.type, entry.money_type,
                                 entry.description or txn.description, row.amount, row.reverses, running))
        running -= row.amount
    return lines


def check_may_view(session: Session, viewer: Actor, account: Account) -> None:
    me = acting_account(session, viewer)
    if account.role == Role.STUDENT and me.id != account.id:
        require(me, Action.VIEW_STUDENTS)
    if not may_view_account(me, account):
        raise PermissionDenied(f"a {me.role} may not see {account.username}'s account")


def _row(session: Session, account: Account, counters: dict[str, int]) -> BalanceRow:
    saved = 0
    if account.role == Role.STUDENT:
        saved = int(session.execute(_SAVED, {"owner": account.id}).scalar_one())
    return BalanceRow(account.username, full_name(account), str(account.role), account.squad, account.grade,
                      account.active, account.balance + saved, dict(counters), saved)


_SAVED = text("SELECT COALESCE(SUM(a.balance), 0) FROM pocket p JOIN account a ON a.id = p.account_id "
              "WHERE p.owner_id = :owner")


@dataclass(frozen=True)
class Classmate:
    """What a student may know of another: a name to send money to, never a balance."""

    username: str
    full_name: str
    squad: str | None


@dataclass(frozen=True)
class Request:
    id: int
    created_at: datetime
    receiver: str
    receiver_name: str
    amount: int
    comment: str
    state: str


def classmates(session: Session, viewer: Actor) -> list[Classmate]:
    """Every other active student, for a transfer's receiver picker."""
    me = acting_account(session, viewer)
    require(me, Action.VIEW_OWN)
    accounts = session.exec(
        select(Account).where(Account.role == Role.STUDENT).where(Account.active == True)  # noqa: E712
        .where(Account.id != me.id)
    ).all()
    people = [Classmate(a.username, full_name(a), a.squad) for a in accounts]
    return sorted(people, key=lambda c: (c.full_name.casefold(), c.username))


def my_requests(session: Session, viewer: Actor, *, limit: int = 30) -> list[Request]:
    """A student's own transfer requests, newest first (pending ones can still be cancelled)."""
    me = acting_account(session, viewer)
    rows = session.exec(
        select(Transaction, MoneyEntry, Account)
        .join(MoneyEntry, col(MoneyEntry.transaction_id) == col(Transaction.id))
        .join(Account, col(Account.id) == col(MoneyEntry.receiver_id))
        .where(Transaction.creator_id == me.id)
        .where(Transaction.type == "p2p")
        .order_by(col(Transaction.id).desc())
        .limit(limit)
    ).all()
    return [Request(t.id or 0, t.created_at, a.username, full_name(a), m.amount, t.description, t.state)
            for t, m, a in rows]

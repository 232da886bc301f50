"""The read side: balances, counters and histories as plain dataclasses (never live ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy import select as select_columns  # typed for any number of columns (SQLModel's stops at four)
from sqlmodel import Session, col, select

from campbank.core.counters import Counter
from campbank.core.enums import Role, State
from campbank.core.errors import PermissionDenied
from campbank.ledger.people import (
    BANK,
    account_named,
    acting_account,
    full_name,
    join_name,
)
from campbank.ledger.permissions import Action, Actor, may_view_account, require
from campbank.ledger.store.database import Database
from campbank.ledger.store.savings import pocket_totals, saved_by
from campbank.ledger.store.tables import (
    Account,
    CounterTotal,
    JournalRow,
    MoneyEntry,
    Transaction,
)
from campbank.ledger.views.decisions import decisions_in


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
        return self.counters.get(Counter.BOOK_CERTIFICATE, 0)

    @property
    def main(self) -> int:
        """The main pocket: what tax, fines, purchases, transfers and instalments charge."""
        return self.balance - self.saved


@dataclass(frozen=True)
class HistoryLine:
    """One money movement on an account, newest day first, with the balance after it."""

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
    counterpart: str = ""  # the other side: the receiver of what this account sent, else the creator
    decision: str = ""  # "cancelled by X: reason" / "rejected by X: reason" once declined


def balances_in(session: Session, *, roles: tuple[Role, ...] = (Role.STUDENT,), include_inactive: bool = True
             ) -> list[BalanceRow]:
    """Everyone of the given roles, by squad then surname, with their counter totals."""
    # plain columns, not Account objects: a camp network has tens of thousands of people
    query = select_columns(col(Account.id), col(Account.username), col(Account.last_name), col(Account.first_name),
                           col(Account.middle_name), col(Account.role), col(Account.squad), col(Account.grade),
                           col(Account.active), col(Account.balance)
                           ).where(col(Account.role).in_(roles)).where(col(Account.username) != BANK)
    if not include_inactive:
        query = query.where(col(Account.active) == True)  # noqa: E712
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


def account_balance(db: Database, viewer: Actor, username: str) -> BalanceRow:
    """One person's balance and counters, if `viewer` may see them."""
    with db.session() as session:
        return account_balance_in(session, viewer, username)


def account_balance_in(session: Session, viewer: Actor, username: str) -> BalanceRow:
    account = account_named(session, username)
    check_may_view(session, viewer, account)
    counters = {
        t.counter_type: t.total
        for t in session.exec(select(CounterTotal).where(CounterTotal.account_id == account.id))
        if t.total
    }
    return _row(session, account, counters)


def history(db: Database, viewer: Actor, username: str, *, limit: int = 50, before_id: int | None = None
            ) -> list[HistoryLine]:
    """The newest money movements on an account, with the running balance after each: by the day each
    transaction is for, newest first (a transaction entered late for an earlier day shows on that day), and
    in the order written within a day. Page on with `before_id`, the journal id of the last line shown."""
    with db.session() as session:
        return history_in(session, viewer, username, limit=limit, before_id=before_id)


def balance_and_history(db: Database, viewer: Actor, username: str, *, limit: int = 50
                        ) -> tuple[BalanceRow, list[HistoryLine]]:
    """An account's balance and its newest history, read together (they agree with each other)."""
    with db.session() as session:
        return (account_balance_in(session, viewer, username),
                history_in(session, viewer, username, limit=limit))


def history_in(session: Session, viewer: Actor, username: str, *, limit: int = 50, before_id: int | None = None
               ) -> list[HistoryLine]:
    account = account_named(session, username)
    check_may_view(session, viewer, account)
    query = (
        select(JournalRow, Transaction, MoneyEntry)
        .join(Transaction, col(Transaction.id) == col(JournalRow.transaction_id))
        .join(MoneyEntry, col(MoneyEntry.id) == col(JournalRow.money_entry_id))
        .where(JournalRow.account_id == account.id)
        .where(col(JournalRow.counter_type).is_(None))
        .order_by(col(Transaction.day).desc(), col(JournalRow.id).desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(_before(session, before_id))
    rows = session.exec(query).all()
    if not rows:
        return []
    newest, newest_txn = rows[0][0], rows[0][1]
    later = session.exec(
        select(JournalRow.amount)
        .join(Transaction, col(Transaction.id) == col(JournalRow.transaction_id))
        .where(JournalRow.account_id == account.id).where(col(JournalRow.counter_type).is_(None))
        .where(or_(col(Transaction.day) > newest_txn.day,
                   and_(col(Transaction.day) == newest_txn.day, col(JournalRow.id) > newest.id)))
    ).all()
    running = account.balance - sum(later)
    decided = decisions_in(session, {txn.id or 0 for _, txn, _ in rows if txn.state == State.DECLINED})
    names = _names(session, {entry.receiver_id for _, _, entry in rows} | {txn.creator_id for _, txn, _ in rows})
    lines = []
    for row, txn, entry in rows:
        other = entry.receiver_id if entry.receiver_id != account.id else txn.creator_id
        decision = decided.get(txn.id or 0)
        lines.append(HistoryLine(row.id or 0, txn.id or 0, row.created_at, txn.day, txn.type, entry.money_type,
                                 entry.description or txn.description, row.amount, row.reverses, running,
                                 names.get(other, "") if other != account.id else "",
                                 decision.sentence if decision else ""))
        running -= row.amount
    return lines


def _before(session: Session, journal_id: int) -> ColumnElement[bool]:
    """Lines after the one with this journal id in the history's order (older day, or earlier that day)."""
    day = session.execute(select_columns(col(Transaction.day))
                          .join(JournalRow, col(JournalRow.transaction_id) == col(Transaction.id))
                          .where(col(JournalRow.id) == journal_id)).scalar_one()
    return or_(col(Transaction.day) < day, and_(col(Transaction.day) == day, col(JournalRow.id) < journal_id))


def _names(session: Session, account_ids: set[int]) -> dict[int, str]:
    rows = session.execute(select_columns(col(Account.id), col(Account.last_name), col(Account.first_name),
                                          col(Account.middle_name)).where(col(Account.id).in_(account_ids)))
    return {account_id: join_name(last, first, middle) for account_id, last, first, middle in rows}


def check_may_view(session: Session, viewer: Actor, account: Account) -> None:
    me = acting_account(session, viewer)
    if account.role == Role.STUDENT and me.id != account.id:
        require(me, Action.VIEW_STUDENTS)
    if not may_view_account(me, account):
        raise PermissionDenied(f"a {me.role} may not see {account.username}'s account")


def _row(session: Session, account: Account, counters: dict[str, int]) -> BalanceRow:
    saved = 0
    if account.role == Role.STUDENT:
        saved = saved_by(session, account.id or 0)
    return BalanceRow(account.username, full_name(account), str(account.role), account.squad, account.grade,
                      account.active, account.balance + saved, dict(counters), saved)


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
    decision: str = ""  # "cancelled by X: reason" / "rejected by X: reason" once declined


def classmates(db: Database, viewer: Actor) -> list[Classmate]:
    """Every other active student, for a transfer's receiver picker."""
    with db.session() as session:
        me = acting_account(session, viewer)
        require(me, Action.VIEW_OWN)
        # plain columns, not Account objects: a big camp's kiosk would otherwise hold ten thousand of them
        rows = session.execute(
            select_columns(col(Account.username), col(Account.last_name), col(Account.first_name),
                           col(Account.middle_name), col(Account.squad))
            .where(col(Account.role) == Role.STUDENT).where(col(Account.active).is_(True))
            .where(col(Account.id) != me.id)
        ).all()
        people = [Classmate(username, join_name(last, first, middle), squad)
                  for username, last, first, middle, squad in rows]
    return sorted(people, key=lambda c: (c.full_name.casefold(), c.username))


def my_requests(db: Database, viewer: Actor, *, limit: int = 30) -> list[Request]:
    """A student's own transfer requests, newest first (pending ones can still be cancelled)."""
    with db.session() as session:
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
        decided = decisions_in(session, [t.id or 0 for t, _, _ in rows if t.state == State.DECLINED])
        return [Request(t.id or 0, t.created_at, a.username, full_name(a), m.amount, t.description, t.state,
                        decided[t.id or 0].sentence if (t.id or 0) in decided else "")
                for t, m, a in rows]

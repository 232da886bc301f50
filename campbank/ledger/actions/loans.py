"""Loans: grant (a `loan` transaction), repay early (`loan_repay`), and a manager's cancel and write-off.

A loan is cancelled only before its first instalment: the grant and any early repayment stop counting
together, so the student ends exactly where they were. One whose grant waits for a second manager (four
eyes) lent nothing: its granter or a manager withdraws it. Writing a loan off closes it with what is still
outstanding recorded as written off: no money moves, the bank simply never gets it back, and `verify`
checks due = paid + written off (docs/savings.md#loans).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from campbank.core.enums import Decline, State
from campbank.core.errors import NotFound, RuleError
from campbank.core.money import format_amount
from campbank.ledger import clock
from campbank.ledger.actions.posting import Posted, post
from campbank.ledger.actions.states import clean_reason, required_reason, transition
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit
from campbank.ledger.store import savings as store
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, LoanPaymentRow, LoanRow, MoneyEntry, Transaction
from campbank.rules.savings import Loan


@dataclass(frozen=True)
class Closed:
    loan_id: int
    state: str
    amount: int  # cancelled: the principal taken back; written off: what was outstanding


def grant(db: Database, actor: Actor, borrower: str, amount: object, instalments: object, *,
          date: str | None = None, description: str = "") -> Posted:
    """Lend `amount` to `borrower`, repaid in `instalments` daily instalments (a `loan` transaction)."""
    payload: dict[str, object] = {"type": "loan", "borrower": borrower, "amount": amount,
                                  "instalments": instalments}
    if date:
        payload["date"] = date
    if description:
        payload["description"] = description
    return post(db, actor, payload)


def repay(db: Database, actor: Actor, amount: object, *, date: str | None = None) -> Posted:
    """The student repays part or all of their open loan early."""
    payload: dict[str, object] = {"type": "loan_repay", "amount": amount}
    if date:
        payload["date"] = date
    return post(db, actor, payload)


def cancel(db: Database, actor: Actor, loan_id: int, *, reason: str = "", now: datetime | None = None) -> Closed:
    """Undo a loan before its first instalment (manager): the grant and early repayments stop counting. A loan
    whose grant waits for a second manager is withdrawn so, by a manager or by the one who granted it."""
    reason = clean_reason(reason)

    def work(session: Session) -> Closed:
        account = acting_account(session, actor)
        found_row, found_loan = _loan_of(session, loan_id)
        if found_row is not None and found_loan is not None and found_loan.state == "waiting":
            return _withdraw(session, found_row, account, reason, now or clock.now())
        require(account, Action.MANAGE_LOANS)
        row, loan = _checked_open(loan_id, found_row, found_loan)
        if loan.instalments_paid:
            raise RuleError(f"loan #{loan_id} has had an instalment charged; write it off instead", field="loan")
        at = now or clock.now()
        repayments = session.exec(
            select(Transaction).join(MoneyEntry, col(MoneyEntry.transaction_id) == col(Transaction.id))
            .join(LoanPaymentRow, col(LoanPaymentRow.money_entry_id) == col(MoneyEntry.id))
            .where(LoanPaymentRow.loan_id == loan_id).where(Transaction.state == State.PROCESSED)
        ).all()
        why = reason or f"loan #{loan_id} cancelled"
        for txn in repayments:
            transition(session, txn, State.DECLINED, actor_id=account.id, at=at, reason=why)
        grant_txn = session.get(Transaction, row.transaction_id)
        assert grant_txn is not None
        transition(session, grant_txn, State.DECLINED, actor_id=account.id, at=at, reason=why)
        _close(session, row, "cancelled", account.id, at)
        audit.record(session, "loan.cancelled", actor_id=account.id, target=f"loan:{loan_id}", at=at,
                     principal=loan.principal, repayments=[t.id for t in repayments], reason=reason)
        return Closed(loan_id, "cancelled", loan.principal)

    return db.write(work)


def write_off(db: Database, actor: Actor, loan_id: int, *, reason: str = "", now: datetime | None = None) -> Closed:
    """Close a loan, recording what is outstanding as written off: the bank's loss (manager, audited)."""
    reason = clean_reason(reason)

    def work(session: Session) -> Closed:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_LOANS)
        row, loan = _open_loan(session, loan_id)
        at = now or clock.now()
        row.written_off = loan.outstanding
        _close(session, row, "written_off", account.id, at)
        sign = current_season(session).currency_sign
        audit.record(session, "loan.written_off", actor_id=account.id, target=f"loan:{loan_id}", at=at,
                     amount=loan.outstanding, shown=format_amount(loan.outstanding, sign), reason=reason)
        return Closed(loan_id, "written_off", loan.outstanding)

    return db.write(work)


def _loan_of(session: Session, loan_id: int) -> tuple[LoanRow | None, Loan | None]:
    """The loan's row and what it stands at (None, None when there is no such loan)."""
    found = store.loans(session, loan_id=loan_id)
    return session.get(LoanRow, loan_id), (found[0] if found else None)


def _withdraw(session: Session, row: LoanRow, account: Account, reason: str, at: datetime) -> Closed:
    """Withdraw a loan that never lent anything: its grant declined (cancelled, not rejected), the loan closed."""
    if account.id != row.granted_by_id:  # a manager turning it down says why, as a rejection does
        require(account, Action.MANAGE_LOANS)
        reason = required_reason(reason, "so the one who granted it knows")
    grant_txn = session.get(Transaction, row.transaction_id)
    assert grant_txn is not None and row.id is not None
    why = reason or f"loan #{row.id} withdrawn"
    transition(session, grant_txn, State.DECLINED, actor_id=account.id, at=at, reason=why, how=Decline.CANCELLED)
    _close(session, row, "cancelled", account.id, at)
    audit.record(session, "loan.cancelled", actor_id=account.id, target=f"loan:{row.id}", at=at,
                 principal=row.principal, repayments=[], reason=reason, waiting=True)
    return Closed(row.id, "cancelled", 0)


def _open_loan(session: Session, loan_id: int) -> tuple[LoanRow, Loan]:
    return _checked_open(loan_id, *_loan_of(session, loan_id))


def _checked_open(loan_id: int, row: LoanRow | None, loan: Loan | None) -> tuple[LoanRow, Loan]:
    """The loan, if it is open with money outstanding; else why not."""
    if row is None or loan is None:
        raise NotFound(f"there is no loan #{loan_id}", field="loan")
    if loan.state == "waiting":
        raise RuleError(f"loan #{loan_id} is not granted yet: its grant #{row.transaction_id} waits for a manager "
                        "other than the one who granted it to approve or reject it (or cancel the loan)", field="loan")
    if loan.state != "open":
        raise RuleError(f"loan #{loan_id} is already {loan.state.replace('_', ' ')}", field="loan")
    if loan.outstanding <= 0:
        raise RuleError(f"loan #{loan_id} is paid in full", field="loan")
    return row, loan


def _close(session: Session, row: LoanRow, state: str, actor_id: int | None, at: datetime) -> None:
    row.state = state
    row.closed_at = at
    row.closed_by_id = actor_id
    session.add(row)
    session.flush()

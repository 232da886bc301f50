"""Reading and writing what savings and credit keep besides transactions (docs/savings.md#storage).

A pocket or a fund holds its money on an account row of its own: role `pocket` or `fund`, a username no
person can have (`~pocket:OWNER:N`, `~fund:N`), no password. Queries that list people by role never see
them; every money movement in or out is an ordinary double-entry transaction. Everything here returns
the rules' own plain dataclasses (`rules.savings`), read as plain columns in set-based statements: the
nightly run reads every savings pocket and every loan of the camp.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, bindparam, func, text
from sqlmodel import Session, col

from campbank.core.enums import Role
from campbank.ledger.store import account_reads
from campbank.ledger.store.dialects import raw_cursor
from campbank.ledger.store.tables import Account, LoanRow, Transaction
from campbank.rules.base import Person
from campbank.rules.savings import (
    MAIN,
    Circle,
    Fund,
    Instalment,
    Loan,
    Pocket,
    remaining_instalments,
    schedule,
)

POCKET_ROLE = "pocket"
FUND_ROLE = "fund"
HOLDING_ROLES = (POCKET_ROLE, FUND_ROLE)


def new_holding_account(session: Session, role: str, username: str, *, owner: Account | None,
                        now: datetime) -> Account:
    """The account a new pocket or fund keeps its money on (a pocket's carries its owner's name)."""
    account = Account(
        username=username, role=role, can_login=False, password_hash=None, created_at=now,
        last_name=owner.last_name if owner else "", first_name=owner.first_name if owner else "",
        middle_name=owner.middle_name if owner else "", squad=owner.squad if owner else None,
        grade=owner.grade if owner else None,
    )
    session.add(account)
    session.flush()
    return account


def sync_pockets(session: Session, owner: Account) -> None:
    """A student's pockets carry the student's name, squad and grade: keep them so after an edit."""
    session.flush()
    session.execute(text(
        "UPDATE account SET last_name = :last, first_name = :first, middle_name = :middle, squad = :squad, "
        "grade = :grade WHERE id IN (SELECT account_id FROM pocket WHERE owner_id = :owner)"),
        {"last": owner.last_name, "first": owner.first_name, "middle": owner.middle_name, "squad": owner.squad,
         "grade": owner.grade, "owner": owner.id})


def holding_person(account_id: int, username: str, role: str, name: str, balance: int, active: bool = True
                   ) -> Person:
    """A pocket's or fund's account as a rule may name it (never a student: `ctx.student` refuses it)."""
    return Person(id=account_id, username=username, role=role, full_name=name, squad=None, grade=None,
                  active=active, balance=balance)


# --------------------------------------------------------------------------------------------- pockets

_POCKETS = text(
    """
    SELECT p.id, p.kind, p.name, p.target, a.id, a.username, a.balance
      FROM pocket p JOIN account a ON a.id = p.account_id
     WHERE p.owner_id = :owner AND p.closed_at IS NULL
     ORDER BY CASE p.kind WHEN 'savings' THEN 0 ELSE 1 END, p.id
    """
)


def pockets_of(session: Session, owner: Person) -> tuple[dict[str, Pocket], dict[str, Person]]:
    """A student's open pockets by name, `main` first, and their accounts as people for a rule."""
    pockets = {MAIN: Pocket(MAIN, MAIN, owner.username, owner.balance)}
    people: dict[str, Person] = {}
    for _id, kind, name, target, account_id, username, balance in session.execute(_POCKETS, {"owner": owner.id}):
        pockets[name] = Pocket(name, kind, username, balance, target)
        people[username] = holding_person(account_id, username, POCKET_ROLE, name, balance)
    return pockets, people


_POCKET_TOTALS = text(
    """
    SELECT p.owner_id, COALESCE(SUM(a.balance), 0) FROM pocket p JOIN account a ON a.id = p.account_id
     GROUP BY p.owner_id
    """
)


def pocket_totals(session: Session) -> dict[int, int]:
    """Every student's money in pockets (besides main), by the student's account id."""
    return {owner: int(total) for owner, total in session.execute(_POCKET_TOTALS)}


def saved_by(session: Session, owner_id: int) -> int:
    """What one student has in pockets besides the main one."""
    return account_reads.pocket_total(raw_cursor(session), owner_id)


def next_pocket_username(session: Session, owner_id: int) -> str:
    count = session.execute(text("SELECT COUNT(*) FROM pocket WHERE owner_id = :o"), {"o": owner_id}).scalar_one()
    return f"~pocket:{owner_id}:{int(count) + 1}"


# ----------------------------------------------------------------------------------------------- loans

# What a loan's processed payments add up to: its instalments (`IS NOT NULL`) or its early repayments.
# A loan has a few payments; the camp, hundreds of thousands of transactions: CROSS JOIN keeps SQLite from
# starting at `txn` (its index on state looks selective to it). On PostgreSQL it is an ordinary join.
_PAID = """(SELECT COALESCE(SUM(ABS(me.amount)), 0)
              FROM loan_payment lp CROSS JOIN money_entry me CROSS JOIN txn t
             WHERE lp.loan_id = l.id AND lp.instalment IS {} NULL AND me.id = lp.money_entry_id
               AND t.id = me.transaction_id AND t.state = 'processed')"""
_LOANS = f"""
    SELECT l.id, a.username, l.day, l.principal, l.total_due, l.instalments,
           CASE WHEN l.state != 'open' OR g.state = 'processed' THEN l.state
                WHEN g.state = 'created' THEN 'waiting' ELSE 'declined' END,
           l.written_off, {_PAID.format("NOT")}, {_PAID.format("")}
      FROM loan l JOIN account a ON a.id = l.borrower_id JOIN txn g ON g.id = l.transaction_id
"""


def _loan(row: tuple) -> Loan:
    loan_id, username, day, principal, total, count, state, written_off, instalments, repaid = row
    return Loan(id=loan_id, borrower=username, day=_as_date(day), principal=principal, total_due=total,
                schedule=schedule(total, count), instalments_paid=int(instalments), repaid=int(repaid),
                written_off=written_off, state=state)


def loans(session: Session, *, borrower_id: int | None = None, loan_id: int | None = None,
          only_open: bool = False) -> list[Loan]:
    """Loans, newest first: one borrower's, one loan, or every loan; `only_open` keeps those with money
    still outstanding.

    A loan whose grant waits for a second manager (four eyes) is `waiting`, and `declined` once the grant
    is rejected: neither lent anything, so neither has anything outstanding nor instalments due."""
    where, params = [], {}
    if borrower_id is not None:
        where.append("l.borrower_id = :borrower")
        params["borrower"] = borrower_id
    if loan_id is not None:
        where.append("l.id = :loan")
        params["loan"] = loan_id
    if only_open:
        where.append("l.state = 'open'")
    sql = _LOANS + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY l.id DESC"
    found = [_loan(tuple(row)) for row in session.execute(text(sql), params)]
    return [loan for loan in found if not only_open or loan.outstanding > 0]


def open_loan(session: Session, borrower_id: int, *, besides_grant: int | None = None) -> Loan | None:
    """The borrower's loan with money outstanding, or the one whose grant waits for a second manager (a
    student has one loan at a time); `besides_grant` leaves out the loan of that grant transaction."""
    params = {"borrower": borrower_id, "grant_txn": besides_grant or 0}
    sql = _LOANS + " WHERE l.borrower_id = :borrower AND l.state = 'open' AND l.transaction_id != :grant_txn"
    found = [_loan(tuple(row)) for row in session.execute(text(sql + " ORDER BY l.id DESC"), params)]
    return next((loan for loan in found if loan.outstanding > 0 or loan.state == "waiting"), None)


def record_payments(session: Session, transaction_id: int, paid: Callable[[int], tuple[int, int | None]]) -> None:
    """Which loan each money entry of `transaction_id` paid: `paid` maps an entry's position in the
    transaction to (loan id, instalment number, or None for an early repayment). A night's instalments are
    thousands of rows: plain tuples, one statement."""
    cursor = raw_cursor(session)
    try:
        entries = cursor.execute("SELECT id FROM money_entry WHERE transaction_id = ? ORDER BY id",
                                 (transaction_id,)).fetchall()
        cursor.executemany("INSERT INTO loan_payment (loan_id, money_entry_id, instalment) VALUES (?, ?, ?)",
                           [(loan_id, entry, number)
                            for position, (entry,) in enumerate(entries) for loan_id, number in [paid(position)]])
    finally:
        cursor.close()


Query = TypeVar("Query")


def with_poster(query: Query) -> tuple[Query, ColumnElement[int]]:
    """`query` (a select over `txn`) joined to the loans, and the column saying who posted each transaction:
    its creator, or for a loan who granted it (see `poster_of`)."""
    joined = cast(Any, query).outerjoin(LoanRow, col(LoanRow.transaction_id) == col(Transaction.id))
    return cast(Query, joined), func.coalesce(col(LoanRow.granted_by_id), col(Transaction.creator_id))


def poster_of(session: Session, transaction_id: int, creator_id: int) -> int:
    """Who posted a transaction: its creator, but for a loan (created by the bank, which lends the money)
    the staff member or manager who granted it."""
    granted_by = session.execute(text("SELECT granted_by_id FROM loan WHERE transaction_id = :txn"),
                                 {"txn": transaction_id}).scalar()
    return int(granted_by) if granted_by is not None else creator_id


_CHARGED = text(  # from the payments, as `_PAID`
    """
    SELECT lp.loan_id, lp.instalment FROM loan_payment lp CROSS JOIN money_entry me CROSS JOIN txn t
     WHERE me.id = lp.money_entry_id AND t.id = me.transaction_id AND t.state = 'processed'
       AND lp.instalment IS NOT NULL AND lp.loan_id IN (SELECT id FROM loan WHERE state = 'open' AND day < :day)
    """
)


def due_instalments(session: Session, day: date) -> tuple[list[Instalment], dict[str, int]]:
    """Every instalment due on or before `day` that the nightly run has not charged, with what early
    repayments left of it (an instalment they removed entirely is left out), loan by loan; and the
    borrowers' account ids. An instalment a missed night left uncharged is charged by the next run."""
    charged: dict[int, set[int]] = defaultdict(set)
    for loan_id, number in session.execute(_CHARGED, {"day": day.isoformat()}):
        charged[loan_id].add(number)
    sql = _LOANS + " WHERE l.state = 'open' AND g.state = 'processed' AND l.day < :day ORDER BY l.id"
    due, borrowers = [], {}
    for row in session.execute(text(sql.replace("SELECT l.id,", "SELECT l.borrower_id, l.id,", 1)),
                               {"day": day.isoformat()}):
        loan = _loan(tuple(row)[1:])
        if loan.outstanding <= 0:
            continue
        remaining = remaining_instalments(loan.schedule, loan.repaid)
        last = min(len(loan.schedule), (day - loan.day).days)
        for number in range(1, last + 1):
            if number not in charged[loan.id] and remaining[number - 1] > 0:
                due.append(Instalment(loan.id, loan.borrower, number, len(loan.schedule), remaining[number - 1]))
                borrowers[loan.borrower] = row[0]
    return due, borrowers


# ---------------------------------------------------------------------------------------------- interest

# B for each open savings pocket of an active student: its cached balance (every counted entry; `verify`
# proves it) less what entries dated after the day moved, found through the few transactions so dated.
_INTEREST_BASES = text(
    """
    SELECT a.id, a.username, a.balance - COALESCE(later.amount, 0)
      FROM pocket p
      JOIN account a ON a.id = p.account_id
      JOIN account o ON o.id = p.owner_id
      LEFT JOIN (SELECT j.account_id, SUM(j.amount) AS amount FROM journal j
                  WHERE j.counter_type IS NULL AND j.transaction_id IN (SELECT id FROM txn WHERE day > :day)
                  GROUP BY j.account_id) later ON later.account_id = a.id
     WHERE p.kind = 'savings' AND p.closed_at IS NULL AND o.active = 1
       AND a.balance - COALESCE(later.amount, 0) > 0
     ORDER BY a.id
    """
)


def interest_bases(session: Session, day: date) -> list[tuple[int, str, int]]:
    """Each open savings pocket of an active student with money on it from counted entries dated on or
    before `day`: (account id, account username, balance B in cents)."""
    return [(account_id, username, int(balance))
            for account_id, username, balance in session.execute(_INTEREST_BASES, {"day": day.isoformat()})]


# ----------------------------------------------------------------------------------------------- funds

_FUNDS = """
    SELECT f.id, f.name, a.username, f.target, f.deadline, f.squad, a.balance, f.state, a.id
      FROM fund f JOIN account a ON a.id = f.account_id
"""


def _fund(row: tuple) -> tuple[Fund, Person]:
    fund_id, name, username, target, deadline, squad, balance, state, account_id = row
    fund = Fund(fund_id, name, username, target, _as_date(deadline), squad, balance, state)
    return fund, holding_person(account_id, username, FUND_ROLE, name, balance)


def fund(session: Session, fund_id: int) -> tuple[Fund, Person] | None:
    row = session.execute(text(_FUNDS + " WHERE f.id = :id"), {"id": fund_id}).first()
    return _fund(tuple(row)) if row is not None else None


def funds(session: Session, *, state: str | None = None) -> list[tuple[Fund, Person]]:
    sql = _FUNDS + (" WHERE f.state = :state" if state else "") + " ORDER BY f.id DESC"
    return [_fund(tuple(row)) for row in session.execute(text(sql), {"state": state})]


def funds_due(session: Session, day: date) -> list[int]:
    """Open funds whose deadline is `day` or earlier and whose total is short of the target."""
    rows = session.execute(text(
        "SELECT f.id FROM fund f JOIN account a ON a.id = f.account_id "
        "WHERE f.state = 'open' AND f.deadline <= :day AND a.balance < f.target ORDER BY f.id"),
        {"day": day.isoformat()})
    return [row[0] for row in rows]


_CONTRIBUTIONS = text(
    """
    SELECT c.username, c.id, SUM(me.amount) FROM money_entry me
      JOIN txn t ON t.id = me.transaction_id JOIN account c ON c.id = t.creator_id
     WHERE me.receiver_id = :account AND t.type = 'fund_contribution' AND t.state = 'processed'
     GROUP BY c.id
    """
)


def contributions(session: Session, fund_account_id: int) -> dict[str, tuple[int, int]]:
    """Each contributor's counted contributions to a fund: username -> (account id, cents)."""
    return {username: (account_id, int(total))
            for username, account_id, total in session.execute(_CONTRIBUTIONS, {"account": fund_account_id})}


def next_fund_username(session: Session) -> str:
    count = session.execute(text("SELECT COUNT(*) FROM fund")).scalar_one()
    return f"~fund:{int(count) + 1}"


# --------------------------------------------------------------------------------------------- circles

_CIRCLES = "SELECT id, name, contribution, start, members FROM circle"


def _circles(session: Session, where: str, params: dict[str, object]) -> list[Circle]:
    rows = [tuple(row) for row in session.execute(text(f"{_CIRCLES} WHERE {where} ORDER BY id"), params)]
    members = circle_members(session, [row[0] for row in rows])
    return [Circle(cid, name, contribution, _as_date(start), tuple(members.get(cid, ())))
            for cid, name, contribution, start, _count in rows]


_MEMBERS = text(
    "SELECT m.circle_id, a.username FROM circle_member m JOIN account a ON a.id = m.account_id "
    "WHERE m.circle_id IN :ids ORDER BY m.circle_id, m.position").bindparams(bindparam("ids", expanding=True))
_STUDENTS = text("SELECT username, id, active FROM account WHERE role = :role AND username IN :names"
                 ).bindparams(bindparam("names", expanding=True))


def circle_members(session: Session, circle_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(circle_ids)
    if not ids:
        return {}
    found: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(_MEMBERS, {"ids": ids})
    for circle_id, username in rows:
        found[circle_id].append(username)
    return found


def circles_on(session: Session, day: date) -> list[Circle]:
    """Circles not voided that hold a round on `day`."""
    return [circle for circle in _circles(session, "voided_at IS NULL AND start <= :day", {"day": day.isoformat()})
            if circle.round_on(day) is not None]


def circle(session: Session, circle_id: int) -> Circle | None:
    found = _circles(session, "id = :id", {"id": circle_id})
    return found[0] if found else None


def student_ids(session: Session, usernames: Iterable[str]) -> dict[str, tuple[int, bool]]:
    """Students by username: (account id, active)."""
    names = sorted(set(usernames))
    if not names:
        return {}
    rows = session.execute(_STUDENTS, {"role": Role.STUDENT.value, "names": names})
    return {username: (account_id, bool(active)) for username, account_id, active in rows}


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])

"""What the savings views read in SQL: instalments charged, contributions to funds, circles' rounds held,
every pocket of the camp, and the camp's totals set aside (docs/savings.md).

Only counted entries (their transaction `processed`) enter a sum.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store import keys

_CHARGED = text(
    "SELECT lp.instalment, -SUM(me.amount) FROM loan_payment lp JOIN money_entry me ON me.id = lp.money_entry_id "
    "JOIN txn t ON t.id = me.transaction_id AND t.state = 'processed' "
    "WHERE lp.loan_id = :loan AND lp.instalment IS NOT NULL GROUP BY lp.instalment")
_ALL_CHARGED = text(
    "SELECT lp.loan_id, lp.instalment, -SUM(me.amount) FROM loan_payment lp "
    "JOIN money_entry me ON me.id = lp.money_entry_id JOIN txn t ON t.id = me.transaction_id AND t.state = 'processed' "
    "WHERE lp.instalment IS NOT NULL GROUP BY lp.loan_id, lp.instalment")
# The state in the sums, not the WHERE: there, SQLite starts from the state's index and reads every processed
# transaction (255 ms on a big camp) instead of the student's own few.
_GIVEN_BY = text(
    "SELECT f.id, SUM(CASE WHEN t.state = 'processed' THEN me.amount END) FROM txn t "
    "JOIN money_entry me ON me.transaction_id = t.id JOIN fund f ON f.account_id = me.receiver_id "
    "WHERE t.creator_id = :me AND t.type = 'fund_contribution' GROUP BY f.id "
    "HAVING COUNT(CASE WHEN t.state = 'processed' THEN 1 END) > 0")
_CONTRIBUTORS = text(
    "SELECT COUNT(DISTINCT t.creator_id) FROM money_entry me JOIN txn t ON t.id = me.transaction_id "
    "JOIN account a ON a.id = me.receiver_id "
    "WHERE a.username = :fund AND t.type = 'fund_contribution' AND t.state = 'processed'")
_CIRCLES = text("SELECT id FROM circle ORDER BY id DESC")
_CIRCLES_OF = text("SELECT circle_id FROM circle_member WHERE account_id = :me ORDER BY circle_id DESC")
_VOIDED = text("SELECT voided_at IS NOT NULL FROM circle WHERE id = :id")
# by type alone, so the type's index finds the few rounds (with the state too, SQLite scans every processed one)
_ROUND_KEYS = text("SELECT idempotency_key, state FROM txn WHERE type = 'circle_round'")
_POCKETS = text(
    "SELECT o.username, o.last_name, o.first_name, o.middle_name, o.squad, p.name, p.kind, a.balance, p.target, "
    "p.closed_at IS NULL FROM pocket p JOIN account a ON a.id = p.account_id JOIN account o ON o.id = p.owner_id")
# Like the statistics' money supply: only the pockets of active students.
_IN_POCKETS = text(
    "SELECT p.kind, COALESCE(SUM(a.balance), 0) FROM pocket p JOIN account a ON a.id = p.account_id "
    "JOIN account o ON o.id = p.owner_id WHERE o.active = 1 GROUP BY p.kind")
_IN_FUNDS = text("SELECT COALESCE(SUM(a.balance), 0) FROM fund f JOIN account a ON a.id = f.account_id")


def instalments_charged(session: Session, loan_id: int) -> dict[int, int]:
    """Instalment number -> what the nightly run charged for it (cents)."""
    return {int(number): int(amount) for number, amount in session.execute(_CHARGED, {"loan": loan_id})}


def every_instalment_charged(session: Session) -> dict[int, dict[int, int]]:
    """Loan id -> `instalments_charged` of that loan, for every loan at once."""
    found: dict[int, dict[int, int]] = {}
    for loan_id, number, amount in session.execute(_ALL_CHARGED):
        found.setdefault(int(loan_id), {})[int(number)] = int(amount)
    return found


def contributions_by(session: Session, account_id: int) -> dict[int, int]:
    """Fund id -> what this student gave to it (cents)."""
    return {int(fund_id): int(total) for fund_id, total in session.execute(_GIVEN_BY, {"me": account_id})}


def contributors(session: Session, fund_account: str) -> int:
    """How many people gave to the fund whose account is `fund_account`."""
    return int(session.execute(_CONTRIBUTORS, {"fund": fund_account}).scalar_one())


def circle_ids(session: Session, *, member_id: int | None = None) -> list[int]:
    """Every circle's id, or those `member_id` belongs to, newest first."""
    rows = session.execute(_CIRCLES) if member_id is None else session.execute(_CIRCLES_OF, {"me": member_id})
    return [int(circle_id) for (circle_id,) in rows]


def circle_voided(session: Session, circle_id: int) -> bool:
    return bool(session.execute(_VOIDED, {"id": circle_id}).scalar_one())


def rounds_held(session: Session, circle_id: int) -> set[int]:
    """The numbers of the circle's rounds that were paid (their transactions counted)."""
    prefix = keys.system_key("circle", circle_id) + ":"
    return {int(key.rsplit(":", 1)[1]) for key, state in session.execute(_ROUND_KEYS)
            if state == "processed" and key is not None and key.startswith(prefix)}


class PocketRow(NamedTuple):
    username: str
    last_name: str
    first_name: str
    middle_name: str
    squad: str | None
    name: str
    kind: str
    balance: int
    target: int | None
    open: bool


def pocket_rows(session: Session) -> list[PocketRow]:
    """Every pocket of every student, open or closed, with its owner."""
    return [PocketRow(username, last, first, middle, squad, name, kind, int(balance), target, bool(is_open))
            for username, last, first, middle, squad, name, kind, balance, target, is_open
            in session.execute(_POCKETS)]


def pocket_sums(session: Session) -> dict[str, int]:
    """Pocket kind -> the money in pockets of that kind of active students (cents)."""
    return {str(kind): int(total) for kind, total in session.execute(_IN_POCKETS)}


def money_in_funds(session: Session) -> int:
    return int(session.execute(_IN_FUNDS).scalar_one())

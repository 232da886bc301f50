"""Writing the journal: the rows that make a transaction count, and the rows that undo them.

Set-based SQL keeps this fast for big groups (a tax over thousands of students). The cached balances
and counter totals change in the same database transaction, by exactly what the new rows add.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session

from campbank.core.errors import RuleError

_PROCESS = text(
    """
    INSERT INTO journal (transaction_id, account_id, money_entry_id, counter_entry_id,
                         counter_type, amount, reverses, created_at)
    SELECT transaction_id, receiver_id, id, CAST(NULL AS INTEGER), CAST(NULL AS TEXT), amount, 0, :at
      FROM money_entry WHERE transaction_id = :txn
    UNION ALL
    SELECT transaction_id, :creator, id, NULL, NULL, -amount, 0, :at
      FROM money_entry WHERE transaction_id = :txn
    UNION ALL
    SELECT transaction_id, receiver_id, NULL, id, counter_type, value, 0, :at
      FROM counter_entry WHERE transaction_id = :txn
    """
)

_REVERSE = text(
    """
    INSERT INTO journal (transaction_id, account_id, money_entry_id, counter_entry_id,
                         counter_type, amount, reverses, created_at)
    SELECT transaction_id, account_id, money_entry_id, counter_entry_id, counter_type, -amount, 1, :at
      FROM journal WHERE transaction_id = :txn AND reverses = 0
    """
)

_NEGATIVE_COUNTERS = text(
    """
    SELECT a.username, ct.counter_type, ct.total FROM counter_total ct JOIN account a ON a.id = ct.account_id
     WHERE ct.total < 0 AND ct.account_id IN (SELECT account_id FROM journal WHERE transaction_id = :txn
                                                AND counter_type IS NOT NULL)
     LIMIT 1
    """
)

# A pocket or a fund never holds less than nothing (docs/savings.md#guarantees): cancelling a move into a
# pocket whose money has moved on, or a contribution to a fund already spent, is refused.
_NEGATIVE_HOLDINGS = text(
    """
    SELECT a.username, a.role, a.balance FROM journal j JOIN account a ON a.id = j.account_id
     WHERE j.transaction_id = :txn AND j.counter_type IS NULL AND j.amount < 0
       AND a.role IN ('pocket', 'fund') AND a.balance < 0
     LIMIT 1
    """
)

# The caches move by exactly what the new rows add, in one statement each (UPDATE … FROM: SQLite 3.33+).
_ADD_TO_BALANCES = text(
    """
    UPDATE account SET balance = balance + d.delta
      FROM (SELECT account_id, SUM(amount) AS delta FROM journal
             WHERE transaction_id = :txn AND reverses = :reverses AND counter_type IS NULL
             GROUP BY account_id) AS d
     WHERE account.id = d.account_id AND d.delta != 0
    """
)
_ADD_TO_COUNTERS = text(
    """
    INSERT INTO counter_total (account_id, counter_type, total)
    SELECT account_id, counter_type, SUM(amount) FROM journal
     WHERE transaction_id = :txn AND reverses = :reverses AND counter_type IS NOT NULL
     GROUP BY account_id, counter_type
    ON CONFLICT (account_id, counter_type) DO UPDATE SET total = counter_total.total + excluded.total
    """
)


def count(session: Session, transaction_id: int, creator_id: int, at: datetime) -> None:
    """Make a transaction's entries count: write its journal rows and move the caches."""
    session.execute(_PROCESS, {"txn": transaction_id, "creator": creator_id, "at": stamp(at)})
    _apply_deltas(session, transaction_id, reverses=False)
    _refuse_negative_holdings(session, transaction_id)


def stop_counting(session: Session, transaction_id: int, at: datetime) -> None:
    """Undo a processed transaction by writing the negation of each of its rows.

    Refused when it would leave a counter below zero: certificates already spent on books cannot be
    taken back by cancelling the transaction that gave them.
    """
    session.execute(_REVERSE, {"txn": transaction_id, "at": stamp(at)})
    _apply_deltas(session, transaction_id, reverses=True)
    _refuse_negative_holdings(session, transaction_id)
    spent = session.execute(_NEGATIVE_COUNTERS, {"txn": transaction_id}).first()
    if spent is not None:
        username, counter, total = spent
        raise RuleError(
            f"#{transaction_id} cannot stop counting: {username}'s {counter} would fall to {total} "
            "(already spent); cancel what spent it first",
            field="id",
        )


def _refuse_negative_holdings(session: Session, transaction_id: int) -> None:
    short = session.execute(_NEGATIVE_HOLDINGS, {"txn": transaction_id}).first()
    if short is not None:
        _username, role, balance = short
        raise RuleError(f"#{transaction_id} would leave a {role} at {balance / 100:.2f}; the money has moved on "
                        "since (move it back first)", field="id")


def _apply_deltas(session: Session, transaction_id: int, *, reverses: bool) -> None:
    params = {"txn": transaction_id, "reverses": int(reverses)}
    session.execute(_ADD_TO_BALANCES, params)
    session.execute(_ADD_TO_COUNTERS, params)


def stamp(at: datetime) -> str:
    """The text SQLAlchemy itself writes for a DateTime column, so both kinds of row read alike."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")

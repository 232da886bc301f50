"""Transactions found by their system key (`store.keys`): a key with its later generations (`KEY:2`… after
a void), or every key under a prefix.

Looked up through the index on the transaction's type: a prefix cannot use the key's index (`LIKE`), and
SQLite would otherwise take the index on the state, which leads through every processed transaction (a
camp's screen waited 40 ms on it). So the state is checked by the caller, on the few rows found.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from campbank.ledger.store.tables import Transaction


def generations(session: Session, type_: str, base: str) -> list[Transaction]:
    """The transactions of type `type_` keyed `base` or `base:N`, oldest first."""
    key = col(Transaction.idempotency_key)
    return list(session.exec(select(Transaction).where(Transaction.type == type_)
                             .where((key == base) | key.startswith(f"{base}:"))
                             .order_by(col(Transaction.id))).all())


def taken(session: Session, keys: list[str]) -> set[str]:
    """Which of these exact keys a transaction already carries (read a few hundred at a time)."""
    found: set[str] = set()
    key = col(Transaction.idempotency_key)
    for start in range(0, len(keys), 500):
        found.update(k for k in session.exec(select(key).where(key.in_(keys[start:start + 500]))) if k)
    return found


def under(session: Session, type_: str, prefix: str) -> list[Transaction]:
    """The transactions of type `type_` whose key starts with `prefix`, oldest first."""
    return list(session.exec(select(Transaction).where(Transaction.type == type_)
                             .where(col(Transaction.idempotency_key).startswith(prefix))
                             .order_by(col(Transaction.id))).all())

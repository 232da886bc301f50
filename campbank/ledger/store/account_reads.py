"""Plain-SQL reads of one account for the hot paths (the API's /me answers each request with these):
no ORM objects, a handful of indexed lookups on a DB-API cursor (`dialects.raw_cursor`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_ACCOUNT = """
    SELECT id, username, role, last_name, first_name, middle_name, squad, grade, active, balance
      FROM account WHERE id = ?"""
_COUNTERS = "SELECT counter_type, total FROM counter_total WHERE account_id = ? AND total != 0"
_POCKETS = "SELECT COALESCE(SUM(a.balance), 0) FROM pocket p JOIN account a ON a.id = p.account_id WHERE p.owner_id = ?"
_PENDING = """
    SELECT t.id, t.created_at, r.username, r.last_name, r.first_name, r.middle_name, m.amount, t.description,
           t.state
      FROM txn t
      JOIN money_entry m ON m.transaction_id = t.id
      JOIN account r ON r.id = m.receiver_id
     WHERE t.creator_id = ? AND t.state = 'created' AND t.type IN ({types})
     ORDER BY t.id DESC LIMIT ?"""


def account_columns(cursor: Any, account_id: int) -> tuple | None:
    """(id, username, role, last, first, middle, squad, grade, active, balance) or None."""
    row = cursor.execute(_ACCOUNT, (account_id,)).fetchone()
    return tuple(row) if row is not None else None


def counter_totals(cursor: Any, account_id: int) -> dict[str, int]:
    return {name: int(total) for name, total in cursor.execute(_COUNTERS, (account_id,)).fetchall()}


def pocket_total(cursor: Any, owner_id: int) -> int:
    """What one student has in pockets besides the main one."""
    return int(cursor.execute(_POCKETS, (owner_id,)).fetchone()[0])


def pending_requests(cursor: Any, creator_id: int, types: Iterable[str], limit: int = 30) -> list[tuple]:
    """A person's requests still waiting for approval, newest first:
    (id, created_at, receiver username, last, first, middle, amount, description, state)."""
    kinds = tuple(types)
    if not kinds:
        return []
    sql = _PENDING.format(types=", ".join("?" * len(kinds)))  # placeholders only; the values are bound
    return [tuple(row) for row in cursor.execute(sql, (creator_id, *kinds, limit)).fetchall()]

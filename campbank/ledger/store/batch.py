"""Writing many small transactions of the ledger's own at once: a night's savings-circle rounds, the initial
grants of an import's students.

Each is whole and keyed like any transaction (`posting.record_transaction` writes them one by one), but
here every table gets one statement for all of them: the transactions (ids taken under the write lock the
caller holds), their money entries, their journal rows (receiver +, creator −), the cached balances, and
each one's `txn.created` and `txn.processed` audit rows. Fifty rounds cost a few statements, not fifty
times a dozen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlmodel import Session

from campbank.core.enums import State
from campbank.ledger.store import dialects, journal


@dataclass(frozen=True)
class NewTransaction:
    """One transaction to write: entries are (receiver account id, amount, money type, description)."""

    type: str
    creator_id: int
    day: date
    description: str
    payload: dict[str, object]
    key: str
    entries: Sequence[tuple[int, int, str, str]]


def write_processed(session: Session, items: Sequence[NewTransaction], *, at: datetime) -> list[int]:
    """Write every item as a processed transaction, in the caller's write transaction; returns their ids."""
    if not items:
        return []
    stamp = journal.stamp(at)
    first = int(session.execute(text("SELECT COALESCE(MAX(id), 0) FROM txn")).scalar_one()) + 1
    ids = list(range(first, first + len(items)))
    session.execute(_TXN, [
        {"id": txn_id, "type": item.type, "creator": item.creator_id, "at": stamp, "day": item.day.isoformat(),
         "state": State.PROCESSED.value, "description": item.description,
         "payload": json.dumps(item.payload, ensure_ascii=False, sort_keys=True), "key": item.key,
         "amount": sum(e[1] for e in item.entries), "recipients": len({e[0] for e in item.entries})}
        for txn_id, item in zip(ids, items, strict=True)])
    dialects.of(session).continue_ids(session.connection(), "txn")  # the ids were taken under the write lock
    session.execute(_ENTRY, [{"txn": txn_id, "receiver": receiver, "amount": amount, "money_type": money_type,
                              "description": description}
                             for txn_id, item in zip(ids, items, strict=True)
                             for receiver, amount, money_type, description in item.entries])
    session.execute(_JOURNAL, {"first": first, "last": ids[-1], "at": stamp})
    session.execute(_BALANCES, {"first": first, "last": ids[-1]})
    audits = []
    for txn_id, item in zip(ids, items, strict=True):
        created = json.dumps({"type": item.type, "update_of": None}, sort_keys=True)
        processed = json.dumps({"from_state": "created", "reason": "", "type": item.type}, sort_keys=True)
        audits += [{"at": stamp, "actor": item.creator_id, "action": "txn.created", "target": f"txn:{txn_id}",
                    "detail": created},
                   {"at": stamp, "actor": item.creator_id, "action": "txn.processed", "target": f"txn:{txn_id}",
                    "detail": processed}]
    session.execute(_AUDIT, audits)
    return ids


_TXN = text(
    "INSERT INTO txn (id, type, creator_id, created_at, day, state, description, payload, update_of, "
    "idempotency_key, amount, recipients) "
    "VALUES (:id, :type, :creator, :at, :day, :state, :description, :payload, NULL, :key, :amount, :recipients)")
_ENTRY = text(
    "INSERT INTO money_entry (transaction_id, receiver_id, amount, money_type, description) "
    "VALUES (:txn, :receiver, :amount, :money_type, :description)")
_JOURNAL = text(
    """
    INSERT INTO journal (transaction_id, account_id, money_entry_id, counter_entry_id, counter_type, amount,
                         reverses, created_at)
    SELECT m.transaction_id, m.receiver_id, m.id, CAST(NULL AS INTEGER), CAST(NULL AS TEXT), m.amount, 0, :at
      FROM money_entry m WHERE m.transaction_id BETWEEN :first AND :last
    UNION ALL
    SELECT m.transaction_id, t.creator_id, m.id, NULL, NULL, -m.amount, 0, :at
      FROM money_entry m JOIN txn t ON t.id = m.transaction_id WHERE m.transaction_id BETWEEN :first AND :last
    """
)
_BALANCES = text(
    """
    UPDATE account SET balance = balance + d.delta
      FROM (SELECT account_id, SUM(amount) AS delta FROM journal
             WHERE transaction_id BETWEEN :first AND :last AND counter_type IS NULL
             GROUP BY account_id) AS d
     WHERE account.id = d.account_id AND d.delta != 0
    """
)
_AUDIT = text("INSERT INTO audit_log (at, actor_id, action, target, detail) "
              "VALUES (:at, :actor, :action, :target, :detail)")

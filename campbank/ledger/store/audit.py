"""The audit log: who did what and when, for every change. Rows are append-only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from campbank.ledger import clock
from campbank.ledger.store.tables import Account, AuditRow


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None,
    target: str = "",
    at: datetime | None = None,
    **detail: object,
) -> None:
    session.add(
        AuditRow(
            at=at or clock.now(),
            actor_id=actor_id,
            action=action,
            target=target,
            detail=json.dumps(detail, default=str, ensure_ascii=False, sort_keys=True),
        )
    )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, object]


def recent(session: Session, *, limit: int = 200, action_prefix: str = "") -> list[AuditEntry]:
    query = (
        select(AuditRow, Account.username)
        .join(Account, col(Account.id) == col(AuditRow.actor_id), isouter=True)
        .order_by(col(AuditRow.id).desc())
        .limit(limit)
    )
    if action_prefix:
        query = query.where(col(AuditRow.action).startswith(action_prefix))
    return [
        AuditEntry(row.id or 0, row.at, username or "-", row.action, row.target, json.loads(row.detail))
        for row, username in session.exec(query)
    ]

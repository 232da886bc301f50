"""The audit row of an export: the ledger keeps who took which data out, and where to."""

from __future__ import annotations

from sqlmodel import Session

from campbank.ledger.permissions import Actor
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database


def record_export(db: Database, actor: Actor, kind: str, *, target: str, **detail: object) -> None:
    """Audit an export (`export.money`, `export.xlsx`, ...) written to `target`."""

    def work(session: Session) -> None:
        audit.record(session, f"export.{kind}", actor_id=actor.id, target=target, at=None, **detail)

    db.write(work, while_closed=True)  # an export is a read: a closed camp allows it

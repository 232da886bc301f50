"""Small facts about a database file kept in its `meta` table (the schema version, a demo camp's mark)."""

from __future__ import annotations

from sqlmodel import Session

from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Meta


def meta_value(db: Database, key: str) -> str | None:
    with db.session() as session:
        row = session.get(Meta, key)
        return None if row is None else row.value


def set_meta_value(db: Database, key: str, value: str) -> None:
    def work(session: Session) -> None:
        session.merge(Meta(key=key, value=value))

    db.write(work)

"""A closed camp: once the season is closed, the database refuses every change in its one write path.

`Database.write` asks `refuse_if_closed` before any work, so no action can forget it. The few writes a
closed camp still makes are the audit rows of reading (signing in and out, exports, statements, backups):
those pass `while_closed=True` (docs/season.md#closing-the-season).
"""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlmodel import Session

from campbank.core.errors import RuleError

CLOSED_KEY = "season_closed"  # the meta row: JSON {"at": ..., "by": ...}
_READ = text("SELECT value FROM meta WHERE key = :key")


def closed_facts(session: Session) -> dict[str, str] | None:
    """When and by whom the season was closed, or None while it is open."""
    value = session.connection().execute(_READ, {"key": CLOSED_KEY}).scalar()
    return None if value is None else dict(json.loads(value))


def refuse_if_closed(session: Session) -> None:
    facts = closed_facts(session)
    if facts is not None:
        raise RuleError(f"the season is closed (since {facts.get('at', '?')[:16]}, by {facts.get('by', '?')}): "
                        "nothing can be changed; reports, exports, statements, verify and backups still work",
                        field="season")


def mark_closed(session: Session, at: str, by: str) -> None:
    session.connection().execute(text("INSERT INTO meta (key, value) VALUES (:key, :value)"),
                                 {"key": CLOSED_KEY, "value": json.dumps({"at": at, "by": by})})

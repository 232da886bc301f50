"""Every role and password hash an account is given is audited, with a digest of the hash.

A `user.credentials` audit row holds an account's role and the SHA-256 of its password hash (never the
hash). It is written in the same flush as the change, by an ORM hook, so every way of setting them —
adding, importing, editing, resetting a password, the first manager, the rehash on sign-in — leaves one.
`campbank verify` then finds a role or a hash written into the file directly: it no longer matches the
account's last audited one (docs/tamper-evidence.md). Code that sets either without the ORM must call
`credentials_row` itself.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event, inspect
from sqlmodel import Session

from campbank.ledger import clock
from campbank.ledger.store.audited_credentials import ACTION, detail
from campbank.ledger.store.journal import stamp
from campbank.ledger.store.tables import Account, AuditRow

_WATCHED = ("username", "role", "password_hash")


def credentials_row(account: Account, *, reason: str, was: dict[str, Any] | None = None) -> AuditRow:
    """`was`: the role and digest it replaces, so verify can tell a change made from a forged value."""
    values = {**detail(account.role, account.password_hash), "reason": reason}
    if was is not None:
        values["was"] = was
    return AuditRow(at=clock.now(), actor_id=None, action=ACTION, target=f"user:{account.username}",
                    detail=json.dumps(values, ensure_ascii=False, sort_keys=True))


@event.listens_for(Session, "before_flush")
def _audit_credentials(session: Session, _context: object, _instances: object) -> None:
    for obj in list(session.new):
        if isinstance(obj, Account):
            session.add(credentials_row(obj, reason="created"))
    for obj in list(session.dirty):
        if isinstance(obj, Account):
            state = inspect(obj)
            changed = [name for name in _WATCHED if state.attrs[name].history.has_changes()]
            if changed:
                session.add(credentials_row(obj, reason="changed " + ", ".join(changed), was=detail(
                    _before(state, "role"), _before(state, "password_hash"))))


def _before(state: Any, name: str) -> Any:
    """The value an attribute had when loaded (or last flushed)."""
    history = state.attrs[name].history
    return history.deleted[0] if history.deleted else getattr(state.object, name)


def audit_missing(cursor: Any) -> int:
    """A `user.credentials` row for each account that has none (a camp made before they were kept)."""
    accounts = cursor.execute(
        "SELECT username, role, password_hash FROM account WHERE 'user:' || username NOT IN "
        "(SELECT target FROM audit_log WHERE action = ?)", (ACTION,)).fetchall()
    at = stamp(clock.now())
    rows = [(at, ACTION, f"user:{username}",
             json.dumps({**detail(role, password_hash), "reason": "chain started"}, ensure_ascii=False,
                        sort_keys=True))
            for username, role, password_hash in accounts]
    cursor.executemany("INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?, NULL, ?, ?, ?)",
                       rows)
    return len(rows)


"""API tokens in the database: their digests, and revoking every live token of an account.

A token is 32 random bytes (256 bits), so a plain SHA-256 digest is enough to keep it: nobody can guess
a token from its digest, and a lookup by digest is one index probe. The token itself is never stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from campbank.core.errors import AuthError
from campbank.ledger.store import audit
from campbank.ledger.store.journal import stamp
from campbank.ledger.store.tables import ApiToken


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def password_stamp(password_hash: str | None) -> str:
    """A short fingerprint of an account's password hash: it changes whenever the password does."""
    return hashlib.sha256((password_hash or "").encode("utf-8")).hexdigest()[:32]


def revoke_all(session: Session, account_id: int | None, *, at: datetime, reason: str,
               actor_id: int | None) -> int:
    """Revoke every live token of an account (inside the caller's write); audited when there were any."""
    if account_id is None:
        return 0
    result = session.execute(
        update(ApiToken)
        .where(col(ApiToken.account_id) == account_id)
        .where(col(ApiToken.revoked_at).is_(None))
        .where(col(ApiToken.expires_at) > at)
        .values(revoked_at=at)
    )
    revoked = int(getattr(result, "rowcount", 0) or 0)
    if revoked:
        audit.record(session, "token.revoked", actor_id=actor_id, target=f"account:{account_id}", at=at,
                     reason=reason, tokens=revoked)
    return revoked


@dataclass(frozen=True)
class TokenOwner:
    """A token's row with its account's columns, read in one statement."""

    expires_at: str  # UTC text, as stored: compares in time order
    revoked: bool
    password_stamp: str
    account_id: int
    username: str
    role: str
    active: bool
    can_login: bool
    password_hash: str | None


_FIND = """
    SELECT t.expires_at, t.revoked_at IS NOT NULL, t.password_stamp,
           a.id, a.username, a.role, a.active, a.can_login, a.password_hash
      FROM api_token t JOIN account a ON a.id = t.account_id
     WHERE t.digest = ?"""


def find(cursor: Any, token: str) -> TokenOwner | None:
    """The token's row and owner, or None: one indexed lookup on the digest on a DB-API cursor
    (`dialects.raw_cursor`), no ORM: every request of the API starts here."""
    row = cursor.execute(_FIND, (digest(token),)).fetchone()
    if row is None:
        return None
    expires, revoked, stamp, account_id, username, role, active, can_login, password_hash = row
    return TokenOwner(str(expires), bool(revoked), stamp, account_id, username, role, bool(active), bool(can_login),
                      password_hash)


def check(owner: TokenOwner | None, at: datetime) -> None:
    """Refuse a token that is unknown, revoked, outdated by a password change, expired, or whose owner
    can no longer sign in; each with the reason a person can act on."""
    if owner is None:
        raise AuthError("this is not a valid token; sign in again", field="token")
    if owner.revoked or owner.password_stamp != password_stamp(owner.password_hash):
        raise AuthError("this token was revoked (signed out or password changed); sign in again", field="token")
    if owner.expires_at <= stamp(at):  # compared as stored text
        raise AuthError("this token has expired; sign in again", field="token")
    if not owner.active or not owner.can_login:
        raise AuthError("this account is deactivated", field="token")

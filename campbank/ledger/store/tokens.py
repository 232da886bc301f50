"""API tokens in the database: their digests, and revoking every live token of an account.

A token is 32 random bytes (256 bits), so a plain SHA-256 digest is enough to keep it: nobody can guess
a token from its digest, and a lookup by digest is one index probe. The token itself is never stored.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from campbank.ledger.store import audit
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

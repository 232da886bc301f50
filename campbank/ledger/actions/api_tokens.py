"""Bearer tokens of the JSON API: issued by a sign-in, checked on every request, revoked at sign-out.

A token is issued only through `auth.sign_in`, so the API has the office's lockout, audit and role
checks. The database keeps the token's SHA-256 digest, never the token. A token stops working when it
expires (the season's `[api] token_seconds`, 12 h by default), when its owner signs out, when the owner's
password changes (set, imported or rehashed: every path that writes a password revokes the account's
tokens, and the password stamp catches any path that forgets), and when the account is deactivated.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from campbank.core.enums import Role
from campbank.core.errors import AuthError, PermissionDenied
from campbank.ledger import clock
from campbank.ledger.actions import auth
from campbank.ledger.permissions import Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, tokens
from campbank.ledger.store.database import Database
from campbank.ledger.store.dialects import raw_cursor
from campbank.ledger.store.tables import Account, ApiToken

PLACE = "api"
MAX_TOKEN_LENGTH = 200  # ours are 43 characters; anything much longer is not one of ours


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once; the database keeps only its digest
    expires_at: datetime
    actor: Actor


def api_enabled(db: Database) -> bool:
    with db.session() as session:
        return current_season(session).api_enabled


def issue(db: Database, username: str, password: str, *, now: datetime | None = None) -> IssuedToken:
    """Sign in (counting failures and lockouts like the office) and issue a new token."""
    if not api_enabled(db):
        raise PermissionDenied("the API is switched off in this season", field="api")
    actor = auth.sign_in(db, username, password, now=now, place=PLACE)
    token = secrets.token_urlsafe(32)

    def work(session: Session) -> IssuedToken:
        at = now or clock.now()
        season = current_season(session)
        if not season.api_enabled:
            raise PermissionDenied("the API is switched off in this season", field="api")
        account = session.get(Account, actor.id)
        assert account is not None
        expires = at + timedelta(seconds=season.api_token_seconds)
        session.add(ApiToken(digest=tokens.digest(token), account_id=actor.id, created_at=at, expires_at=expires,
                             password_stamp=tokens.password_stamp(account.password_hash)))
        session.flush()
        audit.record(session, "token.issued", actor_id=actor.id, target=f"user:{actor.username}", at=at,
                     expires=expires.isoformat(), place=PLACE)
        return IssuedToken(token, expires, actor)

    return db.write(work, while_closed=True)


def authenticate(db: Database, token: str | None, *, now: datetime | None = None) -> Actor:
    """Who a bearer token belongs to, or AuthError saying why it is not (or no longer) good."""
    check_shape(token)
    with db.session() as session:
        owner = tokens.find(raw_cursor(session), str(token))
        tokens.check(owner, now or clock.now())
        if not current_season(session).api_enabled:
            raise PermissionDenied("the API is switched off in this season", field="api")
    assert owner is not None
    return Actor(owner.account_id, owner.username, Role(owner.role))


def check_shape(token: str | None) -> None:
    if not token:
        raise AuthError("sign in first: POST /api/v1/auth/token gives a bearer token", field="token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthError("this is not a valid token; sign in again", field="token")


def revoke(db: Database, token: str, *, now: datetime | None = None) -> Actor:
    """Sign out: revoke this token (audited as the owner's logout from the API)."""
    actor = authenticate(db, token, now=now)

    def work(session: Session) -> None:
        at = now or clock.now()
        row = session.exec(select(ApiToken).where(ApiToken.digest == tokens.digest(token))).one()
        if row.revoked_at is not None:  # signed out twice at once: the first one did it
            return
        row.revoked_at = at
        session.add(row)
        audit.record(session, "token.revoked", actor_id=actor.id, target=f"user:{actor.username}", at=at,
                     reason="sign-out", tokens=1)
        audit.record(session, "logout", actor_id=actor.id, target=f"user:{actor.username}", at=at,
                     reason="logout", place=PLACE)

    db.write(work, while_closed=True)
    return actor

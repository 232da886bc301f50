"""Passwords and sign-in: argon2id hashes (rehashed when the parameters change) and lockout.

After `MAX_FAILURES` wrong passwords in a row an account is locked for 30 s, doubling with each
further lockout until a successful sign-in. Every sign-in, failure, lockout and sign-out is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, select

from campbank.core.errors import AuthError, InputError
from campbank.core.text import check_secret, clean_name
from campbank.ledger import clock
from campbank.ledger.permissions import Actor
from campbank.ledger.store import audit, tokens
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account

MAX_FAILURES = 5
FIRST_LOCKOUT = timedelta(seconds=30)
MIN_PASSWORD = 8
MAX_TYPED_USERNAME = 64

# OWASP's argon2id baseline (19 MiB, 2 passes): about 20 ms a hash on a laptop.
hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_password(password: str) -> str:
    check_password_rules(password)
    return hasher.hash(password)


def check_password_rules(password: str, field: str = "password") -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError(f"must be at least {MIN_PASSWORD} characters", field=field)
    if len(password) > 256:
        raise InputError("must be at most 256 characters", field=field)
    check_secret(password, field=field)


def lockout_length(lockouts: int) -> timedelta:
    """30 s for the first lockout, then 60 s, 120 s, …"""
    return FIRST_LOCKOUT * (2 ** max(0, lockouts - 1))


def sign_in(db: Database, username: str, password: str, *, now: datetime | None = None,
            allowed_roles: frozenset[str] | None = None, place: str = "office") -> Actor:
    """Check a password and return who signed in; raise AuthError saying why not (audited either way).

    A username no account could have (control characters, escape sequences, invisible characters, too
    long) is refused as bad input before anything is looked up or written."""
    username = clean_name(username, field="username", max_length=MAX_TYPED_USERNAME, strip=False)
    outcome: dict[str, object] = {}

    def work(session: Session) -> Actor | None:
        at = now or clock.now()
        account = session.exec(select(Account).where(Account.username == username)).first()
        if account is None or not account.can_login or account.password_hash is None:
            audit.record(session, "login.failed", actor_id=account.id if account else None,
                         target=f"user:{username}", at=at, reason="unknown user", place=place)
            outcome["error"] = "wrong username or password"
            return None
        if account.locked_until is not None and account.locked_until > at:
            wait = int((account.locked_until - at).total_seconds()) + 1
            audit.record(session, "login.refused", actor_id=account.id, target=f"user:{username}", at=at,
                         reason="locked", place=place)
            outcome["error"] = f"this account is locked; try again in {wait} s"
            return None
        if not _password_matches(account, password):
            _count_failure(session, account, at, place)
            outcome["error"] = (
                f"this account is locked for {int(lockout_length(account.lockouts).total_seconds())} s after "
                f"{MAX_FAILURES} wrong passwords"
                if account.locked_until and account.locked_until > at
                else "wrong username or password"
            )
            return None
        if not account.active:
            audit.record(session, "login.refused", actor_id=account.id, target=f"user:{username}", at=at,
                         reason="deactivated", place=place)
            outcome["error"] = "this account is deactivated"
            return None
        if allowed_roles is not None and account.role not in allowed_roles:
            audit.record(session, "login.refused", actor_id=account.id, target=f"user:{username}", at=at,
                         reason=f"{account.role} at {place}", place=place)
            outcome["error"] = f"a {account.role} cannot sign in here"
            return None
        if hasher.check_needs_rehash(account.password_hash):
            account.password_hash = hasher.hash(password)
            tokens.revoke_all(session, account.id, at=at, reason="password rehashed", actor_id=account.id)
        account.failed_logins = 0
        account.lockouts = 0
        account.locked_until = None
        session.add(account)
        audit.record(session, "login.ok", actor_id=account.id, target=f"user:{username}", at=at, place=place)
        return Actor.of(account)

    actor = db.write(work)
    if actor is None:
        raise AuthError(str(outcome["error"]), field="password")
    return actor


def sign_out(db: Database, actor: Actor, *, reason: str = "logout", place: str = "office") -> None:
    db.write(lambda session: audit.record(session, "logout", actor_id=actor.id,
                                          target=f"user:{actor.username}", reason=reason, place=place))


def _password_matches(account: Account, password: str) -> bool:
    try:
        return hasher.verify(account.password_hash or "", password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, account: Account, at: datetime, place: str) -> None:
    account.failed_logins += 1
    audit.record(session, "login.failed", actor_id=account.id, target=f"user:{account.username}", at=at,
                 reason="wrong password", failures=account.failed_logins, place=place)
    if account.failed_logins >= MAX_FAILURES:
        account.lockouts += 1
        account.failed_logins = 0
        account.locked_until = at + lockout_length(account.lockouts)
        audit.record(session, "login.lockout", actor_id=account.id, target=f"user:{account.username}",
                     at=at, seconds=int(lockout_length(account.lockouts).total_seconds()), place=place)
    session.add(account)

"""Passwords and sign-in: argon2id hashes (rehashed when the parameters change) and lockout.

After `MAX_FAILURES` wrong passwords in a row an account is locked for 30 s, doubling with each
further lockout until a successful sign-in. Every sign-in, failure, lockout and sign-out is audited.

What a sign-in must not give away (docs/security-guards.md, "Signing in"): every attempt that reaches a
password check costs one argon2 verification, against a stand-in hash when the username is unknown, so
the time taken does not tell whether a username exists; a username that is not a real one is never stored
(it may be a password typed into the wrong box), only a short hash of it to see repeats; a place that
takes only some roles (the kiosk) refuses the others before their password is checked, so a guess typed
there never counts against them; and a staff member's or manager's wrong passwords at a kiosk (its exit
dialog) are counted apart from the office's, so a student cannot lock them out of the office.
"""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, select

from campbank.core.enums import Role
from campbank.core.errors import AuthError, InputError
from campbank.core.text import check_secret, clean_name
from campbank.ledger import clock
from campbank.ledger.permissions import Actor
from campbank.ledger.store import audit, tokens
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, SignInLock

MAX_FAILURES = 5
FIRST_LOCKOUT = timedelta(seconds=30)
MIN_PASSWORD = 8
KIOSK_PLACES = frozenset({"kiosk", "kiosk exit"})
WRONG = "wrong username or password"
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
            allowed_roles: frozenset[str] | None = None, place: str = "office",
            refusal: str = "cannot sign in here") -> Actor:
    """Check a password and return who signed in; raise AuthError saying why not (audited either way).

    `allowed_roles` limits who may sign in at `place`; anyone else is refused with "a ROLE REFUSAL"
    before the password is looked at. A username no account could have (control characters, escape
    sequences, invisible characters, too long) is refused as bad input before anything is looked up or
    written."""
    username = clean_name(username, field="username", max_length=MAX_TYPED_USERNAME, strip=False)
    outcome: dict[str, object] = {}

    def work(session: Session) -> Actor | None:
        at = now or clock.now()
        account = session.exec(select(Account).where(Account.username == username)).first()
        if account is None or not account.can_login or account.password_hash is None:
            _same_work_as_a_check(password)
            audit.record(session, "login.failed", actor_id=account.id if account else None,
                         target=f"user:{username}" if account else unknown_user(username), at=at,
                         reason="unknown user", place=place)
            outcome["error"] = WRONG
            return None
        if allowed_roles is not None and account.role not in allowed_roles:
            _same_work_as_a_check(password)
            audit.record(session, "login.refused", actor_id=account.id, target=f"user:{username}", at=at,
                         reason=f"{account.role} at {place}", place=place)
            outcome["error"] = f"a {account.role} {refusal}"
            return None
        lock = _lock_for(session, account, place)
        if lock.locked_until is not None and lock.locked_until > at:
            wait = int((lock.locked_until - at).total_seconds()) + 1
            audit.record(session, "login.refused", actor_id=account.id, target=f"user:{username}", at=at,
                         reason="locked", place=place)
            outcome["error"] = f"this account is locked{_where(lock)}; try again in {wait} s"
            return None
        if not _password_matches(account, password):
            _count_failure(session, account, lock, at, place)
            outcome["error"] = (
                f"this account is locked{_where(lock)} for {int(lockout_length(lock.lockouts).total_seconds())} s "
                f"after {MAX_FAILURES} wrong passwords"
                if lock.locked_until and lock.locked_until > at
                else WRONG
            )
            return None
        if not account.active:
            audit.record(session, "login.refused", actor_id=account.id, target=f"user:{username}", at=at,
                         reason="deactivated", place=place)
            outcome["error"] = "this account is deactivated"
            return None
        if hasher.check_needs_rehash(account.password_hash):
            account.password_hash = hasher.hash(password)
            tokens.revoke_all(session, account.id, at=at, reason="password rehashed", actor_id=account.id)
        lock.failed_logins = 0
        lock.lockouts = 0
        lock.locked_until = None
        session.add(lock)
        session.add(account)
        audit.record(session, "login.ok", actor_id=account.id, target=f"user:{username}", at=at, place=place)
        return Actor.of(account)

    actor = db.write(work, while_closed=True)  # signing in reads; a closed camp allows it
    if actor is None:
        raise AuthError(str(outcome["error"]), field="password")
    return actor


def unknown_user(typed: str) -> str:
    """The audit target for a username that is not a real one. What was typed may be a password typed into
    the wrong box, so it is never stored: only 16 bits of its hash, enough to see the same text tried again
    and far too few to confirm any guess of it."""
    digest = hashlib.blake2b(typed.encode("utf-8", "replace"), digest_size=2).hexdigest()
    return f"user:unknown (hash {digest})"


def sign_out(db: Database, actor: Actor, *, reason: str = "logout", place: str = "office") -> None:
    db.write(lambda session: audit.record(session, "logout", actor_id=actor.id,
                                          target=f"user:{actor.username}", reason=reason, place=place),
             while_closed=True)


def _password_matches(account: Account, password: str) -> bool:
    try:
        return hasher.verify(account.password_hash or "", password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_stand_in: dict[int, str] = {}  # a hash made with the hasher in use (tests swap in a faster one), by its id


def _same_work_as_a_check(password: str) -> None:
    """One argon2 verification that always fails: what checking a real account's password costs."""
    stand_in = _stand_in.get(id(hasher))
    if stand_in is None:
        stand_in = _stand_in[id(hasher)] = hasher.hash("a stand-in for an account that does not exist")
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        hasher.verify(stand_in, password)


def _lock_for(session: Session, account: Account, place: str) -> Account | SignInLock:
    """Where this attempt's failures count: a staff member's or manager's at a kiosk in their kiosk row,
    everything else (students anywhere, everyone at the office) on the account itself."""
    if account.role == Role.STUDENT or place not in KIOSK_PLACES:
        return account
    assert account.id is not None
    return session.get(SignInLock, (account.id, "kiosk")) or SignInLock(account_id=account.id, place="kiosk")


def _where(lock: Account | SignInLock) -> str:
    return " at the kiosk" if isinstance(lock, SignInLock) else ""


def _count_failure(session: Session, account: Account, lock: Account | SignInLock, at: datetime, place: str) -> None:
    lock.failed_logins += 1
    audit.record(session, "login.failed", actor_id=account.id, target=f"user:{account.username}", at=at,
                 reason="wrong password", failures=lock.failed_logins, place=place)
    if lock.failed_logins >= MAX_FAILURES:
        lock.lockouts += 1
        lock.failed_logins = 0
        lock.locked_until = at + lockout_length(lock.lockouts)
        audit.record(session, "login.lockout", actor_id=account.id, target=f"user:{account.username}",
                     at=at, seconds=int(lockout_length(lock.lockouts).total_seconds()), place=place)
    session.add(lock)

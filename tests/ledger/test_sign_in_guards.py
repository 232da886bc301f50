"""What a sign-in must not give away or let others do: whether a username exists (the same work either way),
a password typed into the username box (never stored), and a kiosk's guesses locking staff out of the office."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from helpers import MANAGER_PASSWORD, STAFF_PASSWORD, STUDENT_PASSWORD, T0, query

from campbank.core.errors import AuthError
from campbank.ledger.actions import auth
from campbank.ledger.actions.auth import sign_in
from campbank.ledger.actions.users import set_password

STUDENTS = frozenset({"student"})
STAFF = frozenset({"staff", "manager"})


class CountingHasher:
    """The test's hasher, counting the argon2 verifications a sign-in makes."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.verified = 0

    def verify(self, hash_: str, password: str) -> bool:
        self.verified += 1
        return self.inner.verify(hash_, password)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.inner, name)


@pytest.mark.parametrize(("username", "password", "roles"), [
    ("nobody", "whatever-1", None),                 # no such user
    ("bank", "whatever-1", None),                   # a real account that cannot sign in
    ("s1", "not-the-password", None),               # a real user, wrong password
    ("s1", STUDENT_PASSWORD, None),                 # a real user, right password
    ("t1", STAFF_PASSWORD, STUDENTS),               # staff at the kiosk: refused before the password
    ("manager", "a-guess-at-it", STUDENTS),
])
def test_every_sign_in_costs_exactly_one_password_verification(camp, monkeypatch, username, password, roles):
    counting = CountingHasher(auth.hasher)
    monkeypatch.setattr(auth, "hasher", counting)
    with contextlib.suppress(AuthError):
        sign_in(camp.db, username, password, allowed_roles=roles, place="kiosk" if roles else "office")
    assert counting.verified == 1


def test_a_username_that_is_not_real_is_never_stored(camp):
    typed = "orlova.istaff-demo"  # a username and a password typed together into the username box
    for attempt in (typed, typed, "t1staff-pass-1"):
        with pytest.raises(AuthError, match="wrong username or password"):
            sign_in(camp.db, attempt, "")
    rows = query(camp.path, "SELECT action, target, detail FROM audit_log WHERE action LIKE 'login.%' ORDER BY id")
    assert all("staff-demo" not in f"{target} {detail}" and "pass-1" not in f"{target} {detail}"
               for _, target, detail in rows)
    assert [action for action, _, _ in rows] == ["login.failed"] * 3
    first, again, other = (target for _, target, _ in rows)
    assert first.startswith("user:unknown (hash ") and len(first) == len("user:unknown (hash 0000)")
    assert first == again != other  # the same text tried again can be seen, and nothing more


def test_kiosk_guesses_at_a_staff_username_are_refused_before_the_password_and_never_counted(camp):
    for guess in range(6):
        with pytest.raises(AuthError, match="a manager cannot sign in here"):
            sign_in(camp.db, "manager", f"guess-{guess}", allowed_roles=STUDENTS, place="kiosk", now=T0)
    assert query(camp.path, "SELECT failed_logins, lockouts, locked_until FROM account "
                            "WHERE username = 'manager'") == [(0, 0, None)]
    assert sign_in(camp.db, "manager", MANAGER_PASSWORD, now=T0).username == "manager"


def test_wrong_passwords_at_the_kiosk_exit_lock_the_kiosk_exit_but_never_the_office(camp):
    for guess in range(5):
        with pytest.raises(AuthError):
            sign_in(camp.db, "manager", f"guess-{guess}", allowed_roles=STAFF, place="kiosk exit", now=T0)
    with pytest.raises(AuthError, match="locked at the kiosk"):
        sign_in(camp.db, "manager", MANAGER_PASSWORD, allowed_roles=STAFF, place="kiosk exit", now=T0)
    # the office (and the command line) is not locked
    assert sign_in(camp.db, "manager", MANAGER_PASSWORD, now=T0).username == "manager"
    assert sign_in(camp.db, "manager", MANAGER_PASSWORD, place="cli", now=T0).username == "manager"
    assert query(camp.path, "SELECT locked_until FROM account WHERE username = 'manager'") == [(None,)]
    # the kiosk lock runs out like any other, and a new password lifts it at once
    later = T0 + timedelta(seconds=31)
    assert sign_in(camp.db, "manager", MANAGER_PASSWORD, allowed_roles=STAFF, place="kiosk exit", now=later)
    for guess in range(5):
        with pytest.raises(AuthError):
            sign_in(camp.db, "t1", f"guess-{guess}", allowed_roles=STAFF, place="kiosk exit", now=T0)
    password = set_password(camp.db, camp.manager, "t1")
    assert sign_in(camp.db, "t1", password, allowed_roles=STAFF, place="kiosk exit", now=T0).username == "t1"


def test_a_students_wrong_passwords_lock_them_everywhere_as_before(camp):
    for guess in range(5):
        with pytest.raises(AuthError):
            sign_in(camp.db, "s1", f"guess-{guess}", allowed_roles=STUDENTS, place="kiosk", now=T0)
    with pytest.raises(AuthError, match="locked"):
        sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0)

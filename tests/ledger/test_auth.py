"""Signing in: argon2id, lockout after 5 failures (30 s, doubling), audit, rehash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from helpers import (
    STAFF_PASSWORD,
    STUDENT_PASSWORD,
    T0,
    audit_actions,
    audit_details,
    query,
)

from campbank.core.enums import Role
from campbank.core.errors import AuthError, InputError
from campbank.ledger.actions import auth
from campbank.ledger.actions.auth import (
    hash_password,
    lockout_length,
    sign_in,
    sign_out,
    unknown_user,
)
from campbank.ledger.actions.users import deactivate, set_password

WRONG = "not-the-password"


def stored_hash(camp, username: str) -> str:  # type: ignore[no-untyped-def]
    return query(camp.path, "SELECT password_hash FROM account WHERE username = ?", (username,))[0][0]


def fail(camp, username: str, times: int, at) -> list[AuthError]:  # type: ignore[no-untyped-def]
    errors = []
    for _ in range(times):
        with pytest.raises(AuthError) as info:
            sign_in(camp.db, username, WRONG, now=at)
        errors.append(info.value)
    return errors


def test_sign_in(camp):
    actor = sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0)
    assert (actor.username, actor.role) == ("s1", Role.STUDENT)
    assert sign_in(camp.db, "t1", STAFF_PASSWORD).role == Role.STAFF
    assert audit_actions(camp.db, "user:s1", "login") == ["login.ok"]
    assert audit_details(camp.db, "login.ok")[0]["place"] == "office"


def test_passwords_are_stored_as_argon2id_hashes(camp):
    stored = stored_hash(camp, "s1")
    assert stored.startswith("$argon2id$")
    assert STUDENT_PASSWORD not in stored


def test_wrong_password_and_unknown_user_read_alike(camp):
    with pytest.raises(AuthError) as wrong:
        sign_in(camp.db, "s1", WRONG, now=T0)
    with pytest.raises(AuthError) as unknown:
        sign_in(camp.db, "nobody", WRONG, now=T0)
    assert wrong.value.message == unknown.value.message == "wrong username or password"
    assert wrong.value.field == "password"
    assert audit_actions(camp.db, "user:s1", "login") == ["login.failed"]
    assert audit_actions(camp.db, unknown_user("nobody"), "login") == ["login.failed"]
    assert [d["reason"] for d in audit_details(camp.db, "login.failed")] == ["wrong password", "unknown user"]


def test_five_failures_lock_for_30_seconds(camp):
    errors = fail(camp, "s1", 5, T0)
    assert [e.message for e in errors[:4]] == ["wrong username or password"] * 4
    assert "locked for 30 s" in errors[4].message
    # the right password is refused while locked
    for seconds in (0, 1, 29):
        with pytest.raises(AuthError, match="locked"):
            sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0 + timedelta(seconds=seconds))
    with pytest.raises(AuthError, match="try again in 11 s"):
        sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0 + timedelta(seconds=20))
    # lifted after the time
    assert sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0 + timedelta(seconds=31)).username == "s1"
    actions = audit_actions(camp.db, "user:s1", "login")
    assert actions == (["login.failed"] * 5 + ["login.lockout"] + ["login.refused"] * 4 + ["login.ok"])
    assert audit_details(camp.db, "login.lockout") == [{"place": "office", "seconds": 30}]


def test_the_next_lockout_lasts_60_seconds_then_120(camp):
    fail(camp, "s1", 5, T0)
    second = T0 + timedelta(seconds=31)  # the first lockout is over, but nobody signed in since
    errors = fail(camp, "s1", 5, second)
    assert "locked for 60 s" in errors[-1].message
    with pytest.raises(AuthError, match="locked"):
        sign_in(camp.db, "s1", STUDENT_PASSWORD, now=second + timedelta(seconds=59))
    third = second + timedelta(seconds=61)
    errors = fail(camp, "s1", 5, third)
    assert "locked for 120 s" in errors[-1].message
    with pytest.raises(AuthError, match="locked"):
        sign_in(camp.db, "s1", STUDENT_PASSWORD, now=third + timedelta(seconds=119))
    sign_in(camp.db, "s1", STUDENT_PASSWORD, now=third + timedelta(seconds=121))
    assert [d["seconds"] for d in audit_details(camp.db, "login.lockout")] == [30, 60, 120]


def test_lockout_lengths():
    assert [lockout_length(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_attempts_during_a_lockout_do_not_extend_it(camp):
    fail(camp, "s1", 5, T0)
    for seconds in range(1, 10):  # someone keeps guessing while locked
        with pytest.raises(AuthError, match="locked"):
            sign_in(camp.db, "s1", WRONG, now=T0 + timedelta(seconds=seconds))
    assert sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0 + timedelta(seconds=30)).username == "s1"


def test_a_success_resets_the_count_and_the_doubling(camp):
    fail(camp, "s1", 4, T0)
    sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0)
    fail(camp, "s1", 4, T0)  # 4 + 4 failures, but a success in between: not locked
    sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0)
    # after a lockout and a success, the next lockout is 30 s again, not 60
    fail(camp, "s1", 5, T0)
    sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0 + timedelta(seconds=31))
    errors = fail(camp, "s1", 5, T0 + timedelta(seconds=40))
    assert "locked for 30 s" in errors[-1].message


def test_a_lockout_of_one_account_leaves_others_alone(camp):
    fail(camp, "s1", 5, T0)
    assert sign_in(camp.db, "s2", STUDENT_PASSWORD, now=T0).username == "s2"


def test_a_password_reset_lifts_the_lockout(camp):
    fail(camp, "s1", 5, T0)
    set_password(camp.db, camp.manager, "s1", "a-fresh-password")
    assert sign_in(camp.db, "s1", "a-fresh-password", now=T0).username == "s1"


def test_a_deactivated_user_cannot_sign_in(camp):
    deactivate(camp.db, camp.manager, "s1")
    with pytest.raises(AuthError, match="deactivated"):
        sign_in(camp.db, "s1", STUDENT_PASSWORD, now=T0)
    with pytest.raises(AuthError, match="wrong username or password"):  # a guess learns nothing
        sign_in(camp.db, "s1", WRONG, now=T0)
    assert audit_actions(camp.db, "user:s1", "login") == ["login.refused", "login.failed"]
    assert audit_details(camp.db, "login.refused")[0]["reason"] == "deactivated"


@pytest.mark.parametrize("password", ["", "bank", "manager-pass-1", WRONG])
def test_the_bank_cannot_sign_in(camp, password):
    with pytest.raises(AuthError):
        sign_in(camp.db, "bank", password, now=T0)
    assert audit_actions(camp.db, "user:bank", "login") == ["login.failed"]


def test_the_kiosk_takes_students_only(camp):
    students = frozenset({"student"})
    assert sign_in(camp.db, "s1", STUDENT_PASSWORD, allowed_roles=students, place="kiosk").username == "s1"
    with pytest.raises(AuthError, match="cannot sign in here"):
        sign_in(camp.db, "t1", STAFF_PASSWORD, allowed_roles=students, place="kiosk")
    assert audit_actions(camp.db, "user:t1", "login") == ["login.refused"]


def test_sign_out_is_audited(camp):
    actor = sign_in(camp.db, "s1", STUDENT_PASSWORD)
    sign_out(camp.db, actor, reason="idle", place="kiosk")
    assert audit_actions(camp.db, "user:s1", "log") == ["login.ok", "logout"]
    assert audit_details(camp.db, "logout") == [{"place": "kiosk", "reason": "idle"}]


def test_every_attempt_is_audited_with_its_time(camp):
    fail(camp, "t1", 2, T0)
    sign_in(camp.db, "t1", STAFF_PASSWORD, now=T0 + timedelta(seconds=5))
    rows = query(camp.path, "SELECT action, at FROM audit_log WHERE target = 'user:t1' AND action LIKE 'login%' "
                            "ORDER BY id")
    assert [a for a, _ in rows] == ["login.failed", "login.failed", "login.ok"]
    assert rows[0][1].startswith("2018-08-10 12:00:00") and rows[2][1].startswith("2018-08-10 12:00:05")


# --- rehash --------------------------------------------------------------------------------------------


def test_the_hash_is_upgraded_when_the_parameters_change(camp, monkeypatch):
    old = stored_hash(camp, "s1")
    sign_in(camp.db, "s1", STUDENT_PASSWORD)
    assert stored_hash(camp, "s1") == old, "same parameters: no rehash"

    monkeypatch.setattr(auth, "hasher", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    sign_in(camp.db, "s1", STUDENT_PASSWORD)
    new = stored_hash(camp, "s1")
    assert new != old
    assert "m=16,t=2,p=1" in new
    assert auth.hasher.verify(new, STUDENT_PASSWORD)
    assert sign_in(camp.db, "s1", STUDENT_PASSWORD).username == "s1"
    assert stored_hash(camp, "s1") == new, "already current: not rehashed again"


def test_no_rehash_on_a_failed_sign_in(camp, monkeypatch):
    old = stored_hash(camp, "s1")
    monkeypatch.setattr(auth, "hasher", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    with pytest.raises(AuthError):
        sign_in(camp.db, "s1", WRONG)
    assert stored_hash(camp, "s1") == old


@pytest.mark.parametrize("password", ["", "short", "1234567", "x" * 257, None])
def test_password_rules(password):
    with pytest.raises(InputError) as info:
        hash_password(password)  # type: ignore[arg-type]
    assert info.value.field == "password"


def test_the_shipped_hasher_is_argon2id_with_owasp_parameters(monkeypatch):
    monkeypatch.undo()  # drop the tests' fast hasher: this is the module as shipped
    assert auth.hasher.time_cost >= 2 and auth.hasher.memory_cost >= 19_456
    assert auth.hasher.type.name == "ID"

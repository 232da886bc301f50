"""API tokens in the ledger: issued through sign-in, checked, revoked by every path that changes a password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from helpers import STUDENT_PASSWORD, audit_details, query

from campbank.core.errors import AuthError, PermissionDenied
from campbank.ledger import clock
from campbank.ledger.actions import api_tokens, auth
from campbank.ledger.actions.person_details import RosterRow
from campbank.ledger.actions.users import apply_import, hash_passwords, plan_import


def test_a_token_is_issued_by_sign_in_and_kept_only_as_a_digest(camp) -> None:  # type: ignore[no-untyped-def]
    issued = api_tokens.issue(camp.db, "s1", STUDENT_PASSWORD)
    assert api_tokens.authenticate(camp.db, issued.token).username == "s1"
    stored = query(camp.path, "SELECT digest, account_id FROM api_token")
    assert len(stored) == 1 and issued.token not in stored[0][0]
    assert audit_details(camp.db, "token.issued")[-1]["place"] == "api"
    assert audit_details(camp.db, "login.ok")[-1]["place"] == "api"


def test_a_wrong_password_issues_nothing(camp) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthError):
        api_tokens.issue(camp.db, "s1", "wrong-password")
    assert query(camp.path, "SELECT COUNT(*) FROM api_token") == [(0,)]


def test_expiry_follows_the_season(camp) -> None:  # type: ignore[no-untyped-def]
    issued = api_tokens.issue(camp.db, "s1", STUDENT_PASSWORD)
    assert issued.expires_at - clock.now() <= timedelta(hours=12)
    later = issued.expires_at + timedelta(seconds=1)
    with pytest.raises(AuthError, match="expired"):
        api_tokens.authenticate(camp.db, issued.token, now=later)
    assert api_tokens.authenticate(camp.db, issued.token, now=issued.expires_at - timedelta(seconds=1))


@pytest.mark.parametrize("token", ["", None, "x" * 500, "not-a-token"])
def test_junk_tokens_are_refused(camp, token) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthError):
        api_tokens.authenticate(camp.db, token)


def test_a_rehash_at_sign_in_revokes_the_older_tokens(camp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    old = api_tokens.issue(camp.db, "s2", STUDENT_PASSWORD)
    monkeypatch.setattr(auth, "hasher", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    new = api_tokens.issue(camp.db, "s2", STUDENT_PASSWORD)  # the parameters changed: the hash is redone
    with pytest.raises(AuthError, match="revoked"):
        api_tokens.authenticate(camp.db, old.token)
    assert api_tokens.authenticate(camp.db, new.token).username == "s2"
    assert audit_details(camp.db, "token.revoked")[-1]["reason"] == "password rehashed"


def test_a_roster_import_with_a_new_password_revokes_the_tokens(camp) -> None:  # type: ignore[no-untyped-def]
    issued = api_tokens.issue(camp.db, "s3", STUDENT_PASSWORD)
    row = RosterRow(line=2, last_name="Student03", first_name="Ann", middle_name="", squad="Squad 3", grade=9,
                    role="student", username="s3", password="brand-new-pass-3")
    plan = plan_import(camp.db, camp.manager, [row])
    assert [changed for _row, _name, changed in plan.update] == [["password"]]
    apply_import(camp.db, camp.manager, plan, hash_passwords(plan), source="roster.csv")
    with pytest.raises(AuthError, match="revoked"):
        api_tokens.authenticate(camp.db, issued.token)


def test_sign_out_revokes_only_that_token(camp) -> None:  # type: ignore[no-untyped-def]
    one, two = (api_tokens.issue(camp.db, "s4", STUDENT_PASSWORD) for _ in range(2))
    api_tokens.revoke(camp.db, one.token)
    with pytest.raises(AuthError):
        api_tokens.authenticate(camp.db, one.token)
    assert api_tokens.authenticate(camp.db, two.token).username == "s4"


def test_a_season_without_the_api_refuses_tokens(camp) -> None:  # type: ignore[no-untyped-def]
    from campbank.ledger.season.in_force import load
    from campbank.ledger.season.load import SEASON_FILES

    issued = api_tokens.issue(camp.db, "s5", STUDENT_PASSWORD)
    text = SEASON_FILES["classic"].read_text().replace("[api]\nenabled = true", "[api]\nenabled = false")
    load(camp.db, camp.manager, text, "off.toml")
    with pytest.raises(PermissionDenied):
        api_tokens.authenticate(camp.db, issued.token)
    with pytest.raises(PermissionDenied):
        api_tokens.issue(camp.db, "s5", STUDENT_PASSWORD)

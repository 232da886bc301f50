"""Tokens end: at sign-out, on a password change (reset, import, deactivation), at expiry; and the
lockout is the office's, through the API too."""

from __future__ import annotations

import os
import subprocess
import time

from helpers import MANAGER_PASSWORD, actor_of, audit_details, query
from web_support import Server, campbank_command, season_text

from campbank.ledger.actions import auth
from campbank.ledger.actions.users import deactivate, set_password
from campbank.ledger.season.in_force import load as load_season
from campbank.ledger.store.database import Database, open_database


class _Db:
    def __init__(self, server: Server) -> None:
        self.path = server.db_path


def _open(server: Server) -> Database:
    return open_database(server.db_path)


def test_signing_out_revokes_the_token_and_only_that_one(server: Server) -> None:
    first, second = server.token("s1"), server.token("s1")
    with server.client(first) as client:
        assert client.get("/me").status_code == 200
        assert client.delete("/auth/token").status_code == 204
        after = client.get("/me")
        again = client.delete("/auth/token")
    assert after.status_code == 401 and "revoked" in after.json()["error"]["message"]
    assert again.status_code == 401
    with server.client(second) as client:
        assert client.get("/me").status_code == 200
    assert query(server.db_path, "SELECT COUNT(*) FROM api_token WHERE revoked_at IS NOT NULL")[0][0] >= 1
    logouts = [d for d in audit_details(_Db(server), "logout") if d.get("place") == "api"]  # type: ignore[arg-type]
    assert logouts


def test_a_password_change_revokes_every_token_of_the_account(server: Server) -> None:
    tokens = [server.token("s2"), server.token("s2")]
    others = server.token("s3")
    db = _open(server)
    try:
        set_password(db, actor_of(db, "manager"), "s2", "a-new-password-2")
    finally:
        db.dispose()
    for token in tokens:
        with server.client(token) as client:
            response = client.get("/me")
        assert response.status_code == 401 and "password changed" in response.json()["error"]["message"]
    with server.client(others) as client:
        assert client.get("/me").status_code == 200
    assert query(server.db_path, "SELECT COUNT(*) FROM api_token t JOIN account a ON a.id = t.account_id "
                                 "WHERE a.username = 's2' AND t.revoked_at IS NULL")[0][0] == 0
    details = audit_details(_Db(server), "token.revoked")  # type: ignore[arg-type]
    assert any(d["reason"] == "password changed" and d["tokens"] == 2 for d in details)
    assert server.token("s2", "a-new-password-2")


def test_a_password_set_from_the_command_line_revokes_too(server: Server) -> None:
    token = server.token("s4")
    done = subprocess.run([*campbank_command(server.db_path, "users", "passwd", "s4", "--as", "manager")],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "CAMPBANK_PASSWORD": MANAGER_PASSWORD})
    assert done.returncode == 0, done.stderr
    with server.client(token) as client:
        assert client.get("/me").status_code == 401


def test_a_deactivated_account_loses_its_tokens(server: Server) -> None:
    token = server.token("m1")
    db = _open(server)
    try:
        deactivate(db, actor_of(db, "manager"), "m1")
    finally:
        db.dispose()
    with server.client(token) as client:
        response = client.get("/me")
    assert response.status_code == 401


def test_a_token_expires_after_the_seasons_token_seconds(server: Server) -> None:
    db = _open(server)
    manager = actor_of(db, "manager")
    try:
        load_season(db, manager, season_text(token_seconds=1), "short-tokens.toml")
        token = server.token("t1")
        expires = query(server.db_path, "SELECT created_at, expires_at FROM api_token ORDER BY id DESC LIMIT 1")[0]
        time.sleep(1.2)
        with server.client(token) as client:
            response = client.get("/me")
    finally:
        load_season(db, manager, season_text(), "web-test.toml")
        db.dispose()
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]
    assert expires[0][:10] == expires[1][:10] and expires[0] < expires[1]


def test_the_season_can_switch_the_api_off(server: Server) -> None:
    token = server.token("t1")
    db = _open(server)
    manager = actor_of(db, "manager")
    try:
        load_season(db, manager, season_text(api_enabled=False), "no-api.toml")
        with server.client(token) as client:
            me = client.get("/me")
        with server.client() as client:
            sign_in = client.post("/auth/token", json={"username": "t1", "password": "staff-pass-1"})
    finally:
        load_season(db, manager, season_text(), "web-test.toml")
        db.dispose()
    assert me.status_code == 403 and me.json()["error"]["field"] == "api"
    assert sign_in.status_code == 403
    with server.client(token) as client:
        assert client.get("/me").status_code == 200


def test_five_wrong_passwords_lock_the_account_for_the_office_too(server: Server) -> None:
    with server.client() as client:
        answers = [client.post("/auth/token", json={"username": "t2", "password": f"wrong-{n}-xx"})
                   for n in range(5)]
        locked = client.post("/auth/token", json={"username": "t2", "password": "staff-pass-1"})
    assert [a.status_code for a in answers] == [401] * 5
    assert "locked" in answers[-1].json()["error"]["message"]
    assert locked.status_code == 401 and "locked" in locked.json()["error"]["message"]
    db = _open(server)
    try:
        try:
            auth.sign_in(db, "t2", "staff-pass-1", place="office")
            raise AssertionError("the office let a locked account in")
        except auth.AuthError as error:
            assert "locked" in error.message
    finally:
        db.dispose()
    lockouts = audit_details(_Db(server), "login.lockout")  # type: ignore[arg-type]
    assert lockouts and lockouts[-1]["place"] == "api"

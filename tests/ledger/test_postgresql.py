"""The guarantees a camp keeps on a PostgreSQL server by the server's own means (docs/postgresql.md): the guards
as PL/pgSQL triggers and an application role, one writer at a time by an advisory lock, verify reading the
triggers back, backups through pg_dump, clear refusals, and moving a camp from its file. Run only with
CAMPBANK_TEST_DB=postgresql://… (the rest of the suite runs there too)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
import server_db
from helpers import MANAGER_PASSWORD, balances, money, query

from campbank.core.errors import InputError, RuleError
from campbank.ledger.actions.posting import post
from campbank.ledger.store import backup as backups
from campbank.ledger.store import triggers
from campbank.ledger.store.database import open_database
from campbank.ledger.store.dialects.postgresql import WRITE_LOCK
from campbank.ledger.store.migrate import migrate
from campbank.ledger.store.roles import grant
from campbank.ledger.verify import verify_file

pytestmark = pytest.mark.skipif(not server_db.ON_SERVER, reason="needs CAMPBANK_TEST_DB=postgresql://…")


def raw(location: Path, **options) -> psycopg.Connection:  # type: ignore[type-arg]
    return psycopg.connect(server_db._conninfo(location), autocommit=True, **options)


@pytest.mark.parametrize("table", triggers.APPEND_ONLY_TABLES)
def test_the_guards_refuse_update_delete_and_truncate(camp, table):
    key = "seq" if table == "chain" else "id"
    with raw(camp.path) as connection:
        has_rows = connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None
        changes = [(f"UPDATE {table} SET {key} = {key}", "changed"), (f"DELETE FROM {table}", "deleted")]
        for statement, word in [*(changes if has_rows else []), (f"TRUNCATE {table} CASCADE", "deleted")]:
            refused = f"{table} is append-only: rows cannot be {word}"
            with pytest.raises(psycopg.errors.RestrictViolation, match=refused):
                connection.execute(statement)


def _app_role(location: Path) -> str:
    role = f"cbapp_{uuid.uuid4().hex[:10]}"
    with raw(location) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'app-pass'")
    return role


def test_the_application_role_may_add_rows_but_never_change_the_append_only_ones(camp):
    role = _app_role(camp.path)
    grant(camp.db, role)
    app_url = str(camp.path).replace("postgresql:/", "postgresql://", 1)
    app_url = app_url.split("//", 1)[0] + "//" + f"{role}:app-pass@" + app_url.split("@", 1)[1]
    app = open_database(app_url)
    try:
        post(app, camp.actor("t1"), money({"s1": "2.50"}))  # the offices' role posts as usual
        assert balances(camp.db)["s1"] > 0
    finally:
        app.dispose()
    with psycopg.connect(server_db._conninfo(app_url), autocommit=True) as connection:
        for table in triggers.APPEND_ONLY_TABLES:
            key = "seq" if table == "chain" else "id"
            for statement in (f"UPDATE {table} SET {key} = {key}", f"DELETE FROM {table}", f"TRUNCATE {table}"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    connection.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("ALTER TABLE journal DISABLE TRIGGER ALL")


def test_the_application_role_is_refused_on_a_file_and_when_it_does_not_exist(camp, tmp_path):
    with pytest.raises(InputError, match="no role"):
        grant(camp.db, "nobody_by_that_name")
    with pytest.raises(InputError, match="not a role name"):
        grant(camp.db, "Robert'); DROP TABLE account; --")


def test_a_writer_waits_for_the_write_lock_and_reads_never_do(camp):
    holder = raw(camp.path)
    holder.autocommit = False
    holder.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
    finished = threading.Event()

    def write() -> None:
        post(camp.db, camp.actor("t1"), money({"s2": "1.00"}))
        finished.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not finished.wait(1.5), "the write went through while another transaction held the write lock"
    assert balances(camp.db)["s2"] >= 0  # reading meanwhile does not wait
    holder.rollback()
    holder.close()
    writer.join(30)
    assert finished.is_set()


def test_a_read_session_sees_one_snapshot_however_much_is_posted_meanwhile(camp):
    """As a SQLite read transaction does: a report's sheets, read in one session, agree with each other."""
    def balance_of_s1(session) -> int:  # type: ignore[no-untyped-def]
        return session.connection().exec_driver_sql("SELECT balance FROM account WHERE username = 's1'").scalar()

    with camp.db.session() as session:
        before = balance_of_s1(session)
        post(camp.db, camp.actor("t1"), money({"s1": "3.00"}))
        assert balance_of_s1(session) == before, "the read session saw a write made after its first statement"
    assert balances(camp.db)["s1"] == before + 300


def test_a_lock_held_too_long_a_serialization_failure_or_a_deadlock_is_busy():
    from campbank.ledger.store.dialects import postgresql

    assert postgresql.PostgreSQL().is_busy(_error_with_state("55P03"))
    assert postgresql.PostgreSQL().is_busy(_error_with_state("40001"))
    assert not postgresql.PostgreSQL().is_busy(_error_with_state("23505"))


def _error_with_state(state: str) -> Exception:
    from sqlalchemy.exc import OperationalError

    class Orig(Exception):
        sqlstate = state

    return OperationalError("statement", {}, Orig())


def test_verify_finds_a_guard_recreated_with_another_condition_and_a_changed_function(camp):
    assert verify_file(camp.path).ok
    with raw(camp.path) as connection:
        connection.execute("DROP TRIGGER journal_no_update ON journal")
        connection.execute("CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal FOR EACH ROW WHEN (false) "
                           "EXECUTE FUNCTION campbank_refuse('journal is append-only: rows cannot be changed')")
        connection.execute("CREATE OR REPLACE FUNCTION campbank_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                           "$$BEGIN RETURN NEW; END$$")
        connection.execute("CREATE TRIGGER extra BEFORE INSERT ON txn FOR EACH ROW EXECUTE FUNCTION campbank_refuse()")
    messages = [finding.message for finding in verify_file(camp.path).findings]
    assert any("journal_no_update is not the one CampBank made" in m for m in messages), messages
    assert any("campbank_refuse() is not the one CampBank made" in m for m in messages), messages
    assert any("extra on txn is not CampBank's" in m for m in messages), messages


def test_verify_finds_an_edited_entry_through_the_chain(camp):
    post(camp.db, camp.actor("t1"), money({"s3": "4.00"}))
    with raw(camp.path) as connection:
        connection.execute("ALTER TABLE money_entry DISABLE TRIGGER money_entry_no_update")
        connection.execute("UPDATE money_entry SET amount = amount + 100 WHERE id = (SELECT MAX(id) FROM money_entry)")
        connection.execute("ALTER TABLE money_entry ENABLE TRIGGER money_entry_no_update")
    report = verify_file(camp.path)
    assert not report.ok
    assert {finding.check for finding in report.findings} >= {"chain"}


def test_a_backup_is_a_private_pg_dump_that_restores_the_same_rows(camp, tmp_path):
    post(camp.db, camp.actor("t1"), money({"s4": "3.00"}))
    made = backups.backup(camp.db, tmp_path / "camp.dump")
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert made.read_bytes().startswith(b"PGDMP")
    head = backups.head_file(made).read_text().strip()
    restored = server_db.new_location()
    done = subprocess.run(["pg_restore", "--no-owner", "-d", server_db._conninfo(restored), str(made)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert balances(restored) == balances(camp.db)
    report = verify_file(restored)
    assert report.ok, report.findings
    assert str(report.head) == head or head.startswith(f"{report.head.seq}:")  # type: ignore[union-attr]


def test_a_backup_is_refused_without_pg_dump_and_writes_nothing(camp, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(InputError, match="pg_dump is not installed"):
        backups.backup(camp.db, tmp_path / "camp.dump")
    assert not list(tmp_path.glob("*camp.dump*"))


def test_a_backup_is_refused_with_a_pg_dump_older_than_the_server(camp, tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    with pytest.raises(InputError, match="older than the server"):
        backups.backup(camp.db, tmp_path / "camp.dump")
    assert not list(tmp_path.glob("*camp.dump*"))


def _campbank(*args: str, password: str = MANAGER_PASSWORD) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CAMPBANK_PASSWORD=password, COLUMNS="200")
    env.pop("CAMPBANK_DB", None)
    return subprocess.run([sys.executable, "-c", "from campbank.cli import app; app()", *args], capture_output=True,
                          text=True, env=env, check=False, timeout=120)


@pytest.mark.parametrize(("change", "said"), [
    ({"port": 1}, "connection refused"),
    ({"password": "wrong"}, "password authentication failed"),
    ({"database": "no_such_camp_database"}, "does not exist"),
])
def test_a_server_that_is_down_a_wrong_password_or_no_database_is_one_error_line(camp, change, said):
    from sqlalchemy.engine import make_url

    url = make_url(server_db._conninfo(camp.path)).set(**change).render_as_string(hide_password=False)
    done = _campbank("--db", url, "tax", "run", "--as", "manager")
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: database:") and said in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_a_camp_moves_from_its_file_with_ids_balances_and_chain(tmp_path):
    from helpers import fast_hashing, populate

    from campbank.ledger.actions.setup import initialise

    source_path = tmp_path / "camp.db"
    with fast_hashing():
        db = initialise(source_path, manager="manager", manager_password=MANAGER_PASSWORD).database
        populate(db, students=5, staff=2, managers=1)
    target = server_db.new_location()
    moved = migrate(db, target)
    try:
        assert moved.rows["txn"] == query(source_path, "SELECT COUNT(*) FROM txn")[0][0]
        assert balances(target) == balances(source_path)
        report = verify_file(target)
        assert report.ok, report.findings
        assert str(report.head) == moved.head
        # the planner has the tables' statistics at once, not when autovacuum gets round to them
        entries = query(source_path, "SELECT COUNT(*) FROM money_entry")[0][0]
        assert query(target, "SELECT reltuples FROM pg_class WHERE relname = 'money_entry'") == [(entries,)]
        # ids continue after the copied ones
        from helpers import load_camp

        camp = load_camp(moved.target)
        txn = post(moved.target, camp.actor("t1"), money({"s1": "1.00"}))
        assert txn.id == query(source_path, "SELECT MAX(id) FROM txn")[0][0] + 1
        with pytest.raises(RuleError, match="not empty"):
            migrate(db, target)
    finally:
        moved.target.dispose()
        db.dispose()


"""The database file (docs/guarantees.md#durability): pragmas on every connection, BEGIN IMMEDIATE writes,
append-only guards."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from helpers import DAY, REFUSED, T0, query, raw
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from campbank.core.errors import NotFound
from campbank.ledger.actions.posting import post
from campbank.ledger.store import triggers
from campbank.ledger.store.database import (
    BUSY_TIMEOUT_MS,
    WouldWait,
    journal_mode,
    open_database,
    wal_is_safe,
)
from campbank.ledger.store.dialects import sqlite as sqlite_dialect
from campbank.ledger.store.tables import Account, AuditRow

# --- pragmas ----------------------------------------------------------------------------------------


def pragma(connection, name: str):  # type: ignore[no-untyped-def]
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


@pytest.mark.sqlite_only("its pragmas")
def test_every_connection_gets_the_pragmas(db):
    expected_mode = "wal" if wal_is_safe() else "delete"
    for _ in range(2):  # a second, separately opened connection too
        with db.engine.connect() as connection:
            assert pragma(connection, "foreign_keys") == 1
            assert pragma(connection, "busy_timeout") >= 5000
            assert pragma(connection, "synchronous") == 2  # FULL
            assert pragma(connection, "journal_mode") == expected_mode
        db.engine.dispose()  # the next loop opens a brand-new connection
    assert BUSY_TIMEOUT_MS >= 5000


@pytest.mark.sqlite_only("its pragmas")
def test_write_connections_get_the_pragmas_too(db):
    with db.write_transaction() as session:
        connection = session.connection()
        assert pragma(connection, "foreign_keys") == 1
        assert pragma(connection, "synchronous") == 2


def test_journal_mode_follows_wal_is_safe(tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_dialect, "wal_is_safe", lambda *args: True)
    assert journal_mode() == "wal"
    database = open_database(tmp_path / "wal.db", create=True)
    with database.engine.connect() as connection:
        assert pragma(connection, "journal_mode") == "wal"
        assert pragma(connection, "synchronous") == 2
    database.dispose()

    monkeypatch.setattr(sqlite_dialect, "wal_is_safe", lambda *args: False)
    assert journal_mode() == "delete"
    database = open_database(tmp_path / "rollback.db", create=True)
    with database.engine.connect() as connection:
        assert pragma(connection, "journal_mode") == "delete"
        assert pragma(connection, "synchronous") == 2
    database.dispose()


@pytest.mark.parametrize(
    ("version", "safe"),
    [
        ((3, 40, 1), False),
        ((3, 44, 5), False),
        ((3, 44, 6), True),
        ((3, 44, 9), True),
        ((3, 45, 0), False),
        ((3, 46, 1), False),
        ((3, 50, 6), False),
        ((3, 50, 7), True),
        ((3, 51, 0), False),
        ((3, 51, 2), False),
        ((3, 51, 3), True),
        ((3, 52, 0), True),
        ((4, 0, 0), True),
    ],
)
def test_wal_is_safe(version, safe):
    assert wal_is_safe(version) is safe


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError), db.write_transaction() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO money_entry (transaction_id, receiver_id, amount, money_type, description) "
            "VALUES (9999, 9999, 100, 'reward', '')"
        )
    assert query(db.path, "SELECT COUNT(*) FROM money_entry") == [(0,)]


def test_opening_a_missing_file_is_refused_and_creates_nothing(tmp_path):
    with pytest.raises(NotFound) as info:
        open_database(tmp_path / "nowhere" / "camp.db")
    assert info.value.field == "database"
    assert not (tmp_path / "nowhere").exists()


# --- BEGIN IMMEDIATE ---------------------------------------------------------------------------------


def try_begin_immediate(path) -> bool:  # type: ignore[no-untyped-def]
    """Can another process take the write lock right now (no waiting)?"""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


@pytest.mark.sqlite_only("its write lock, BEGIN IMMEDIATE")
def test_a_write_transaction_holds_the_write_lock_from_its_first_statement(db):
    with db.write_transaction() as session:
        session.exec(select(Account)).all()  # only a read so far: a deferred BEGIN would not lock
        assert not try_begin_immediate(db.path)
    assert try_begin_immediate(db.path)


@pytest.mark.sqlite_only("its write lock, BEGIN IMMEDIATE")
def test_a_read_session_does_not_take_the_write_lock(db):
    """The contrast that shows the test above measures something."""
    with db.session() as session:
        session.exec(select(Account)).all()
        assert try_begin_immediate(db.path)


def test_a_failed_write_transaction_leaves_nothing(db):
    before = query(db.path, "SELECT COUNT(*) FROM audit_log")
    with pytest.raises(RuntimeError), db.write_transaction() as session:
        session.add(AuditRow(at=T0, actor_id=None, action="test.row"))
        session.flush()
        raise RuntimeError("boom")
    assert query(db.path, "SELECT COUNT(*) FROM audit_log") == before


@pytest.mark.sqlite_only("its write lock, BEGIN IMMEDIATE")
def test_a_writer_waits_for_another_process_instead_of_failing(db):
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    released = threading.Event()

    def release_soon() -> None:
        time.sleep(0.3)
        other.execute("ROLLBACK")
        released.set()

    thread = threading.Thread(target=release_soon)
    thread.start()
    try:
        started = time.monotonic()
        db.write(lambda session: session.connection().exec_driver_sql(
            "INSERT INTO meta (key, value) VALUES ('waited', 'yes')"))
        assert released.is_set(), "the write went through while another connection held the lock"
        assert time.monotonic() - started >= 0.25
    finally:
        thread.join()
        other.close()
    assert query(db.path, "SELECT value FROM meta WHERE key = 'waited'") == [("yes",)]


def balance_of_s1(db) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return int(session.exec(select(Account.balance).where(Account.username == "s1")).one())


def writer_holding_the_file(db, seconds: float):  # type: ignore[no-untyped-def]
    """Another connection holds the file as a committing writer does, and lets go after `seconds`;
    returns the event set just before it lets go, and the thread."""
    other = sqlite3.connect(db.path, timeout=0, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")
    letting_go = threading.Event()

    def release_soon() -> None:
        time.sleep(seconds)
        letting_go.set()
        other.execute("ROLLBACK")
        other.close()

    thread = threading.Thread(target=release_soon)
    thread.start()
    return letting_go, thread


@pytest.mark.sqlite_only("a reader shut out by a writer's exclusive lock (the rollback journal)")
def test_a_read_at_once_is_refused_rather_than_wait_and_the_next_read_waits_again(camp):
    db = camp.db
    if journal_mode() == "wal":
        pytest.skip("in WAL mode nothing shuts a reader out")
    balance = db.read_at_once(lambda: balance_of_s1(db))

    letting_go, thread = writer_holding_the_file(db, 0.5)
    with pytest.raises(WouldWait):
        db.read_at_once(lambda: balance_of_s1(db))
    assert not letting_go.is_set(), "the read waited for the writer instead of being refused at once"
    thread.join()

    letting_go, thread = writer_holding_the_file(db, 0.3)
    assert balance_of_s1(db) == balance  # the same pooled connection waits again, as every read must
    assert letting_go.is_set(), "the plain read went through while the writer held the file"
    thread.join()
    with db.engine.connect() as connection:
        assert pragma(connection, "busy_timeout") == BUSY_TIMEOUT_MS


@pytest.mark.sqlite_only("a reader shut out by a writer's exclusive lock (the rollback journal)")
def test_a_read_at_once_on_a_new_connection_is_refused_rather_than_wait_too(camp):
    """Opening a connection reads the file too (its journal mode): with none idle in the pool, the read at
    once must not wait there either."""
    db = camp.db
    if journal_mode() == "wal":
        pytest.skip("in WAL mode nothing shuts a reader out")
    db.engine.dispose()  # no idle connection: the read opens one
    letting_go, thread = writer_holding_the_file(db, 0.5)
    with pytest.raises(WouldWait):
        db.read_at_once(lambda: balance_of_s1(db))
    assert not letting_go.is_set(), "opening a connection waited for the writer"
    thread.join()
    assert db.read_at_once(lambda: balance_of_s1(db)) == balance_of_s1(db)


def test_a_read_at_once_returns_what_the_read_returns_and_keeps_its_errors(camp):
    db = camp.db
    if db.on_server:  # a server's reads always wait on the network: they are never run at once
        with pytest.raises(WouldWait):
            db.read_at_once(lambda: balance_of_s1(db))
        return
    assert db.read_at_once(lambda: balance_of_s1(db)) == balance_of_s1(db)
    with pytest.raises(NotFound):
        db.read_at_once(lambda: (_ for _ in ()).throw(NotFound("no such account", field="username")))


# --- append-only triggers ----------------------------------------------------------------------------


OVERSIGHT = """
[oversight]
enabled = true
second_approval_above = 50
"""


@pytest.fixture
def filled(camp):  # type: ignore[no-untyped-def]
    """A camp with rows in every append-only table: a workout writes counter entries, an early repayment
    of a loan a loan payment, a savings circle its members, and every write a link of the chain."""
    from campbank.ledger.actions import circles, disputes, loans
    from campbank.ledger.season import in_force as season_store
    from campbank.ledger.season.load import SEASON_FILES

    season_store.load(camp.db, camp.manager, SEASON_FILES["savings"].read_text(encoding="utf-8"), "season-savings.toml")
    post(camp.db, camp.actor("t1"), {"type": "workout", "date": DAY, "attendees": ["s1"]})
    loans.grant(camp.db, camp.actor("t1"), "s1", "30", 3, date=DAY)
    loans.repay(camp.db, camp.actor("s1"), "10", date=DAY)
    circles.create(camp.db, camp.manager, "Two friends", ["s2", "s3"], "5", DAY)
    disputes.open_dispute(camp.db, camp.actor("s1"), "Why was I fined?")  # a dispute message
    held_season = SEASON_FILES["savings"].read_text(encoding="utf-8") + OVERSIGHT
    season_store.load(camp.db, camp.manager, held_season, "season-savings.toml")
    held = post(camp.db, camp.actor("t1"), {"type": "general_money", "date": DAY, "money_type": "reward",
                                            "amounts": {"s4": "90"}})
    assert held.waits, "a reward above the limit waits for a second manager (a txn_hold row)"
    return camp


# A column of each guarded table to try to change
CHANGED_COLUMN = {"journal": "amount", "money_entry": "amount", "counter_entry": "value", "audit_log": "action",
                  "loan_payment": "instalment", "circle_member": "position", "chain": "hash",
                  "txn_hold": "reasons", "dispute_message": "text"}


def test_every_guarded_table_is_tried():
    assert set(CHANGED_COLUMN) == set(triggers.APPEND_ONLY_TABLES)


@pytest.mark.parametrize("table", triggers.APPEND_ONLY_TABLES)
def test_append_only_tables_refuse_update_and_delete(filled, table):
    path = filled.path
    key = "seq" if table == "chain" else "id"
    connection = raw(path)
    try:
        before = connection.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
        assert before, f"{table} should have rows for this test"
        column = CHANGED_COLUMN[table]
        with pytest.raises(REFUSED, match="append-only"):  # even a change to the same value
            connection.execute(f"UPDATE {table} SET {column} = {column} WHERE {key} = ?", (before[0][0],))
        with pytest.raises(REFUSED, match="append-only"):
            connection.execute(f"DELETE FROM {table} WHERE {key} = ?", (before[-1][0],))
        with pytest.raises(REFUSED, match="append-only"):
            connection.execute(f"DELETE FROM {table}")
        assert connection.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall() == before
    finally:
        connection.close()


def test_append_only_holds_through_the_engine_too(filled):
    with pytest.raises(IntegrityError, match="append-only"), filled.db.write_transaction() as session:
        session.execute(text("UPDATE journal SET amount = 0"))


@pytest.mark.sqlite_only("its triggers' text in sqlite_master")
def test_the_append_only_triggers_guard_exactly_the_registered_tables(db, db_path):
    guarded = query(db_path, "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                             "AND sql LIKE '%append-only%'")
    assert sorted(table for (table,) in guarded) == sorted(triggers.APPEND_ONLY_TABLES)


def test_inserts_into_append_only_tables_are_allowed(filled):
    """The guards stop edits, not the ledger's own appends (the posts above went through)."""
    counts = {t: query(filled.path, f"SELECT COUNT(*) FROM {t}")[0][0] for t in triggers.APPEND_ONLY_TABLES}
    assert all(counts.values()), counts


# --- several databases in one process -----------------------------------------------------------------


def test_two_databases_in_one_process_each_see_their_own_season(tmp_path, monkeypatch):
    from campbank.ledger.actions.setup import initialise
    from campbank.ledger.season import in_force as season_store

    monkeypatch.setattr(season_store, "_parsed", {})
    classic = initialise(tmp_path / "a.db", manager_password="manager-pass-1").database
    flat = initialise(tmp_path / "b.db", season="flat-tax", manager_password="manager-pass-1").database
    try:
        with classic.session() as session:
            assert season_store.current(session).initial_grant == 12_000
        with flat.session() as session:
            assert season_store.current(session).initial_grant == 8_000
    finally:
        classic.dispose()
        flat.dispose()

"""A camp written by an older CampBank is brought up to the current schema when it is opened, once."""

from __future__ import annotations

import pytest
from helpers import DAY, fine, query, raw

from campbank.ledger.actions.posting import post
from campbank.ledger.store import triggers
from campbank.ledger.store.database import open_database
from campbank.ledger.store.schema import SCHEMA_VERSION
from campbank.ledger.verify import verify_file

TOTALS = """SELECT t.id, t.amount, t.recipients FROM txn t ORDER BY t.id"""
FROM_ENTRIES = """SELECT t.id,
    (SELECT COALESCE(SUM(amount), 0) FROM money_entry WHERE transaction_id = t.id),
    (SELECT COUNT(*) FROM (SELECT receiver_id FROM money_entry WHERE transaction_id = t.id
                           UNION SELECT receiver_id FROM counter_entry WHERE transaction_id = t.id) AS people)
    FROM txn t ORDER BY t.id"""
NEW_INDEXES = ("ix_txn_amount", "ix_txn_recipients", "ix_txn_description", "ix_txn_day")


def as_version_one(path) -> None:  # type: ignore[no-untyped-def]
    """The file as version 1 wrote it: no kept totals and their indexes, no hash chain, and no audited
    credentials (version 1 kept neither)."""
    connection = raw(path)
    for index in NEW_INDEXES:
        connection.execute(f"DROP INDEX {index}")
    connection.execute("ALTER TABLE txn DROP COLUMN amount")
    connection.execute("ALTER TABLE txn DROP COLUMN recipients")
    connection.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    connection.execute("DROP TRIGGER audit_log_no_delete")
    connection.execute("DELETE FROM audit_log WHERE action = 'user.credentials'")
    connection.execute(triggers.statements(("audit_log",))[1])
    connection.execute("DROP TABLE chain")  # its triggers go with it
    connection.execute("DELETE FROM meta WHERE key = 'hash_chain'")
    connection.commit()
    connection.close()


def test_kept_totals_are_those_of_the_entries(camp):
    post(camp.db, camp.actor("t1"), {"type": "workout", "date": DAY, "attendees": ["s1", "s2", "s3"]})
    post(camp.db, camp.actor("t1"), fine({"s1": "2.50", "s2": "2.50"}))
    assert query(camp.path, TOTALS) == query(camp.path, FROM_ENTRIES)
    assert any(amount < 0 for _, amount, _ in query(camp.path, TOTALS))


@pytest.mark.sqlite_only("a file an older CampBank wrote (a server's camp starts at this schema)")
def test_an_older_camp_gets_the_columns_filled_from_its_entries(camp):
    post(camp.db, camp.actor("t1"), {"type": "workout", "date": DAY, "attendees": ["s1", "s2", "s3"]})
    expected = query(camp.path, TOTALS)
    camp.db.dispose()
    as_version_one(camp.path)
    report = verify_file(camp.path)
    assert {f.check for f in report.findings} == {"chain"}, "an older file has no totals to check, and no chain"
    assert "no hash chain" in report.findings[0].message

    reopened = open_database(camp.path)
    try:
        assert query(camp.path, TOTALS) == expected
        indexes = {name for (name,) in query(camp.path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert set(NEW_INDEXES) <= indexes
        assert query(camp.path, "SELECT value FROM meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
        assert verify_file(camp.path).ok
        before = query(camp.path, "SELECT COUNT(*) FROM audit_log")
        open_database(camp.path).dispose()  # a second open finds nothing to do
        assert query(camp.path, "SELECT COUNT(*) FROM audit_log") == before
    finally:
        reopened.dispose()


@pytest.mark.sqlite_only("a file an older CampBank wrote (a server's camp starts at this schema)")
def test_an_index_an_older_camp_made_and_this_version_does_not_is_dropped(camp):
    post(camp.db, camp.actor("t1"), fine({"s1": "2.50", "s2": "2.50"}))
    camp.db.dispose()
    connection = raw(camp.path)
    connection.execute("CREATE INDEX ix_money_entry_receiver_id ON money_entry (receiver_id)")  # as version 4 had
    connection.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    connection.commit()
    connection.close()

    open_database(camp.path).dispose()
    indexes = {name for (name,) in query(camp.path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "ix_money_entry_receiver_id" not in indexes and "ix_money_entry_receiver_money" in indexes
    assert query(camp.path, "SELECT value FROM meta WHERE key = 'schema_version'") == [(SCHEMA_VERSION,)]
    plan = query(camp.path, "EXPLAIN QUERY PLAN SELECT SUM(amount) FROM money_entry WHERE receiver_id = 3")
    assert "ix_money_entry_receiver_money" in str(plan)  # a student's entries are still found by an index
    assert verify_file(camp.path).ok

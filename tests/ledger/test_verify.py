"""`verify` (docs/guarantees.md#verify): a clean camp passes; every kind of tampering with the file is reported."""

from __future__ import annotations

import os
import sqlite3

import pytest
from helpers import DAY, audit_actions, drop_guard, dump, fine, money, p2p, put_back_guard, query, raw

from campbank.ledger.actions.posting import post
from campbank.ledger.actions.states import approve, cancel
from campbank.ledger.store.backup import backup, prune
from campbank.ledger.verify import verify_file


@pytest.fixture
def busy(camp):  # type: ignore[no-untyped-def]
    """A camp with some of everything: payments, a fine, a cancel, transfers, a workout (counters)."""
    staff = camp.actor("t1")
    ids = {
        "paid": post(camp.db, staff, money({"s1": "10", "s2": "5"})).id,
        "fined": post(camp.db, staff, fine({"s3": "2.50"})).id,
        "cancelled": post(camp.db, staff, money({"s4": "7"})).id,
        "pending": post(camp.db, camp.actor("s1"), p2p("s5", "3")).id,
        "transfer": post(camp.db, camp.actor("s2"), p2p("s3", "4")).id,
        "counters": post(camp.db, camp.actor("t2"), {"type": "workout", "date": DAY,
                                                      "attendees": ["s1", "s2"]}).id,
    }
    cancel(camp.db, staff, ids["cancelled"], reason="mistake")
    approve(camp.db, staff, ids["transfer"])
    camp.ids = ids  # type: ignore[attr-defined]
    return camp


def tamper(path, *statements: str) -> None:  # type: ignore[no-untyped-def]
    connection = raw(path)
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def checks(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {finding.check for finding in report.findings}


def messages(report) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(f"{f.check}: {f.message}" for f in report.findings)


def test_a_clean_camp_verifies(busy):
    report = verify_file(busy.path)
    assert report.ok, messages(report)
    assert report.findings == []
    assert report.counted["transactions"] == query(busy.path, "SELECT COUNT(*) FROM txn")[0][0]
    assert report.counted["journal rows"] == query(busy.path, "SELECT COUNT(*) FROM journal")[0][0]
    assert report.counted["counter entries"] == 2


def test_a_fresh_camp_verifies(db):
    assert verify_file(db.path).ok


def test_a_changed_cached_balance(busy):
    tamper(busy.path, "UPDATE account SET balance = balance + 1 WHERE username = 's2'")
    report = verify_file(busy.path)
    assert not report.ok
    assert checks(report) == {"cached balance", "balances sum to zero"}
    assert "s2 shows" in messages(report)
    assert "add up to 1 cents" in messages(report)


def test_a_balance_moved_between_two_accounts_still_shows(busy):
    """The sum stays zero, so only the per-account recomputation can catch it."""
    tamper(busy.path, "UPDATE account SET balance = balance + 100 WHERE username = 's1'",
           "UPDATE account SET balance = balance - 100 WHERE username = 's2'")
    report = verify_file(busy.path)
    assert checks(report) == {"cached balance"}
    text = messages(report)
    assert "s1 shows" in text and "s2 shows" in text


def test_an_edited_money_entry(busy):
    txn = busy.ids["paid"]
    connection = raw(busy.path)
    drop_guard(connection, "money_entry_no_update")
    connection.close()
    tamper(busy.path, f"UPDATE money_entry SET amount = amount + 100 WHERE transaction_id = {txn}")
    report = verify_file(busy.path)
    assert "append-only" in checks(report)
    assert "money_entry_no_update is missing" in messages(report)
    # put the guard back as it was: the edited amount is still found, from the entries and by the chain
    connection = raw(busy.path)
    put_back_guard(connection, "money_entry_no_update")
    connection.close()
    report = verify_file(busy.path)
    assert checks(report) == {"journal matches entries", "transaction totals", "chain"}
    assert f"#{txn}" in messages(report)
    first, last = query(busy.path, f"SELECT MIN(id), MAX(id) FROM money_entry WHERE transaction_id = {txn}")[0]
    assert f"money_entry rows {first}–{last} of #{txn} changed since they were written" in messages(report)


@pytest.mark.parametrize("column", ["amount", "recipients"])
def test_a_changed_total_kept_on_a_transaction(busy, column):
    txn = busy.ids["paid"]
    tamper(busy.path, f"UPDATE txn SET {column} = {column} + 1 WHERE id = {txn}")
    report = verify_file(busy.path)
    assert checks(report) == {"transaction totals", "chain"}  # the totals are chained with the transaction
    assert f"txn rows {txn} of #{txn} changed since they were written" in messages(report)
    assert f"#{txn} shows" in messages(report)


def test_a_deleted_journal_row(busy):
    txn = busy.ids["paid"]
    connection = raw(busy.path)
    drop_guard(connection, "journal_no_delete")
    connection.close()
    tamper(busy.path, f"DELETE FROM journal WHERE id = (SELECT MIN(id) FROM journal WHERE transaction_id = {txn})")
    report = verify_file(busy.path)
    assert {"append-only", "transaction sums to zero", "journal matches entries", "cached balance"} <= checks(report)
    assert f"the journal of #{txn} adds up to" in messages(report)


def test_a_state_changed_without_audit(busy):
    txn = busy.ids["paid"]
    tamper(busy.path, f"UPDATE txn SET state = 'declined' WHERE id = {txn}")
    report = verify_file(busy.path)
    assert "state history" in checks(report)
    assert f"#{txn}: is declined, but the audit log ends with processed" in messages(report)
    assert "journal matches entries" in checks(report), "its entries no longer count but the journal says so"


def test_a_pending_request_marked_processed_without_journal(busy):
    txn = busy.ids["pending"]
    tamper(busy.path, f"UPDATE txn SET state = 'processed' WHERE id = {txn}")
    report = verify_file(busy.path)
    assert {"state history", "journal matches entries"} <= checks(report)
    assert f"#{txn}" in messages(report)


def test_an_illegal_transition_in_the_audit_log(busy):
    txn = busy.ids["cancelled"]  # created -> processed -> declined
    tamper(busy.path,
           "INSERT INTO audit_log (at, actor_id, action, target, detail) "
           f"VALUES ('2018-08-10 12:00:00', NULL, 'txn.processed', 'txn:{txn}', '{{}}')",
           f"UPDATE txn SET state = 'processed' WHERE id = {txn}")
    report = verify_file(busy.path)
    assert f"#{txn}: went from declined to processed" in messages(report)


def test_a_transaction_with_no_audit_at_all(busy):
    tamper(busy.path, "INSERT INTO txn (type, creator_id, created_at, day, state, description, payload) "
                      "SELECT 'general_money', id, '2018-08-10 12:00:00', '2018-08-10', 'declined', '', '{}' "
                      "FROM account WHERE username = 't1'")
    report = verify_file(busy.path)
    assert "its creation is not in the audit log" in messages(report)


def test_a_changed_counter_total(busy):
    tamper(busy.path, "UPDATE counter_total SET total = total + 1 WHERE account_id = "
                      "(SELECT id FROM account WHERE username = 's2') AND counter_type = 'workout'")
    report = verify_file(busy.path)
    assert checks(report) == {"counter total"}
    assert "s2 workout shows 2; the journal gives 1" in messages(report)


def test_an_invented_counter_total(busy):
    tamper(busy.path, "INSERT INTO counter_total (account_id, counter_type, total) "
                      "SELECT id, 'lab_pass', 3 FROM account WHERE username = 's4'")
    report = verify_file(busy.path)
    assert checks(report) == {"counter total"}
    assert "s4 lab_pass shows 3" in messages(report)


def test_a_changed_creator(busy):
    txn = busy.ids["paid"]
    tamper(busy.path, f"UPDATE txn SET creator_id = (SELECT id FROM account WHERE username = 't2') WHERE id = {txn}")
    report = verify_file(busy.path)
    assert "journal matches entries" in checks(report)


# --- a damaged file --------------------------------------------------------------------------------


@pytest.mark.sqlite_only("its bytes")
def test_a_truncated_file(busy):
    size = busy.path.stat().st_size
    busy.db.dispose()
    with open(busy.path, "r+b") as handle:
        handle.truncate(size // 2)
    report = verify_file(busy.path)
    assert not report.ok
    assert checks(report) <= {"file", "integrity"} and checks(report)


@pytest.mark.sqlite_only("its bytes")
def test_overwritten_pages(busy):
    busy.db.dispose()
    size = busy.path.stat().st_size
    assert size > 4 * 4096
    with open(busy.path, "r+b") as handle:
        for page in range(1, size // 4096):
            handle.seek(page * 4096 + 200)
            handle.write(os.urandom(300))
    report = verify_file(busy.path)
    assert not report.ok
    assert checks(report) <= {"file", "integrity"} and checks(report)


@pytest.mark.sqlite_only("its bytes")
def test_a_schema_overwritten_with_bytes_that_are_not_text(busy):
    """SQLite's refusal then quotes the bytes, which cannot be decoded: still a finding, never a crash."""
    busy.db.dispose()
    with sqlite3.connect(busy.path) as connection:
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute("UPDATE sqlite_master SET sql = CAST(X'435245415445205441424C45A0A0' AS TEXT) "
                           "WHERE name = 'fund'")
    report = verify_file(busy.path)
    assert checks(report) == {"file"}
    assert "the database file is damaged: SQLite's schema or its message holds bytes that are not text" in \
        messages(report)


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "camp.db"
    path.write_bytes(b"these are not the pages you are looking for" * 100)
    report = verify_file(path)
    assert checks(report) == {"file"}
    assert "damaged" in messages(report)


def test_a_missing_file(tmp_path):
    report = verify_file(tmp_path / "missing.db")
    assert checks(report) == {"file"}
    assert not (tmp_path / "missing.db").exists(), "verify opens read-only and never creates a file"


# --- backups ---------------------------------------------------------------------------------------


@pytest.mark.sqlite_only("a backup that is a camp file verify opens (test_postgresql restores a pg_dump)")
def test_a_backup_of_a_good_camp_verifies_and_holds_the_same_rows(busy, tmp_path):
    before = dump(busy.path)
    dest = backup(busy.db, tmp_path / "copies" / "camp-copy.db", actor_id=busy.manager.id)
    assert dest == tmp_path / "copies" / "camp-copy.db"
    report = verify_file(dest)
    assert report.ok, messages(report)
    assert dump(dest) == before
    assert audit_actions(busy.db, prefix="backup") == ["backup"]


@pytest.mark.sqlite_only("a backup that is a camp file verify opens (test_postgresql restores a pg_dump)")
def test_backups_into_a_folder_are_named_and_pruned(busy, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    made = [backup(busy.db, folder, reason="tax", keep=3) for _ in range(5)]
    kept = sorted(folder.glob("campbank-*-tax.db"))
    assert kept == sorted(made[-3:])
    assert all(verify_file(path).ok for path in kept)
    backup(busy.db, folder, reason="manual")
    prune(folder, "tax", 1)
    assert len(list(folder.glob("*-tax.db"))) == 1
    assert len(list(folder.glob("*-manual.db"))) == 1


@pytest.mark.sqlite_only("a backup that is a camp file verify opens (test_postgresql restores a pg_dump)")
def test_a_backup_of_a_tampered_camp_keeps_the_fault(busy, tmp_path):
    tamper(busy.path, "UPDATE account SET balance = 0 WHERE username = 's1'")
    copy = backup(busy.db, tmp_path / "copy.db")
    assert not verify_file(copy).ok

"""Tamper evidence (docs/tamper-evidence.md): the hash chain, the guards' exact SQL, roles and password hashes vs the
audit log, and anchors. Each tampering here is done the way someone with the file and sqlite3 would; each
one passed `verify` before the chain (every other check agrees with the rewritten rows)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from helpers import (
    DAY,
    STUDENT_PASSWORD,
    fine,
    guards_lifted,
    money,
    p2p,
    query,
    raw,
    readable_backup,
)

from campbank.formats.roster_import import import_roster
from campbank.ledger.actions import auth
from campbank.ledger.actions.auth import sign_in
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.states import approve, cancel
from campbank.ledger.actions.users import add_user, deactivate, set_password
from campbank.ledger.store import chain
from campbank.ledger.store.audited_credentials import password_digest
from campbank.ledger.store.backup import backup, head_file
from campbank.ledger.store.database import open_database
from campbank.ledger.verify import parse_anchor, verify_file


@pytest.fixture
def busy(camp):  # type: ignore[no-untyped-def]
    staff = camp.actor("t1")
    camp.paid = post(camp.db, staff, money({"s1": "10", "s2": "5"})).id  # type: ignore[attr-defined]
    post(camp.db, staff, fine({"s3": "2.50"}))
    cancel(camp.db, staff, post(camp.db, staff, money({"s4": "7"})).id, reason="mistake")
    approve(camp.db, staff, post(camp.db, camp.actor("s2"), p2p("s3", "4")).id)
    post(camp.db, camp.actor("t2"), {"type": "workout", "date": DAY, "attendees": ["s1", "s2"]})
    return camp


def findings(path: Path, *anchors: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in verify_file(path, [parse_anchor(a) for a in anchors]).findings:
        found.setdefault(finding.check, []).append(finding.message)
    return found


def rewrite_payment(path: Path, txn: int, extra: int) -> None:
    """A consistent rewrite: the transaction's first entry pays `extra` cents more, its two journal rows,
    both cached balances and the transaction's kept total move with it; the guards are put back."""
    connection = raw(path)
    entry, receiver, creator = connection.execute(
        "SELECT m.id, m.receiver_id, t.creator_id FROM money_entry m JOIN txn t ON t.id = m.transaction_id "
        "WHERE t.id = ? ORDER BY m.id LIMIT 1", (txn,)).fetchone()
    with guards_lifted(connection, "money_entry_no_update", "journal_no_update"):
        connection.execute("UPDATE money_entry SET amount = amount + ? WHERE id = ?", (extra, entry))
        for account, sign in ((receiver, 1), (creator, -1)):
            connection.execute("UPDATE journal SET amount = amount + ? WHERE money_entry_id = ? AND account_id = ?",
                               (sign * extra, entry, account))
            connection.execute("UPDATE account SET balance = balance + ? WHERE id = ?", (sign * extra, account))
        connection.execute("UPDATE txn SET amount = amount + ? WHERE id = ?", (extra, txn))
    connection.close()


def rebuild_chain(path: Path) -> None:
    """What someone with the file and CampBank's own code can do: chain the rewritten rows again, link for
    link as they were (same boundaries), so the chain agrees with them."""
    connection = raw(path)
    boundaries = connection.execute(
        "SELECT txn_to, money_entry_to, counter_entry_to, journal_to, audit_log_to FROM chain ORDER BY seq").fetchall()
    with guards_lifted(connection, "chain_no_delete"):  # put back as CampBank made it: nothing gives it away
        connection.execute("DELETE FROM chain")
    connection.execute("BEGIN")
    chain.extend(connection.cursor(), boundaries)
    connection.execute("COMMIT")
    connection.close()


# --- the chain ------------------------------------------------------------------------------------------


def test_a_clean_camp_has_a_chain_that_verifies(busy):
    report = verify_file(busy.path)
    assert report.ok, report.findings
    links = query(busy.path, "SELECT COUNT(*), MAX(seq) FROM chain")[0]
    assert report.links == links[0] == links[1] > 10, "one link per write, numbered without gaps"
    last = query(busy.path, "SELECT hash FROM chain ORDER BY seq DESC")[0][0]
    assert report.head == f"{links[1]}:{bytes(last).hex()}"
    assert report.chain_started == chain.FROM_THE_FIRST_ROW


def test_a_consistent_rewrite_of_history_is_caught(busy):
    rewrite_payment(busy.path, busy.paid, 10_000)
    found = findings(busy.path)
    assert set(found) == {"chain"}, "every other check agrees with the rewritten rows"
    [message] = found["chain"]
    entry = query(busy.path, "SELECT MIN(id), MAX(id) FROM money_entry WHERE transaction_id = ?", (busy.paid,))[0]
    assert f"money_entry rows {entry[0]}–{entry[1]} of #{busy.paid}" in message
    assert f"txn rows {busy.paid} of #{busy.paid}" in message and "journal rows" in message
    assert "changed since they were written" in message
    assert "audit_log" not in message, "the link's audit rows are as they were: only the changed tables are named"


def test_a_row_inserted_behind_campbanks_back_is_not_in_the_chain(busy):
    connection = raw(busy.path)
    connection.execute("INSERT INTO audit_log (at, actor_id, action, target, detail) "
                       "VALUES ('2018-08-10 12:00:00.000000', NULL, 'note', '', '{}')")
    connection.close()
    found = findings(busy.path)
    assert set(found) == {"chain"}
    assert "are not in the chain: they were written without CampBank" in found["chain"][0]


def test_a_deleted_link_is_found(busy):
    connection = raw(busy.path)
    with guards_lifted(connection, "chain_no_delete"):
        connection.execute("DELETE FROM chain WHERE seq = 3")
    connection.close()
    assert "link 4 follows link 2" in " ".join(findings(busy.path)["chain"])


def test_the_chain_is_append_only(busy):
    connection = raw(busy.path)
    for statement in ("UPDATE chain SET hash = hash WHERE seq = 1", "DELETE FROM chain WHERE seq = 1"):
        with pytest.raises(Exception, match="chain is append-only"):
            connection.execute(statement)
    connection.close()


@pytest.mark.sqlite_only("the chain rebuilt through a sqlite3 cursor, as CampBank's chain code takes it")
def test_a_rebuilt_chain_hides_a_rewrite_from_verify_but_not_from_an_anchor(busy, tmp_path):
    """The limit (docs/tamper-evidence.md): anyone with the file can rebuild the whole chain; a head kept
    elsewhere (a backup's .head, the tax run's log, the report) is what makes the rewrite show."""
    copy = backup(busy.db, tmp_path / "before.db")
    head = head_file(copy).read_text(encoding="ascii").strip()
    post(busy.db, busy.actor("t1"), money({"s5": "3"}))  # a later, legitimate post
    assert findings(busy.path, head) == {}, "the history up to the backup is unchanged"
    rewrite_payment(busy.path, busy.paid, 10_000)  # a row older than the backup's head
    rebuild_chain(busy.path)
    assert findings(busy.path) == {}, "without an anchor, a rebuilt chain cannot be told from the real one"
    found = findings(busy.path, head)
    assert set(found) == {"anchor"}
    seq = head.split(":")[0]
    assert f"link {seq} is now" in found["anchor"][0] and "rewritten, chain and all" in found["anchor"][0]


def test_an_anchor_after_a_rewrite_without_a_rebuilt_chain(busy, tmp_path):
    head = head_file(backup(busy.db, tmp_path / "before.db")).read_text(encoding="ascii").strip()
    rewrite_payment(busy.path, busy.paid, 1)
    found = findings(busy.path, head)
    assert set(found) == {"chain", "anchor"}
    assert "the chain breaks at link" in found["anchor"][0]


def test_an_anchor_the_chain_does_not_have(busy):
    links = verify_file(busy.path).links
    found = findings(busy.path, f"{links + 5}:{'ab' * 32}", f"2:{'cd' * 32}")
    assert f"the chain has {links} links: link {links + 5} is not in it" in found["anchor"][0]
    assert "link 2 is now 2:" in found["anchor"][1]


def test_a_backup_keeps_its_head_beside_it_and_in_the_audit_log(busy, tmp_path):
    copy = backup(busy.db, tmp_path / "copy.db", actor_id=busy.manager.id)
    head = head_file(copy).read_text(encoding="ascii").strip()
    assert verify_file(readable_backup(copy)).head == head, "the copy's own chain ends at the head beside it"
    [detail] = [json.loads(d) for (d,) in query(busy.path, "SELECT detail FROM audit_log WHERE action = 'backup'")]
    assert detail["head"] == head


# --- the guards' SQL ------------------------------------------------------------------------------------


@pytest.mark.sqlite_only("its triggers' SQL")
def test_a_guard_recreated_when_0_is_found(busy):
    connection = raw(busy.path)
    connection.execute("DROP TRIGGER journal_no_update")
    connection.execute("CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal WHEN 0\n"
                       "       BEGIN SELECT RAISE(ABORT, 'journal is append-only: rows cannot be changed'); END")
    connection.execute("UPDATE journal SET created_at = created_at WHERE id = 1")  # the guard no longer guards
    connection.close()
    found = findings(busy.path)
    assert set(found) == {"append-only"}
    assert "journal_no_update is not the one CampBank made" in found["append-only"][0]
    assert "WHEN 0" in found["append-only"][0]


@pytest.mark.parametrize("sql", [
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT 1; END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON journal "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted'); END",
])
@pytest.mark.sqlite_only("its triggers' SQL")
def test_a_guard_with_another_body_or_table_is_found(busy, sql):
    connection = raw(busy.path)
    connection.execute("DROP TRIGGER audit_log_no_delete")
    connection.execute(sql)
    connection.close()
    assert "audit_log_no_delete is not the one CampBank made" in findings(busy.path)["append-only"][0]


@pytest.mark.sqlite_only("its triggers' SQL")
def test_a_trigger_of_someone_elses_is_found(busy):
    connection = raw(busy.path)
    connection.execute("CREATE TRIGGER rich AFTER INSERT ON journal BEGIN "
                       "UPDATE account SET balance = balance + 1 WHERE username = 's1'; END")
    connection.close()
    assert "the trigger rich on journal is not CampBank's" in findings(busy.path)["append-only"][0]


# --- roles and password hashes --------------------------------------------------------------------------


def test_a_role_written_into_the_file_is_found(busy):
    connection = raw(busy.path)
    connection.execute("UPDATE account SET role = 'manager' WHERE username = 's1'")
    connection.close()
    found = findings(busy.path)
    assert found == {"credentials": ["s1 has the role manager, but the audit log last gave student: the role was "
                                     "written without CampBank"]}


def test_a_password_hash_written_into_the_file_is_found(busy):
    known = PasswordHasher().hash("taken-over-1")  # argon2's own parameters: the next sign-in rehashes it
    connection = raw(busy.path)
    connection.execute("UPDATE account SET password_hash = ? WHERE username = 'manager'", (known,))
    connection.close()
    assert findings(busy.path) == {"credentials": [
        "manager has a password hash the audit log never recorded: it was written without CampBank"]}
    assert sign_in(busy.db, "manager", "taken-over-1").username == "manager", "the attack works…"
    # …and the rehash on that sign-in, audited as it should be, does not launder the forged hash
    assert findings(busy.path) == {"credentials": [
        "manager had its password hash changed by CampBank from one the audit log never recorded: it was written "
        "without CampBank before that"]}


def test_a_forged_credentials_row_needs_the_chain_to_be_rebuilt(busy):
    """Adding the audit row a forged role needs puts a row outside the chain."""
    connection = raw(busy.path)
    connection.execute("UPDATE account SET role = 'manager' WHERE username = 's1'")
    connection.execute("INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES "
                       "('2018-08-10 12:00:00.000000', NULL, 'user.credentials', 'user:s1', ?)",
                       (json.dumps({"role": "manager", "password_sha256": password_digest(
                           query(busy.path, "SELECT password_hash FROM account WHERE username = 's1'")[0][0])}),))
    connection.close()
    assert set(findings(busy.path)) == {"chain"}


def test_every_way_campbank_sets_a_role_or_password_is_audited(busy, tmp_path, monkeypatch):
    manager = busy.manager
    add_user(busy.db, manager, last_name="New", first_name="Nina", role="staff", username="nina",
             password="nina-pass-11")
    set_password(busy.db, manager, "s1", "s1-new-pass-1")
    roster = tmp_path / "roster.csv"
    roster.write_text("last_name,first_name,middle_name,squad,grade,role,username,password\n"
                      "New,Nina,,,,manager,nina,nina-pass-22\n", encoding="utf-8")
    import_roster(busy.db, manager, roster)  # a new role and a new password for nina
    monkeypatch.setattr(auth, "hasher", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    sign_in(busy.db, "s2", STUDENT_PASSWORD)  # rehashed with the new parameters
    deactivate(busy.db, manager, "s3")
    report = verify_file(busy.path)
    assert report.ok, report.findings
    audited = {target: json.loads(detail) for target, detail in query(
        busy.path, "SELECT target, detail FROM audit_log WHERE action = 'user.credentials' ORDER BY id")}
    stored = {f"user:{u}": (r, password_digest(h)) for u, r, h in query(
        busy.path, "SELECT username, role, password_hash FROM account")}
    assert {t: (d["role"], d["password_sha256"]) for t, d in audited.items()} == stored
    assert audited["user:nina"]["role"] == "manager" and "m=16,t=2" in query(
        busy.path, "SELECT password_hash FROM account WHERE username = 's2'")[0][0]


# --- an older camp, and writers at once -----------------------------------------------------------------


def as_before_the_chain(path: Path) -> None:
    """The file as the previous version left it: no chain, no credentials rows, no note of either."""
    connection = raw(path)
    with guards_lifted(connection, "audit_log_no_delete"):
        connection.execute("DELETE FROM audit_log WHERE action = 'user.credentials'")
    connection.execute("DROP TABLE chain")
    connection.execute("DELETE FROM meta WHERE key = ?", (chain.META_KEY,))
    connection.close()


@pytest.mark.sqlite_only("a file an older CampBank wrote (a server's camp starts with its chain)")
def test_an_older_camp_is_chained_once_when_first_opened(busy):
    before = verify_file(busy.path)
    busy.db.dispose()
    as_before_the_chain(busy.path)
    assert set(findings(busy.path)) == {"chain"}, "no chain yet: verify says so, and nothing else"
    opened: list[object] = []
    threads = [threading.Thread(target=lambda: opened.append(open_database(busy.path))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 3
    report = verify_file(busy.path)
    assert report.ok, report.findings
    assert report.chain_started is not None and report.chain_started.startswith("started ")
    assert query(busy.path, "SELECT COUNT(*) FROM audit_log WHERE action = 'chain.start'") == [(1,)]
    accounts = query(busy.path, "SELECT COUNT(*) FROM account")[0][0]
    assert query(busy.path, "SELECT COUNT(*) FROM audit_log WHERE action = 'user.credentials'") == [(accounts,)]
    assert report.head != before.head, "a new chain: an anchor of the old file's history cannot vouch for it"
    post(opened[0], busy.actor("t1"), money({"s1": "1"}))  # type: ignore[arg-type]
    assert verify_file(busy.path).ok
    for database in opened:
        database.dispose()  # type: ignore[attr-defined]


def test_writers_at_once_never_fork_the_chain(camp):
    """Several writers (each its own connection) posting at once: one link per write, in one line."""
    databases = [open_database(camp.path) for _ in range(4)]
    links_before = verify_file(camp.path).links
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            staff = camp.actor("t1" if index % 2 else "t2")
            for n in range(8):
                post(databases[index], staff, money({f"s{1 + (index + n) % 5}": "1.25"}))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    report = verify_file(camp.path)
    assert report.ok, report.findings
    assert report.links == links_before + 32, "one link per post"
    marks = query(camp.path, "SELECT seq, txn_to FROM chain ORDER BY seq")
    assert [seq for seq, _ in marks] == list(range(1, len(marks) + 1))
    txn_marks = [mark for _, mark in marks[links_before:]]
    assert txn_marks == sorted(set(txn_marks)), "each post's link covers the next transaction, none twice"
    for database in databases:
        database.dispose()


# --- verify's second process ------------------------------------------------------------------------------


@pytest.fixture
def with_a_second_process(monkeypatch):  # type: ignore[no-untyped-def]
    """A big camp's verify reads the journal in a second process; these camps are small, so make it do so.
    Lists what each second process answered (None: it could not run, and verify read the journal itself)."""
    from campbank.ledger.store import chain_replay

    monkeypatch.setattr(chain_replay, "WORKER_FROM_ROWS", 0)
    answers: list[object] = []
    result = chain_replay._Worker.result

    def recording(self):  # type: ignore[no-untyped-def]
        answers.append(result(self))
        return answers[-1]

    monkeypatch.setattr(chain_replay._Worker, "result", recording)
    return answers


def test_the_second_process_sees_what_one_process_sees(busy, with_a_second_process):
    assert verify_file(busy.path).ok
    assert with_a_second_process and with_a_second_process[0] is not None, "a second process read the journal"
    rewrite_payment(busy.path, busy.paid, 10_000)
    connection = raw(busy.path)
    connection.execute("UPDATE account SET balance = balance + 1 WHERE username = 's5'")
    connection.execute("UPDATE counter_total SET total = total + 1 WHERE counter_type = 'workout' AND account_id = "
                       "(SELECT id FROM account WHERE username = 's1')")
    connection.close()
    found = findings(busy.path)
    assert set(found) == {"chain", "cached balance", "balances sum to zero", "counter total"}
    assert "journal rows" in found["chain"][0], "the journal's digests came back from the second process"
    assert found["cached balance"] == ["s5 shows 12001 cents; the journal gives 12000"]
    assert found["counter total"] == ["s1 workout shows 2; the journal gives 1"]


def test_without_a_second_process_verify_reads_everything_itself(busy, with_a_second_process, monkeypatch):
    monkeypatch.setattr("sys.executable", "/nonexistent/python")
    assert verify_file(busy.path).ok
    assert with_a_second_process == [], "it could not start"
    rewrite_payment(busy.path, busy.paid, 1)
    assert set(findings(busy.path)) == {"chain"}

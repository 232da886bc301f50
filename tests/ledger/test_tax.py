"""The nightly tax (docs/rules.md#tax): one `tax` per date, by the bank, on every active student.

Every check reads the database file raw (helpers), never through the ledger's own queries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import (
    GRANT,
    MANAGER_PASSWORD,
    SET_UP,
    actor_of,
    backups_of,
    balances,
    checksum,
    deactivated,
    journal_of,
    query,
    raw,
    readable_backup,
)
from typer.testing import CliRunner

from campbank.cli import app
from campbank.core.errors import NotFound, PermissionDenied
from campbank.ledger import clock
from campbank.ledger.actions.setup import initialise
from campbank.ledger.actions.states import cancel
from campbank.ledger.actions.tax import run, void
from campbank.ledger.actions.users import add_user, deactivate, system_actor
from campbank.ledger.season import in_force as season_store
from campbank.ledger.verify import verify_file

FIRST_DAY = date(2018, 8, 6)  # the classic season's day 1
# The classic schedule, by season day (docs/rules.md#tax), in cents.
CLASSIC = {1: 0, 2: 500, 3: 700, 4: 900, 5: 1200, 6: 1500, 7: 1800, 8: 2000, 9: 2200, 10: 2300, 11: 2400,
           **{d: 2500 for d in range(12, 22)}}


@pytest.fixture(autouse=True)
def fresh_season_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """season_store caches parsed seasons by row id for the whole process: start each test clean."""
    monkeypatch.setattr(season_store, "_parsed", {})


def d(n: int) -> date:
    """The date of season day n."""
    return FIRST_DAY + timedelta(days=n - 1)


def tax_rows(path: Path) -> list[tuple]:
    """(id, day, creator username, state, idempotency key) of every tax transaction."""
    return query(path, """
        SELECT t.id, t.day, a.username, t.state, t.idempotency_key FROM txn t JOIN account a ON a.id = t.creator_id
         WHERE t.type = 'tax' ORDER BY t.day, t.id""")


def entries_of(path: Path, txn_id: int) -> dict[str, tuple[int, str]]:
    rows = query(path, """
        SELECT a.username, m.amount, m.money_type FROM money_entry m JOIN account a ON a.id = m.receiver_id
         WHERE m.transaction_id = ?""", (txn_id,))
    out: dict[str, tuple[int, str]] = {}
    for username, amount, money_type in rows:
        assert username not in out, f"{username} taxed twice in #{txn_id}"
        out[username] = (amount, money_type)
    return out


def assert_verifies(path: Path) -> None:
    report = verify_file(path)
    assert report.ok, report.findings


# --- one day ----------------------------------------------------------------------------------------


def test_tax_charges_every_active_student_once_created_by_the_bank(camp):
    with clock.fixed_at(SET_UP):  # gone before day 2
        deactivate(camp.db, camp.manager, "s5")
    before = balances(camp.db)

    [result] = run(camp.db, camp.manager, day=date(2018, 8, 7))

    assert result.outcome == "charged"
    assert (result.day, result.season_day, result.amount, result.students) == (date(2018, 8, 7), 2, 500, 4)
    assert result.total == 2000
    [(txn_id, day, creator, state, key)] = tax_rows(camp.path)
    assert result.transaction_id == txn_id
    assert (day, creator, state, key) == ("2018-08-07", "bank", "processed", "sys:tax:2018-08-07")
    # every active student, none of the staff, managers or the deactivated student
    assert entries_of(camp.path, txn_id) == {s: (-500, "tax") for s in ("s1", "s2", "s3", "s4")}
    after = balances(camp.db)
    expected = dict(before)
    for s in ("s1", "s2", "s3", "s4"):
        expected[s] -= 500
    expected["bank"] += 2000
    assert after == expected
    assert after["s5"] == GRANT
    assert sum(after.values()) == 0
    assert_verifies(camp.path)


def test_a_second_run_for_the_same_date_charges_nothing_and_names_the_earlier_tax(camp):
    [first] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    snapshot = checksum(camp.path)

    [again] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    # a different manager, a dry run: still the same answer
    [other] = run(camp.db, camp.actor("m1"), day=date(2018, 8, 7))
    [dry] = run(camp.db, camp.manager, day=date(2018, 8, 7), dry_run=True)

    for result in (again, other, dry):
        assert result.outcome == "already taxed"
        assert result.transaction_id == first.transaction_id
    assert checksum(camp.path) == snapshot
    assert len(tax_rows(camp.path)) == 1


def test_day_one_has_no_tax_and_writes_nothing(camp):
    snapshot = checksum(camp.path)
    [result] = run(camp.db, camp.manager, day=FIRST_DAY)
    assert result.outcome == "no tax"
    assert result.amount == 0
    assert result.transaction_id is None
    assert tax_rows(camp.path) == []
    assert checksum(camp.path) == snapshot


@pytest.mark.parametrize("day", [date(2019, 1, 1), date(2018, 8, 5), date(2018, 8, 27)])
def test_a_date_outside_the_schedule_charges_nothing_and_raises_nothing(camp, day):
    snapshot = checksum(camp.path)
    calls = []
    [result] = run(camp.db, camp.manager, day=day, backup=lambda: calls.append(1))
    assert result.outcome == "outside schedule"
    assert (result.amount, result.students, result.transaction_id) == (0, 0, None)
    assert calls == []
    assert checksum(camp.path) == snapshot


def test_outside_dates_in_a_catch_up_are_skipped_not_fatal(camp):
    """`through` past the season's end: the season's days are charged, the rest say so."""
    results = run(camp.db, camp.manager, day=d(20), through=d(23))
    assert [r.outcome for r in results] == ["charged", "charged", "outside schedule", "outside schedule"]
    assert [row[1] for row in tax_rows(camp.path)] == [d(20).isoformat(), d(21).isoformat()]


def test_the_audit_log_names_the_manager_who_ran_the_tax(camp):
    """The audit log says who did what, tax included: not only "the bank"."""
    [result] = run(camp.db, camp.actor("m1"), day=date(2018, 8, 7))
    rows = query(camp.path, """
        SELECT l.action, l.target FROM audit_log l JOIN account a ON a.id = l.actor_id
         WHERE a.username = 'm1' AND l.action LIKE 'tax%'""")
    assert rows == [("tax.charged", f"txn:{result.transaction_id}")]
    [detail] = [d for (d,) in query(camp.path, "SELECT detail FROM audit_log WHERE action = 'tax.charged'")]
    assert '"2018-08-07"' in detail


# --- catching up --------------------------------------------------------------------------------------


def test_through_catches_up_every_missed_day_exactly_once(camp):
    run(camp.db, camp.manager, day=date(2018, 8, 7))

    results = run(camp.db, camp.manager, through=date(2018, 8, 10))

    outcomes = {r.day: r.outcome for r in results}
    assert outcomes == {
        date(2018, 8, 6): "no tax",
        date(2018, 8, 7): "already taxed",
        date(2018, 8, 8): "charged",
        date(2018, 8, 9): "charged",
        date(2018, 8, 10): "charged",
    }
    rows = tax_rows(camp.path)
    assert [row[1] for row in rows] == ["2018-08-07", "2018-08-08", "2018-08-09", "2018-08-10"]
    for txn_id, day, *_ in rows:
        amount = CLASSIC[(date.fromisoformat(day) - FIRST_DAY).days + 1]
        assert entries_of(camp.path, txn_id) == {s: (-amount, "tax") for s in camp.students}
    assert balances(camp.db)["s1"] == GRANT - (500 + 700 + 900 + 1200)

    # and once more: nothing new
    snapshot = checksum(camp.path)
    again = run(camp.db, camp.manager, day=date(2018, 8, 7), through=date(2018, 8, 10))
    assert [r.outcome for r in again] == ["already taxed"] * 4
    assert checksum(camp.path) == snapshot


def test_the_whole_season_follows_the_schedule_and_balances_go_negative(camp):
    results = run(camp.db, camp.manager, through=d(21))
    assert [r.amount for r in results] == [CLASSIC[n] for n in range(1, 22)]
    assert len(tax_rows(camp.path)) == 20  # day 1 has no tax
    season_total = sum(CLASSIC.values())
    assert season_total == 40_500
    for student in camp.students:
        assert balances(camp.db)[student] == GRANT - season_total  # -285.00@: allowed
        assert balances(camp.db)[student] < 0
    assert_verifies(camp.path)


def test_a_student_already_in_debt_is_still_taxed(camp):
    run(camp.db, camp.manager, day=d(2), through=d(6))  # 5 + 7 + 9 + 12 + 15 = 48
    run(camp.db, camp.manager, day=d(7), through=d(12))  # 18 + 20 + 22 + 23 + 24 + 25 = 132
    assert balances(camp.db)["s1"] == GRANT - 4800 - 13200 == -6000
    [result] = run(camp.db, camp.manager, day=d(13))
    assert result.outcome == "charged" and result.students == 5
    assert balances(camp.db)["s1"] == -8500


# --- dry run and backup ---------------------------------------------------------------------------


def test_dry_run_writes_nothing(camp):
    snapshot = checksum(camp.path)
    calls = []
    results = run(camp.db, camp.manager, day=date(2018, 8, 7), through=date(2018, 8, 9), dry_run=True,
                  backup=lambda: calls.append(1))
    assert [(r.outcome, r.amount, r.students, r.transaction_id) for r in results] == [
        ("would charge", 500, 5, None), ("would charge", 700, 5, None), ("would charge", 900, 5, None)]
    assert calls == []
    assert checksum(camp.path) == snapshot


def test_backup_is_taken_once_before_the_first_charge_and_not_when_nothing_is_charged(camp):
    seen: list[int] = []

    def backup() -> None:
        seen.append(len(tax_rows(camp.path)))  # how many taxes exist when the backup is taken

    run(camp.db, camp.manager, through=date(2018, 8, 10), backup=backup)
    assert seen == [0]  # once, before any charge (day 1 has no tax, then four days are charged)
    assert len(tax_rows(camp.path)) == 4

    seen.clear()
    run(camp.db, camp.manager, through=date(2018, 8, 10), backup=backup)  # all already taxed
    run(camp.db, camp.manager, day=FIRST_DAY, backup=backup)  # no tax
    run(camp.db, camp.manager, day=date(2019, 1, 1), backup=backup)  # outside the schedule
    run(camp.db, camp.manager, day=date(2018, 8, 11), dry_run=True, backup=backup)
    assert seen == []


def test_on_day_reports_each_day_in_order(camp):
    reported = []
    results = run(camp.db, camp.manager, through=date(2018, 8, 8), on_day=reported.append)
    assert reported == results
    assert [r.day for r in reported] == [date(2018, 8, 6), date(2018, 8, 7), date(2018, 8, 8)]


# --- void and cancel --------------------------------------------------------------------------------


def test_void_declines_the_days_tax_and_restores_balances(camp):
    before = balances(camp.db)
    [taxed] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    other = run(camp.db, camp.manager, day=date(2018, 8, 8))[0].transaction_id
    after_other_day = dict(before)
    for s in camp.students:
        after_other_day[s] -= 700
    after_other_day["bank"] += 700 * len(camp.students)

    changed = void(camp.db, camp.manager, date(2018, 8, 7), reason="wrong roster")

    assert (changed.id, changed.type, changed.old_state, changed.state) == (
        taxed.transaction_id, "tax", "processed", "declined")
    states = {row[0]: row[3] for row in tax_rows(camp.path)}
    assert states == {taxed.transaction_id: "declined", other: "processed"}
    rows = journal_of(camp.db, taxed.transaction_id)
    forward = [(u, a) for u, a, rev in rows if not rev]
    backward = [(u, a) for u, a, rev in rows if rev]
    assert sorted(backward) == sorted((u, -a) for u, a in forward)  # one reversal row per original row
    assert len(forward) == 2 * len(camp.students)
    assert balances(camp.db) == after_other_day
    assert query(camp.path, "SELECT COUNT(*) FROM audit_log WHERE action = 'txn.declined' AND target = ?",
                 (f"txn:{taxed.transaction_id}",)) == [(1,)]
    assert_verifies(camp.path)


def test_a_second_void_is_refused_and_changes_nothing(camp):
    run(camp.db, camp.manager, day=date(2018, 8, 7))
    void(camp.db, camp.manager, date(2018, 8, 7))
    snapshot = checksum(camp.path)
    with pytest.raises(NotFound):
        void(camp.db, camp.manager, date(2018, 8, 7))
    with pytest.raises(NotFound):
        void(camp.db, camp.manager, date(2018, 8, 9))  # never taxed
    assert checksum(camp.path) == snapshot


def test_a_voided_day_is_not_charged_again_by_the_nightly_run(camp):
    """The scheduler's catch-up must not quietly re-charge a day a manager voided."""
    [first] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    void(camp.db, camp.manager, date(2018, 8, 7))
    snapshot = checksum(camp.path)
    results = run(camp.db, camp.manager, day=date(2018, 8, 6), through=date(2018, 8, 7))
    assert [r.outcome for r in results] == ["no tax", "voided"]
    assert results[1].transaction_id == first.transaction_id
    assert checksum(camp.path) == snapshot


def test_a_voided_day_asked_for_by_its_date_is_charged_again_once(camp):
    [first] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    void(camp.db, camp.manager, date(2018, 8, 7))
    [again] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    assert (again.outcome, again.students, again.total) == ("charged", 5, 2500)
    [repeat] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    assert (repeat.outcome, repeat.transaction_id) == ("already taxed", again.transaction_id)
    assert [row[3:] for row in tax_rows(camp.path)] == [
        ("declined", "sys:tax:2018-08-07"), ("processed", "sys:tax:2018-08-07:2")]
    assert all(balance == GRANT - 500 for name, balance in balances(camp.db).items() if name.startswith("s"))
    # voided again and charged a third time: each generation once
    void(camp.db, camp.manager, date(2018, 8, 7))
    [third] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    assert third.outcome == "charged" and tax_rows(camp.path)[-1][4] == "sys:tax:2018-08-07:3"
    assert first.transaction_id != again.transaction_id != third.transaction_id
    assert_verifies(camp.path)


@pytest.mark.parametrize("who", ["t1", "s1"])
def test_staff_and_students_cannot_run_or_void_tax(camp, who):
    [taxed] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    snapshot = checksum(camp.path)
    actor = camp.actor(who)
    with pytest.raises(PermissionDenied):
        run(camp.db, actor, day=date(2018, 8, 8))
    with pytest.raises(PermissionDenied):
        run(camp.db, actor, day=date(2018, 8, 8), dry_run=True)
    with pytest.raises(PermissionDenied):
        void(camp.db, actor, date(2018, 8, 7))
    assert checksum(camp.path) == snapshot
    assert [row[0:4:3] for row in tax_rows(camp.path)] == [(taxed.transaction_id, "processed")]


def test_a_deactivated_manager_cannot_run_tax(camp):
    old_session = deactivated(camp, "m1")
    snapshot = checksum(camp.path)
    with pytest.raises(PermissionDenied):
        run(camp.db, old_session, day=date(2018, 8, 7))
    assert checksum(camp.path) == snapshot


def test_nobody_can_cancel_a_tax(camp):
    [taxed] = run(camp.db, camp.manager, day=date(2018, 8, 7))
    snapshot = checksum(camp.path)
    for actor in (camp.manager, camp.actor("m1"), camp.actor("t1"), camp.actor("s1"), system_actor(camp.db)):
        with pytest.raises(PermissionDenied) as refused:
            cancel(camp.db, actor, taxed.transaction_id, reason="oops")
        assert "tax void" in str(refused.value)
    assert checksum(camp.path) == snapshot


# --- another season -------------------------------------------------------------------------------


def test_flat_tax_season_charges_20_on_day_one(tmp_path):
    new = initialise(tmp_path / "flat.db", season="flat-tax", manager="manager", manager_password=MANAGER_PASSWORD)
    db = new.database
    try:
        manager = actor_of(db, "manager")
        with clock.fixed_at(SET_UP):
            for name in ("ann", "bob"):
                add_user(db, manager, last_name=name.title(), first_name="A", role="student", squad="Squad 1",
                         grade=9, username=name, password="student-pass-1")
        add_user(db, manager, last_name="Teach", first_name="T", role="staff", username="teach",
                 password="staff-pass-1")
        [result] = run(db, manager, day=FIRST_DAY)
        assert (result.outcome, result.season_day, result.amount, result.students) == ("charged", 1, 2000, 2)
        [(txn_id, *_)] = tax_rows(db.path)
        assert entries_of(db.path, txn_id) == {"ann": (-2000, "tax"), "bob": (-2000, "tax")}
        assert balances(db)["ann"] == 8000 - 2000  # flat-tax grant is 80@
        assert balances(db)["teach"] == 0
        [later] = run(db, manager, day=d(21))
        assert later.amount == 2000
        assert_verifies(db.path)
    finally:
        db.dispose()


# --- the command line -----------------------------------------------------------------------------


def test_cli_tax_run_backs_up_then_charges_and_says_already_taxed_the_second_time(camp):
    runner = CliRunner()
    first = runner.invoke(app, ["--db", str(camp.path), "tax", "run", "--date", "2018-08-07"])
    assert first.exit_code == 0, first.output
    [(txn_id, *_)] = tax_rows(camp.path)
    assert f"charged 5.00@ to 5 students, 25.00@ in all (#{txn_id})" in first.output
    backups = backups_of(camp.db, "tax")
    assert len(backups) == 1
    # the backup was taken before the charge: it holds no tax
    assert query(readable_backup(backups[0]), "SELECT COUNT(*) FROM txn WHERE type = 'tax'") == [(0,)]

    second = runner.invoke(app, ["--db", str(camp.path), "tax", "run", "--date", "2018-08-07"])
    assert second.exit_code == 0, second.output
    assert f"already taxed in #{txn_id}" in second.output
    assert len(backups_of(camp.db, "tax")) == 1
    outside = runner.invoke(app, ["--db", str(camp.path), "tax", "run", "--date", "2019-01-01"])
    assert outside.exit_code == 0, outside.output
    assert "outside the season's tax schedule" in outside.output
    assert len(tax_rows(camp.path)) == 1


def _campbank() -> list[str]:
    script = Path(sys.executable).with_name("campbank")
    if script.exists():
        return [str(script)]
    found = shutil.which("campbank")
    if found:
        return [found]
    return [sys.executable, "-c", "from campbank.cli import app; app()"]


@pytest.mark.slow
def test_two_processes_taxing_the_same_date_at_once_charge_it_once(camp):
    """Two `campbank tax run` for one date, started together. To make them really overlap, the test holds
    the write lock while they start: both then get past the read-only look ("would charge") and take their
    backup before either can write, and race for the lock when it is let go."""
    camp.db.dispose()  # no connection of ours stays open while the two processes race
    command = [*_campbank(), "--db", str(camp.path), "tax", "run", "--date", "2018-08-09"]
    env = {k: v for k, v in os.environ.items() if k not in ("CAMPBANK_DB", "CAMPBANK_PASSWORD")}
    lock = raw(camp.path)
    lock.execute("BEGIN IMMEDIATE")
    try:
        processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                     for _ in range(2)]
        deadline = time.monotonic() + 30
        while len(backups_of(camp.db, "tax")) < 2 and time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes):
                break
            time.sleep(0.05)
        time.sleep(0.3)  # both are now waiting for the write lock
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    outputs = [p.communicate(timeout=60) for p in processes]
    for process, (out, err) in zip(processes, outputs, strict=False):
        assert process.returncode == 0, (out, err)

    said = "".join(out for out, _ in outputs)
    assert said.count("Backed up to") == 2, said  # both really got past the look before either charged
    rows = tax_rows(camp.path)
    assert [(row[1], row[3]) for row in rows] == [("2018-08-09", "processed")]
    assert entries_of(camp.path, rows[0][0]) == {s: (-900, "tax") for s in camp.students}
    assert balances(camp.db)["s1"] == GRANT - 900
    assert said.count("charged 9.00@ to 5 students") == 1, said
    assert said.count(f"already taxed in #{rows[0][0]}") == 1, said
    assert_verifies(camp.path)

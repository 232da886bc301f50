"""Crash safety (docs/guarantees.md#durability): a `campbank` process killed at any moment loses, creates
and duplicates nothing.

Real processes work on a camp of 2,000 students and are killed with SIGKILL after a random delay:

- `tax run --through` over four taxed days (one transaction of 2,000 entries per day, a backup first),
- a group `post` of general_money to all 2,000 students (with an idempotency key),
- a roster import of 1,000 new students (each gets the initial grant).

Each round starts from a fresh copy of the camp and kills the command again and again (each run is the
re-run of the one killed before it) until its work is committed or a few kills have landed; then an
uninterrupted run finishes it. After every kill the file verifies and every transaction is whole or
absent; after the finishing run the work is done exactly once. The delays are drawn with a fixed seed
between the start-up of a command that only reads and a little after an uninterrupted run, both measured
first (so they fit this machine's speed), nudged later after a kill that came before the write and earlier
after one that came too late. Where each kill landed
(before the write, inside the write transaction, between two tax days, after the commit) is counted and
printed (`pytest -s`).
"""

from __future__ import annotations

import csv
import json
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import GRANT, MANAGER_PASSWORD, STAFF_PASSWORD, folder_of, query
from reliability.support import (
    BIG_CAMP_STUDENTS,
    campbank_command,
    fast_campbank_command,
    fresh_copy,
    process_env,
)

from campbank.ledger.store.chain_spec import FROM_THE_FIRST_ROW
from campbank.ledger.store.database import journal_mode
from campbank.ledger.verify import verify_file

# On one worker: the big camp is built once, and these never race each other for the machine.
pytestmark = pytest.mark.xdist_group("big-camp")

SEED = 20180806
KILLS_PER_ROUND = 4  # then the round's work is finished by an uninterrupted run
FINISH_TIMEOUT = 180

TAX_THROUGH = "2018-08-10"
TAXED_DAYS = {"2018-08-07": 500, "2018-08-08": 700, "2018-08-09": 900, "2018-08-10": 1200}  # classic days 2..5
POST_KEY = "crash-test-group-post"
POST_AMOUNT = 150
NEWCOMERS = 1000


@dataclass
class Tally:
    """How the kills of one kind went."""

    kills: int = 0
    landed: Counter[str] = field(default_factory=Counter)
    hot_journals: int = 0  # the kill left a journal SQLite must roll back
    verify_false_alarms: int = 0  # verify_file refused to read a file with a hot journal (see below)
    finished_before_kill: int = 0
    broken_backups: int = 0  # backup files a kill left behind that do not verify
    links: int = 0  # the longest hash chain verified after a kill
    finishing_runs: int = 0
    run_seconds: float = 0.0  # an uninterrupted run, measured first; kills come up to a little after its end
    startup_seconds: float = 0.0  # and not before the program has started (`seconds_to_start`)
    seconds: float = 0.0

    def line(self, kind: str) -> str:
        where = ", ".join(f"{n} {what}" for what, n in sorted(self.landed.items()))
        return (f"{kind}: {self.kills} kills ({where}); the hash chain verified after each (up to {self.links} "
                f"links); {self.hot_journals} left a hot journal; "
                f"{self.broken_backups} left a broken backup file; "
                f"{self.finished_before_kill} runs ended before their kill; {self.finishing_runs} finishing "
                f"runs; a whole run {self.run_seconds:.1f} s, kills from {self.startup_seconds:.1f} s; "
                f"{self.seconds:.0f} s in all")


TALLIES: dict[str, Tally] = {}


@pytest.fixture(scope="module", autouse=True)
def summary() -> Iterator[None]:
    yield
    if TALLIES:
        kills = sum(t.kills for t in TALLIES.values())
        landed = sum((t.landed for t in TALLIES.values()), Counter())
        alarms = sum(t.verify_false_alarms for t in TALLIES.values())
        print(f"\n[crash] {kills} SIGKILLs survived: " + ", ".join(f"{n} {w}" for w, n in sorted(landed.items()))
              + f"; verify false alarms on a hot journal: {alarms}")
        for kind, tally in TALLIES.items():
            print(f"[crash]   {tally.line(kind)}")


# --- running and killing --------------------------------------------------------------------------


def run_killed(argv: list[str], env: dict[str, str], delay: float, log: Path) -> bool:
    """Start `argv`, SIGKILL it after `delay` seconds; False when it had already finished."""
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        time.sleep(delay)
        if process.poll() is not None:
            return False
        process.send_signal(signal.SIGKILL)
        process.wait()
        return process.returncode == -signal.SIGKILL


def run_to_end(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=False, env=env, capture_output=True, text=True, timeout=FINISH_TIMEOUT)


def seconds_to_start(argv: list[str], env: dict[str, str]) -> float:
    """How long the same program takes to start and read the camp: `argv` up to its `--db PATH`, then
    `season show` (which writes nothing)."""
    reading = [*argv[:argv.index("--db") + 2], "season", "show"]
    started = time.monotonic()
    result = run_to_end(reading, env)
    assert result.returncode == 0, result.stdout + result.stderr
    return time.monotonic() - started


def journal_state(path: Path) -> str:
    """'none', 'cold' (a journal nothing needs from: the kill came inside the write) or 'hot'."""
    journal = Path(f"{path}-journal")
    if not journal.exists() or journal.stat().st_size == 0:
        return "none"
    with open(journal, "rb") as handle:
        header = handle.read(8)
    return "hot" if header.strip(b"\0") else "cold"


def verify_after_kill(path: Path, tally: Tally) -> None:
    """`verify_file` is ok. A hot journal is first rolled back the way the next `campbank` command would.

    verify_file opens the file read-only, and SQLite cannot roll a hot journal back through a read-only
    connection: it reports 'attempt to write a readonly database' as damage (test_verify_rolls_back_a_hot_
    journal below). That is a false alarm about an intact file, counted here; the money checks go on.
    """
    report = verify_file(path)
    if not report.ok and Path(f"{path}-journal").exists() and all(
        f.check == "file" and "readonly" in f.message for f in report.findings
    ):
        tally.verify_false_alarms += 1
        connection = sqlite3.connect(path)  # what any read-write open does: roll the journal back
        connection.execute("SELECT COUNT(*) FROM account").fetchone()
        connection.close()
        report = verify_file(path)
    assert report.ok, "\n".join(f"{f.check}: {f.message}" for f in report.findings)
    # the chain too: every row the kill left is covered by a link that matches it, no link is half-written
    assert report.head is not None and report.chain_started == FROM_THE_FIRST_ROW
    links = query(path, "SELECT COUNT(*), MAX(seq) FROM chain")[0]
    assert links[0] == links[1] == report.links
    tally.links = max(tally.links, report.links)


def count_broken_backups(folder: Path, seen: set[str]) -> int:
    """Backups made by killed runs that do not verify (each file looked at once)."""
    broken = 0
    for backup in sorted(folder.glob("campbank-*.db")) if folder.exists() else []:
        if backup.name not in seen:
            seen.add(backup.name)
            broken += not verify_file(backup).ok
    return broken


def assert_every_transaction_whole(path: Path) -> None:
    """A processed transaction has a journal row per entry side; nothing half-written anywhere."""
    broken = query(path, """
        SELECT t.id FROM txn t
         WHERE (t.state = 'processed' AND
                (SELECT COUNT(*) FROM journal j WHERE j.transaction_id = t.id) !=
                2 * (SELECT COUNT(*) FROM money_entry m WHERE m.transaction_id = t.id)
                  + (SELECT COUNT(*) FROM counter_entry c WHERE c.transaction_id = t.id))
            OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.target = 'txn:' || t.id)""")
    assert broken == [], f"transactions not whole: {broken[:10]}"


def student_balances(path: Path) -> Counter[int]:
    return Counter(b for (b,) in query(path, "SELECT balance FROM account WHERE role = 'student'"))


# --- one scenario: rounds of kills, then a finishing run ----------------------------------------------


@dataclass
class Scenario:
    kind: str
    argv: Callable[[Path], list[str]]
    env: dict[str, str]
    progress: Callable[[Path], int]  # how much of the work is committed: 0 .. whole
    whole: int
    check_partial: Callable[[Path], None]  # after a kill: what is there is whole
    check_done: Callable[[Path, subprocess.CompletedProcess[str]], None]  # after the finishing run


def play(scenario: Scenario, template: Path, tmp_path: Path, seed: int, kills_wanted: int) -> Tally:
    """Rounds on fresh copies: kill re-runs until the work is committed (or a few kills), then finish it."""
    rng = random.Random(seed)
    tally = TALLIES.setdefault(scenario.kind, Tally())
    started = time.monotonic()
    # One uninterrupted run first: it must work, and its length (on this machine, now) sets the delays.
    calibration = fresh_copy(template, tmp_path / "calibration")
    run_started = time.monotonic()
    result = run_to_end(scenario.argv(calibration), scenario.env)
    max_delay = tally.run_seconds = time.monotonic() - run_started
    assert result.returncode == 0, result.stdout + result.stderr
    scenario.check_done(calibration, result)
    # Most of a short run is Python starting: a command that only reads, started the same way, says how
    # long that takes here, and no kill is spent before it.
    earliest = tally.startup_seconds = 0.9 * seconds_to_start(scenario.argv(calibration), scenario.env)
    kills = attempts = rounds = 0
    while kills < kills_wanted:
        assert attempts < 3 * kills_wanted, f"{scenario.kind}: runs keep ending before their kill"
        folder = tmp_path / f"round{rounds}"
        rounds += 1
        path = fresh_copy(template, folder)
        argv = scenario.argv(path)
        in_round = 0
        seen_backups: set[str] = set()
        while in_round < KILLS_PER_ROUND and kills < kills_wanted and scenario.progress(path) < scenario.whole:
            attempts += 1
            before = scenario.progress(path)
            # from the end of the start-up to a little over a whole run
            delay = earliest + max(0.0, 1.2 * max_delay - earliest) * rng.random()
            if not run_killed(argv, scenario.env, delay, folder / "killed.log"):
                tally.finished_before_kill += 1
                max_delay = max(0.3 * tally.run_seconds, 0.8 * max_delay)
                break  # done: the finishing run below checks it was done once
            kills += 1
            in_round += 1
            tally.kills += 1
            journal = journal_state(path)
            tally.hot_journals += journal == "hot"
            verify_after_kill(path, tally)
            after = scenario.progress(path)
            assert before <= after <= scenario.whole
            if after == scenario.whole:
                where = "after the commit"
            elif after > before:
                where = "between two commits"
            elif journal != "none":
                where = "inside the write transaction"
            else:
                where = "before the write"
            tally.landed[where] += 1
            # Steer the next delays towards the write: later after a kill before it, earlier after one too late.
            if where == "before the write":
                max_delay = min(2 * tally.run_seconds, 1.1 * max_delay)
            elif where == "after the commit":
                max_delay = max(0.3 * tally.run_seconds, 0.9 * max_delay)
            scenario.check_partial(path)
            assert_every_transaction_whole(path)
            tally.broken_backups += count_broken_backups(folder / "backups", seen_backups)
        result = run_to_end(argv, scenario.env)
        tally.finishing_runs += 1
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "locked" not in result.stderr, result.stderr
        verify_after_kill(path, tally)
        assert scenario.progress(path) == scenario.whole
        scenario.check_done(path, result)
        assert_every_transaction_whole(path)
    tally.seconds += time.monotonic() - started
    return tally


# --- (a) the nightly tax, catching up four days ------------------------------------------------------


def tax_rows(path: Path) -> list[tuple]:
    return query(path, """
        SELECT t.day, t.idempotency_key, t.state, t.creator_id = (SELECT id FROM account WHERE username = 'bank'),
               COUNT(m.id), COUNT(DISTINCT m.receiver_id), MIN(m.amount), MAX(m.amount)
          FROM txn t LEFT JOIN money_entry m ON m.transaction_id = t.id
         WHERE t.type = 'tax' GROUP BY t.id ORDER BY t.day""")


def check_tax_partial(path: Path) -> None:
    active = query(path, "SELECT COUNT(*) FROM account WHERE role = 'student' AND active = 1")[0][0]
    days = []
    for day, key, state, by_bank, entries, receivers, low, high in tax_rows(path):
        days.append(day)
        assert key == f"sys:tax:{day}" and state == "processed" and by_bank
        assert entries == receivers == active, f"tax for {day} has {entries} entries for {active} students"
        assert -low == -high == TAXED_DAYS[day], f"tax for {day} charged {low}..{high}"
    assert len(days) == len(set(days)), f"a day taxed twice: {days}"
    # the balances move only by whole tax days
    charged = sum(TAXED_DAYS[d] for d in days)
    assert student_balances(path) == Counter({GRANT - charged: BIG_CAMP_STUDENTS})


def check_tax_done(path: Path, result: subprocess.CompletedProcess[str]) -> None:
    assert [row[0] for row in tax_rows(path)] == sorted(TAXED_DAYS)
    assert student_balances(path) == Counter({GRANT - sum(TAXED_DAYS.values()): BIG_CAMP_STUDENTS})
    assert "2018-08-06 (day 1): the schedule's tax is 0" in result.stdout
    assert result.stdout.count("charged ") + result.stdout.count("already taxed") >= len(TAXED_DAYS)
    if not TAX_RERUN_CHECKED:  # once: a further run changes nothing and says so
        TAX_RERUN_CHECKED.append(True)
        again = run_to_end(tax_argv(path), process_env())
        assert again.returncode == 0 and again.stdout.count("already taxed") == len(TAXED_DAYS), again.stdout
        assert [row[0] for row in tax_rows(path)] == sorted(TAXED_DAYS)


TAX_RERUN_CHECKED: list[bool] = []


def tax_argv(path: Path) -> list[str]:
    return [*campbank_command(), "--db", str(path), "tax", "run", "--through", TAX_THROUGH]


def test_killed_tax_runs_charge_each_day_once(big_camp_template, tmp_path):
    scenario = Scenario(
        kind="tax run --through (4 days x 2,000 students)", argv=tax_argv, env=process_env(),
        progress=lambda path: len(tax_rows(path)), whole=len(TAXED_DAYS),
        check_partial=check_tax_partial, check_done=check_tax_done,
    )
    tally = play(scenario, big_camp_template, tmp_path, SEED, kills_wanted=4)
    print(f"\n[crash] {tally.line(scenario.kind)}")


# --- (b) one group post to all 2,000 students ----------------------------------------------------------


def write_group_post(folder: Path) -> Path:
    import json

    payload = {"type": "general_money", "money_type": "reward", "date": "2018-08-10",
               "description": "Camp-wide reward", "idempotency_key": POST_KEY,
               "amounts": {f"s{i}": "1.50" for i in range(1, BIG_CAMP_STUDENTS + 1)}}
    path = folder / "group-post.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def post_rows(path: Path) -> list[tuple]:
    return query(path, """
        SELECT t.id, t.state, COUNT(m.id), COUNT(DISTINCT m.receiver_id), MIN(m.amount), MAX(m.amount),
               (SELECT COUNT(*) FROM journal j WHERE j.transaction_id = t.id)
          FROM txn t LEFT JOIN money_entry m ON m.transaction_id = t.id
         WHERE t.idempotency_key = 'u:' || t.creator_id || ':' || ? GROUP BY t.id""", (POST_KEY,))


def check_post_partial(path: Path) -> None:
    rows = post_rows(path)
    assert len(rows) <= 1
    if rows:
        _, state, entries, receivers, low, high, journal = rows[0]
        assert (state, entries, receivers, low, high, journal) == (
            "processed", BIG_CAMP_STUDENTS, BIG_CAMP_STUDENTS, POST_AMOUNT, POST_AMOUNT, 2 * BIG_CAMP_STUDENTS)
    expected = GRANT + (POST_AMOUNT if rows else 0)
    assert student_balances(path) == Counter({expected: BIG_CAMP_STUDENTS})


def check_post_done(path: Path, result: subprocess.CompletedProcess[str]) -> None:
    check_post_partial(path)
    (txn_id, *_), = post_rows(path)
    assert f"#{txn_id}" in result.stdout
    assert result.stdout.startswith(("Posted #", "Already posted as #")), result.stdout
    assert query(path, "SELECT COUNT(*) FROM txn WHERE type = 'general_money' AND creator_id = "
                       "(SELECT id FROM account WHERE username = 't1')")[0][0] == 1


def test_a_killed_group_post_is_whole_or_absent(big_camp_template, tmp_path):
    payload = write_group_post(tmp_path)
    scenario = Scenario(
        kind="group post (2,000 recipients)",
        argv=lambda path: [*campbank_command(), "--db", str(path), "post", "--as", "t1", str(payload)],
        env=process_env(STAFF_PASSWORD),
        progress=lambda path: len(post_rows(path)), whole=1,
        check_partial=check_post_partial, check_done=check_post_done,
    )
    tally = play(scenario, big_camp_template, tmp_path, SEED + 1, kills_wanted=4)
    print(f"\n[crash] {tally.line(scenario.kind)}")


# --- (c) a roster import of 1,000 new students ---------------------------------------------------------


def write_roster(folder: Path) -> Path:
    path = folder / "newcomers.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["last_name", "first_name", "middle_name", "squad", "grade", "role"])
        for i in range(1, NEWCOMERS + 1):
            writer.writerow([f"Newcomer{i:04d}", "Bob", "", f"Squad {1 + i % 4}", 7 + i % 5, "student"])
    return path


def newcomers(path: Path) -> int:
    return query(path, "SELECT COUNT(*) FROM account WHERE last_name LIKE 'Newcomer%'")[0][0]


def check_import_partial(path: Path) -> None:
    count = newcomers(path)
    assert count in (0, NEWCOMERS), f"{count} of {NEWCOMERS} newcomers: a half import"
    grants = query(path, """
        SELECT a.username, COUNT(g.amount), SUM(g.amount) FROM account a
          LEFT JOIN (SELECT m.receiver_id, m.amount FROM money_entry m JOIN txn t ON t.id = m.transaction_id
                      WHERE m.money_type = 'initial' AND t.state = 'processed') g ON g.receiver_id = a.id
         WHERE a.role = 'student' GROUP BY a.id""")
    assert len(grants) == BIG_CAMP_STUDENTS + count
    bad = [row for row in grants if row[1:] != (1, GRANT)]
    assert bad == [], f"students without exactly one initial grant: {bad[:5]}"
    distinct = query(path, "SELECT COUNT(DISTINCT last_name || '/' || first_name) FROM account "
                           "WHERE last_name LIKE 'Newcomer%'")[0][0]
    assert distinct == count, "a newcomer was imported twice"
    imports = [detail for (detail,) in query(path, "SELECT detail FROM audit_log WHERE action = 'users.import'")
               if json.loads(detail)["created"] > 0]
    assert len(imports) == (1 if count else 0), imports


def check_import_done(path: Path, result: subprocess.CompletedProcess[str]) -> None:
    check_import_partial(path)
    assert (f"added {NEWCOMERS}, updated 0, unchanged 0." in result.stdout
            or f"added 0, updated 0, unchanged {NEWCOMERS}." in result.stdout), result.stdout[-300:]
    # The generated passwords are somewhere the manager can find them: the credentials file, or (when a
    # killed run had already committed) the partial file that run wrote before its write transaction.
    folder = folder_of(path)
    assert (folder / "passwords.xlsx").exists() or list(folder.glob("passwords.xlsx.partial-*.xlsx"))


def test_a_killed_roster_import_adds_everyone_once(big_camp_template, tmp_path):
    roster = write_roster(tmp_path)

    def argv(path: Path) -> list[str]:
        return [*fast_campbank_command(), "--db", str(path), "users", "import", str(roster),
                "--credentials", str(folder_of(path) / "passwords.xlsx"), "--as", "manager"]

    scenario = Scenario(
        kind="roster import (1,000 rows)", argv=argv, env=process_env(MANAGER_PASSWORD),
        progress=lambda path: 1 if newcomers(path) else 0, whole=1,
        check_partial=check_import_partial, check_done=check_import_done,
    )
    tally = play(scenario, big_camp_template, tmp_path, SEED + 2, kills_wanted=3)
    print(f"\n[crash] {tally.line(scenario.kind)}")


# --- the read-only verify and a hot journal -------------------------------------------------------------


@pytest.mark.skipif(journal_mode() == "wal", reason="a hot journal is the rollback-journal mode's crash state")
@pytest.mark.sqlite_only("its rollback journal left by a killed writer")
def test_verify_rolls_back_a_hot_journal(big_camp_template, tmp_path):
    """A writer killed after its cache spilled to the file leaves a hot journal; verify must still pass."""
    import sys

    path = fresh_copy(big_camp_template, tmp_path)
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "c.execute('PRAGMA cache_size=10')\n"  # a tiny cache: pages spill to the file before the commit
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"UPDATE account SET last_name = last_name || 'x'\")\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    if writer.stdout is None or writer.stdout.readline().strip() != "ready":
        raise RuntimeError("the writer did not start")
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    if journal_state(path) != "hot":
        raise RuntimeError("the kill left no hot journal: this test no longer tests anything")
    report = verify_file(path)
    assert report.ok, [f.message for f in report.findings]


@pytest.mark.sqlite_only("a copy made page by page with sqlite3's backup, killed half-way")
def test_a_backup_killed_half_way_leaves_no_file_that_looks_like_a_backup(big_camp_template, tmp_path):
    import sys

    path = fresh_copy(big_camp_template, tmp_path)
    folder = tmp_path / "backups"
    folder.mkdir()
    # The ledger's own backup(), slowed to one page per step so the kill lands in the middle of it.
    backer = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, time, types\n"
        "from pathlib import Path\n"
        "import campbank.ledger.store.backup as b\n"
        "from campbank.ledger.store.database import open_database\n"
        "class Slow(sqlite3.Connection):\n"
        "    def backup(self, target, **kw):\n"
        "        print('copying', flush=True)\n"
        "        return super().backup(target, pages=1, progress=lambda *a: time.sleep(0.005))\n"
        "real = sqlite3.connect\n"
        "b.sqlite3 = types.SimpleNamespace(connect=lambda *a, **k: real(*a, factory=Slow, **k))\n"
        f"b.backup(open_database({str(path)!r}), Path({str(folder)!r}), reason='tax', keep=14)\n")],
        stdout=subprocess.PIPE, text=True)
    if backer.stdout is None or backer.stdout.readline().strip() != "copying":
        raise RuntimeError("the backup did not start")
    time.sleep(0.5)
    backer.send_signal(signal.SIGKILL)
    backer.wait()
    if backer.returncode != -signal.SIGKILL:
        raise RuntimeError("the backup ended before the kill: this test no longer tests anything")
    assert verify_file(path).ok
    left = sorted(folder.glob("campbank-*.db"))
    assert all(verify_file(backup).ok for backup in left), [b.name for b in left]

"""Concurrency (docs/guarantees.md#concurrency): many `campbank` processes at once on one file; nothing is
lost or doubled.

- Four lanes post general_money and fines in a loop; two lanes post the same payloads (same idempotency
  keys) in opposite orders, so every key is posted twice at about the same moment. One lane approves
  and rejects students' transfers, one cancels transactions, and two `tax run --date D` for the SAME
  date start together in the middle of it all. No process may see "database is locked" (or any other
  traceback); each exits 0, or 1 with an `error:` line where a refusal is expected. Then every balance
  is exactly what the successful operations imply, computed here independently of the ledger.
- "The UI and the scheduler": an in-process reader lists balances in a loop on a thread, holding its
  read session open while it "draws", while two scheduled tax runs start at once.

The number of concurrent operations is printed (`pytest -s`).
"""

from __future__ import annotations

import json
import random
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
from helpers import GRANT, STAFF_PASSWORD, actor_of, balances, money, p2p, query
from reliability.support import (
    BIG_CAMP_STUDENTS,
    campbank_command,
    fresh_copy,
    process_env,
)
from sqlmodel import select

from campbank.ledger.actions.posting import post
from campbank.ledger.store.database import open_database
from campbank.ledger.store.tables import Account
from campbank.ledger.verify import verify_file

# On one worker: the big camp is built once, and these never race each other for the machine.
pytestmark = pytest.mark.xdist_group("big-camp")

SEED = 20180810
TAX_DAY, TAX = "2018-08-10", 1200  # classic day 5
UI_TAX_DAY, UI_TAX = "2018-08-11", 1500  # classic day 6
POSTS_PER_LANE = 5
REQUESTS = 6  # students' transfers waiting for approval
TO_CANCEL = 6
PROCESS_TIMEOUT = 120


@dataclass
class Run:
    lane: str
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str


def run(lane: str, argv: list[str], password: str, runs: list[Run]) -> Run:
    done = subprocess.run([*campbank_command(), *argv], check=False, env=process_env(password), capture_output=True,
                          text=True, timeout=PROCESS_TIMEOUT)
    result = Run(lane, argv, done.returncode, done.stdout, done.stderr)
    runs.append(result)  # list.append is atomic
    return result


def lane(name: str, jobs: list[tuple[list[str], str]], runs: list[Run], delay: float = 0.0) -> threading.Thread:
    def work() -> None:
        time.sleep(delay)
        for argv, password in jobs:
            run(name, argv, password, runs)

    return threading.Thread(target=work, name=name)


def assert_clean(runs: list[Run], refusals_expected: set[str]) -> None:
    """No lock error or traceback anywhere; exit 0, or 1 with an error line only where a refusal is expected."""
    for r in runs:
        text = r.stdout + r.stderr
        assert "locked" not in text.lower() and "busy" not in text.lower(), (r.lane, r.argv, text)
        assert "Traceback" not in text, (r.lane, r.argv, text)
        if r.returncode == 1 and " ".join(r.argv) in refusals_expected:
            assert r.stderr.startswith("error: "), (r.argv, r.stderr)
        else:
            assert r.returncode == 0, (r.lane, r.argv, r.returncode, text)


def tax_transactions(path: Path, day: str) -> list[tuple[int, int]]:
    return query(path, "SELECT t.id, COUNT(m.id) FROM txn t JOIN money_entry m ON m.transaction_id = t.id "
                       "WHERE t.type = 'tax' AND t.day = ? GROUP BY t.id", (day,))


def assert_taxed_once(path: Path, day: str, runs: list[Run]) -> None:
    assert tax_transactions(path, day) == [(tax_transactions(path, day)[0][0], BIG_CAMP_STUDENTS)]
    outcomes = sorted("charged" if " charged " in r.stdout else "already taxed" if "already taxed" in r.stdout
                      else r.stdout for r in runs)
    assert outcomes == ["already taxed", "charged"], outcomes


def cents(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int(frac.ljust(2, "0") or 0)


def test_posters_approvers_cancellers_and_two_tax_runs_at_once(big_camp_template, tmp_path):
    rng = random.Random(SEED)
    path = fresh_copy(big_camp_template, tmp_path)

    # Set up in-process: transfers awaiting approval, and staff transactions to be cancelled.
    db = open_database(path)
    requests = [post(db, actor_of(db, f"s{i}"), p2p(f"s{i + 100}", "1", f"request {i}")).id
                for i in range(1, REQUESTS + 1)]
    cancelled = [post(db, actor_of(db, "t4"), money({f"s{200 + i}": "2", f"s{300 + i}": "3"})).id
                 for i in range(TO_CANCEL)]
    db.dispose()
    start = balances(path)

    # Payloads: two sets, each posted by two lanes (same creator, same keys) in opposite orders.
    payloads: dict[str, tuple[str, dict]] = {}  # key -> (creator, payload)
    files: dict[str, list[Path]] = {"A": [], "B": []}
    for set_name, creator in (("A", "t1"), ("B", "t2")):
        for j in range(POSTS_PER_LANE):
            students = rng.sample(range(1, BIG_CAMP_STUDENTS + 1), 40)
            key = f"{set_name}-{j}"
            kind = "general_money" if j % 2 == 0 else "fine"
            payload = {"type": kind, "date": TAX_DAY, "description": f"lane {set_name} #{j}", "idempotency_key": key,
                       "amounts": {f"s{i}": f"{rng.randint(1, 900) / 100:.2f}" for i in students}}
            payload["money_type" if kind == "general_money" else "fine_type"] = "reward" if j % 2 == 0 else "fine_any"
            file = tmp_path / f"{key}.json"
            file.write_text(json.dumps(payload), encoding="utf-8")
            files[set_name].append(file)
            payloads[key] = (creator, payload)

    db_args = ["--db", str(path)]
    runs: list[Run] = []
    posting = [(["post", "--as", creator, str(f)], STAFF_PASSWORD)
               for set_name, creator in (("A", "t1"), ("B", "t2")) for f in files[set_name]]
    half = POSTS_PER_LANE
    decide = [([("approve" if i % 2 == 0 else "reject"), str(txn), "--as", "t3", "--reason", "x"], STAFF_PASSWORD)
              for i, txn in enumerate(requests)] + [(["approve", str(requests[0]), "--as", "t3"], STAFF_PASSWORD)]
    cancel = [(["cancel", str(txn), "--as", "t4", "--reason", "x"], STAFF_PASSWORD) for txn in cancelled] + [
        (["cancel", str(cancelled[0]), "--as", "t4", "--reason", "x"], STAFF_PASSWORD)]
    refusals_expected = {" ".join([*db_args, *decide[-1][0]]), " ".join([*db_args, *cancel[-1][0]])}

    def with_db(jobs: list[tuple[list[str], str]]) -> list[tuple[list[str], str]]:
        return [([*db_args, *argv], password) for argv, password in jobs]

    lanes = [
        lane("post A", with_db(posting[:half]), runs),
        lane("post A reversed", with_db(posting[:half][::-1]), runs),
        lane("post B", with_db(posting[half:]), runs),
        lane("post B reversed", with_db(posting[half:][::-1]), runs),
        lane("decide", with_db(decide), runs),
        lane("cancel", with_db(cancel), runs),
        lane("tax 1", with_db([(["tax", "run", "--date", TAX_DAY], STAFF_PASSWORD)]), runs, delay=1.5),
        lane("tax 2", with_db([(["tax", "run", "--date", TAX_DAY], STAFF_PASSWORD)]), runs, delay=1.5),
    ]
    started = time.monotonic()
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join(timeout=4 * PROCESS_TIMEOUT)
        assert not thread.is_alive()
    seconds = time.monotonic() - started

    assert_clean(runs, refusals_expected)
    report = verify_file(path)
    assert report.ok, [f.message for f in report.findings]
    # the writers never forked the hash chain: one line of links, each one write's rows, none covered twice
    seqs = [seq for (seq,) in query(path, "SELECT seq FROM chain ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1)) and report.links == len(seqs)
    marks = query(path, "SELECT txn_to, money_entry_to, counter_entry_to, journal_to, audit_log_to FROM chain "
                        "ORDER BY seq")
    assert all(a != b and all(x <= y for x, y in zip(a, b, strict=True)) for a, b in pairwise(marks))
    assert_taxed_once(path, TAX_DAY, [r for r in runs if r.lane.startswith("tax")])

    # Every key: one transaction; both lanes that posted it name it; exactly one of them created it.
    # (a payload's key is stored scoped to its creator: u:<creator id>:<key>)
    stored = query(path, "SELECT idempotency_key, id FROM txn "
                         "WHERE (idempotency_key LIKE 'u:%:A-%' OR idempotency_key LIKE 'u:%:B-%')")
    ids = {key.split(":", 2)[2]: txn_id for key, txn_id in stored}
    assert sorted(ids) == sorted(payloads)
    assert len(stored) == len(payloads)
    for key in payloads:
        said = [r.stdout for r in runs if r.argv[-1].endswith(f"{key}.json")]
        assert len(said) == 2 and all(f"#{ids[key]}" in s for s in said), said
        assert sorted(s.split(" #")[0] for s in said) == ["Already posted as", "Posted"], said

    # Balances from what succeeded, computed without the ledger.
    expected = Counter(start)
    for creator, payload in payloads.values():
        sign = 1 if payload["type"] == "general_money" else -1
        for student, amount in payload["amounts"].items():
            expected[student] += sign * cents(amount)
            expected[creator] -= sign * cents(amount)
    for i, _ in enumerate(requests):
        if i % 2 == 0:  # approved: 1@ from s{i+1} to s{i+101}
            expected[f"s{i + 1}"] -= 100
            expected[f"s{i + 101}"] += 100
    for i, _ in enumerate(cancelled):
        expected[f"s{200 + i}"] -= 200
        expected[f"s{300 + i}"] -= 300
        expected["t4"] += 500
    for i in range(1, BIG_CAMP_STUDENTS + 1):
        expected[f"s{i}"] -= TAX
        expected["bank"] += TAX
    assert balances(path) == dict(expected)
    listed = ",".join(map(str, requests + cancelled))
    states = dict(query(path, f"SELECT id, state FROM txn WHERE id IN ({listed})"))
    assert [states[t] for t in requests] == ["processed" if i % 2 == 0 else "declined" for i in range(REQUESTS)]
    assert {states[t] for t in cancelled} == {"declined"}

    print(f"\n[concurrency] {len(runs)} campbank processes in 8 lanes at once ({len(posting) * 2} posts of "
          f"{len(payloads)} keys, {len(decide)} approvals/rejections, {len(cancel)} cancels, 2 tax runs for "
          f"{TAX_DAY}) in {seconds:.0f} s: no lock errors, each key posted once, tax charged once")


def test_the_office_ui_reading_while_two_scheduled_tax_runs_start(big_camp_template, tmp_path):
    """The UI lists balances in a loop, holding its read session open while it draws; the tax still runs once."""
    path = fresh_copy(big_camp_template, tmp_path)
    db = open_database(path)
    stop = threading.Event()
    snapshots: list[tuple[float, int, frozenset[int]]] = []  # (when its session began, total, students)
    problems: list[str] = []
    rng = random.Random(SEED)

    def office_ui() -> None:
        hold = 2.0  # the first screen stays open a while: the scheduler must wait for it, not fail
        while not stop.is_set():
            try:
                began = time.monotonic()
                with db.session() as session:
                    first = session.exec(select(Account.role, Account.balance)).all()
                    time.sleep(hold)
                    again = session.exec(select(Account.role, Account.balance)).all()
                if sorted(first) != sorted(again):
                    problems.append("the balances changed under an open read session")
                snapshots.append((began, sum(b for _, b in first),
                                  frozenset(b for role, b in first if role == "student")))
            except Exception as error:
                problems.append(repr(error))
            hold = rng.uniform(0, 0.15)

    reader = threading.Thread(target=office_ui, name="office UI")
    reader.start()
    time.sleep(0.3)
    runs: list[Run] = []
    taxes = [lane(f"tax {n}", [(["--db", str(path), "tax", "run", "--date", UI_TAX_DAY], STAFF_PASSWORD)], runs)
             for n in (1, 2)]
    for thread in taxes:
        thread.start()
    for thread in taxes:
        thread.join(timeout=2 * PROCESS_TIMEOUT)
    # A server does not make the tax wait for the first listing: the listings go on until one began after
    # the tax runs had ended.
    taxed_by = time.monotonic()
    deadline = taxed_by + 30
    while not any(began > taxed_by for began, *_ in snapshots) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    reader.join(timeout=30)
    db.dispose()

    assert problems == []
    assert_clean(runs, set())
    assert_taxed_once(path, UI_TAX_DAY, runs)
    assert verify_file(path).ok
    # Every snapshot the UI saw was consistent: money sums to zero, and the tax all there or not at all.
    assert all(total == 0 for _, total, _ in snapshots)
    assert {students for *_, students in snapshots} <= {frozenset({GRANT}), frozenset({GRANT - UI_TAX})}
    assert snapshots[0][2] == {GRANT} and snapshots[-1][2] == {GRANT - UI_TAX}
    print(f"\n[concurrency] office UI: {len(snapshots)} balance listings (the first held open 2 s) while 2 tax "
          f"runs for {UI_TAX_DAY} started together: no errors, every listing whole, tax charged once")

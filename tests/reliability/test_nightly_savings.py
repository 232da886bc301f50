"""The nightly run of savings and credit under crashes and at the same moment twice (docs/savings.md).

A camp of 2,000 students on the savings season: 300 with money in a savings pocket, 100 with a loan
whose instalments fall due, 5 savings circles and a fund whose deadline passes. Real `campbank tax run`
processes:

- are killed with SIGKILL at chosen points: after the tax committed and before the interest is written
  (the point a scheduler's crash or a power cut between two steps would leave), and inside each later
  step's write transaction, after its rows are written and before the commit. A re-run finishes the night
  exactly once: every key once, every amount as an uninterrupted run makes it;
- start twice at once for the same date: each charge is made once, and each run exits 0.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from helpers import MANAGER_PASSWORD, actor_of, query
from reliability.support import campbank_command, fresh_copy, process_env

from campbank.ledger.actions import circles, funds, loans, pockets
from campbank.ledger.actions.tax import key_for
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.store.database import open_database
from campbank.ledger.verify import verify_file

NIGHT = "2018-08-08"
BEFORE = "2018-08-07"  # money moved and loans granted this day
SAVERS, BORROWERS, CIRCLES = 300, 100, 5
TAX_KEY = key_for(date.fromisoformat(NIGHT))  # the tax's own key, as the tax run makes it
KEYS = (TAX_KEY, "sys:interest:2018-08-08", "sys:loan:2018-08-08")
TIMEOUT = 180
# With the other tests of the big camp, so the worker that runs them builds that camp once.
pytestmark = pytest.mark.xdist_group("big-camp")

# Run the command in a process that kills itself (SIGKILL: no clean-up, no commit) at one chosen point.
KILLER = """
import os, signal, sys
from campbank.ledger.actions import nightly, posting
point = sys.argv[1]
original_step, original_record = nightly.run_step, posting.record_transaction
def run_step(db, actor, name, day, **options):
    if point == "before " + name and not options.get("dry_run"):
        os.kill(os.getpid(), signal.SIGKILL)
    return original_step(db, actor, name, day, **options)
def record_transaction(session, rule, *args, **options):
    posted = original_record(session, rule, *args, **options)
    if point == "inside " + rule.type:
        session.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return posted
from campbank.ledger.actions import circles, funds
original_batch = circles.write_processed
def write_processed(session, items, **options):
    ids = original_batch(session, items, **options)
    if point == "inside circle_round":
        session.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return ids
nightly.run_step = run_step
nightly.record_transaction = funds.record_transaction = record_transaction
circles.write_processed = write_processed
from campbank.cli import app
sys.argv = ["campbank", *sys.argv[2:]]
app()
"""


@pytest.fixture(scope="module")
def savings_camp_template(big_camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2,000-student camp on the savings season, with savers, borrowers, circles and a fund due."""
    path = fresh_copy(big_camp_template, tmp_path_factory.mktemp("savings-big"))
    db = open_database(path)
    manager, staff = actor_of(db, "manager"), actor_of(db, "t1")
    season_store.load(db, manager, SEASON_FILES["savings"].read_text(encoding="utf-8"), "season-savings.toml")
    for i in range(1, SAVERS + 1):
        student = actor_of(db, f"s{i}")
        pockets.open_pocket(db, student, "savings")
        pockets.move(db, student, "main", "savings", f"{10 + i % 90}.{i % 100:02d}", date=BEFORE)
    for i in range(1001, 1001 + BORROWERS):
        loans.grant(db, staff, f"s{i}", f"{20 + i % 100}", 1 + i % 5, date=BEFORE)
    for c in range(CIRCLES):
        members = [f"s{1500 + 4 * c + k}" for k in range(4)]
        circles.create(db, manager, f"Circle {c + 1}", members, "5", NIGHT)
    fund = funds.open_fund(db, staff, "Kayak trip", "500", NIGHT)
    for i in range(1800, 1810):
        funds.contribute(db, actor_of(db, f"s{i}"), fund, "3.33", date=BEFORE)
    db.dispose()
    return path


def night_argv(path: Path) -> list[str]:
    return ["--db", str(path), "tax", "run", "--date", NIGHT]


def run_night(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*campbank_command(), *night_argv(path)], check=False, env=process_env(MANAGER_PASSWORD),
                          capture_output=True, text=True, timeout=TIMEOUT)


def night_rows(path: Path) -> list[tuple]:
    """Every transaction the night makes, with its entries: (key, type, state, entries, total, receivers)."""
    return query(path, """
        SELECT t.idempotency_key, t.type, t.state, COUNT(m.id), SUM(m.amount), COUNT(DISTINCT m.receiver_id)
          FROM txn t JOIN money_entry m ON m.transaction_id = t.id
         WHERE t.day = ? AND t.type IN ('tax', 'interest', 'loan_instalment', 'circle_round', 'fund_refund')
         GROUP BY t.id ORDER BY t.type, t.idempotency_key""", (NIGHT,))


@pytest.fixture(scope="module")
def uninterrupted(savings_camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    """What one uninterrupted night makes (the reference for every other run)."""
    path = fresh_copy(savings_camp_template, tmp_path_factory.mktemp("reference"))
    result = run_night(path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout
    assert "charged 20.00@ to 2000 students" in lines
    assert "interest: paid" in lines and f"to {SAVERS} savings pockets" in lines
    assert f"instalments: charged {BORROWERS} instalments" in lines
    assert f"circle rounds: held {CIRCLES} rounds" in lines and "fund refunds: refunded 1 fund, 33.30@" in lines
    rows = night_rows(path)
    assert sorted(row[0] for row in rows) == sorted([*KEYS, *(f"sys:circle:{c}:1" for c in range(1, CIRCLES + 1)),
                                               "sys:fund:1:refund"])
    assert verify_file(path).ok
    return rows


@pytest.mark.parametrize("point", [
    "before interest",  # the tax committed; nothing of the savings steps yet
    "inside interest",  # the interest's rows written, not committed
    "before instalments",
    "inside loan_instalment",
    "inside circle_round",  # the first circle's round written, not committed
    "inside fund_refund",
])
def test_a_night_killed_part_way_finishes_exactly_once_on_re_run(savings_camp_template, uninterrupted, tmp_path,
                                                                  point):
    path = fresh_copy(savings_camp_template, tmp_path)
    killed = subprocess.run([sys.executable, "-c", KILLER, point, *night_argv(path)], check=False,
                            env=process_env(MANAGER_PASSWORD), capture_output=True, text=True, timeout=TIMEOUT)
    assert killed.returncode == -9, killed.stdout + killed.stderr
    done = {row[0] for row in night_rows(path)}
    assert TAX_KEY in done  # the tax committed before every kill point
    if point in ("before interest", "inside interest"):
        assert done == {TAX_KEY}
    report = verify_file(path)
    assert report.ok, report.findings
    again = run_night(path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already taxed in #" in again.stdout
    assert night_rows(path) == uninterrupted
    third = run_night(path)
    assert "interest: already paid in #" in third.stdout and "instalments: already charged in #" in third.stdout
    assert "circle rounds: already held" in third.stdout and "fund refunds: no fund past its deadline" in third.stdout
    assert night_rows(path) == uninterrupted
    assert verify_file(path).ok


def test_two_nights_at_once_charge_once(savings_camp_template, uninterrupted, tmp_path):
    path = fresh_copy(savings_camp_template, tmp_path)
    results: list[subprocess.CompletedProcess[str]] = []
    threads = [threading.Thread(target=lambda: results.append(run_night(path))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "locked" not in result.stderr.lower()
    assert night_rows(path) == uninterrupted
    both = results[0].stdout + results[1].stdout
    assert both.count("charged 20.00@ to 2000 students") == 1 and both.count("already taxed") == 1
    assert both.count("interest: paid") == 1 and both.count("interest: already paid") == 1
    assert both.count("instalments: charged") == 1
    assert verify_file(path).ok

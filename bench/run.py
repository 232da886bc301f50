"""CampBank benchmarks (not tests): targets 1-7 of the performance issue, and 8 (the nightly run with
savings and credit), at full and 1/10 scale.

    python bench/run.py            # 1/10 scale, then full scale (10,000 students, 1,000,000 entries)
    python bench/run.py --quick    # 1/10 scale only
    python bench/run.py --only post,tax --runs 5
    (benches: post, tax, nightly, student, xlsx, verify, startup, table, tui)

Each figure is the median of `--runs` runs (5 by default; `--heavy-runs`, 3 by default, for the xlsx
report and `campbank verify` at full scale). Camps come from bench/camp.py (cached in /tmp/campbank-bench).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import camp
from camp import (
    FIRST_DAY,
    FULL,
    PASSWORD,
    TENTH,
    Scale,
    ensure_camp,
    staff_name,
    student_name,
    working_copy,
)

from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import BUSY_TIMEOUT_MS, journal_mode, open_database

GROUP = 400  # students in the group transaction of target 1
PYTHON = sys.executable
CAMPBANK = str(Path(sys.executable).with_name("campbank"))


@dataclass
class Result:
    scale: str
    target: str
    figure: str
    limit: str
    ok: bool | None  # None: a figure without a pass/miss of its own


RESULTS: list[Result] = []
SERVER: str | None = None  # --db postgresql://…: benchmarks 1 and 2 on that server (bench/postgres.py)


def median(fn: Callable[[], object], runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"


def add(scale: str, target: str, figure: str, limit: str, ok: bool | None) -> None:
    RESULTS.append(Result(scale, target, figure, limit, ok))
    mark = "" if ok is None else ("PASS" if ok else "MISS")
    print(f"  {scale:5} {target:44} {figure:28} {limit:22} {mark}", flush=True)


def actor(db, username: str) -> Actor:  # type: ignore[no-untyped-def]
    from campbank.ledger.people import account_named

    with db.session() as session:
        return Actor.of(account_named(session, username))


def raw_connect(path: Path) -> sqlite3.Connection:
    """Plain sqlite3 with CampBank's pragmas (db._install_pragmas)."""
    con = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    con.execute(f"PRAGMA journal_mode={journal_mode()}")
    con.execute("PRAGMA synchronous=FULL")
    return con


def raw_transaction(con: sqlite3.Connection, creator: str, type_: str, day: str, amounts: dict[str, int] | None,
                    money_type: str, key: str | None, students_where: str | None = None) -> None:
    """The rows CampBank writes for one processed money transaction, in one BEGIN IMMEDIATE transaction:
    txn, money entries, journal rows (receiver +, creator -), balance updates, two audit rows."""
    stamp = "2018-08-10 12:00:00.000000"
    con.execute("BEGIN IMMEDIATE")
    creator_id = con.execute("SELECT id FROM account WHERE username = ?", (creator,)).fetchone()[0]
    if students_where is not None:  # the tax: every active student
        people = con.execute(f"SELECT id, username FROM account WHERE {students_where}").fetchall()
        payload = json.dumps({"type": type_, "date": day})
        lines = [(pid, -amounts["*"]) for pid, _ in people]  # type: ignore[index]
    else:
        assert amounts is not None
        ids = dict(con.execute(f"SELECT username, id FROM account WHERE username IN ({','.join('?' * len(amounts))})",
                               list(amounts)).fetchall())
        payload = json.dumps({"type": type_, "money_type": money_type, "amounts": {
            u: f"{a / 100:.2f}" for u, a in amounts.items()}}, sort_keys=True)
        lines = [(ids[u], a) for u, a in amounts.items()]
    cur = con.execute("INSERT INTO txn (type, creator_id, created_at, day, state, description, payload, update_of, "
                      "idempotency_key, amount, recipients) VALUES (?, ?, ?, ?, 'processed', 'raw', ?, NULL, ?, ?, ?)",
                      (type_, creator_id, stamp, day, payload, key, sum(a for _, a in lines), len(lines)))
    txn = cur.lastrowid
    first = (con.execute("SELECT COALESCE(MAX(id), 0) FROM money_entry").fetchone()[0]) + 1
    con.executemany("INSERT INTO money_entry (id, transaction_id, receiver_id, amount, money_type, description) "
                    "VALUES (?, ?, ?, ?, ?, '')",
                    [(first + k, txn, pid, a, money_type) for k, (pid, a) in enumerate(lines)])
    journal = [(txn, pid, first + k, a, stamp) for k, (pid, a) in enumerate(lines)]
    journal += [(txn, creator_id, first + k, -a, stamp) for k, (pid, a) in enumerate(lines)]
    con.executemany("INSERT INTO journal (transaction_id, account_id, money_entry_id, counter_entry_id, counter_type, "
                    "amount, reverses, created_at) VALUES (?, ?, ?, NULL, NULL, ?, 0, ?)", journal)
    con.executemany("UPDATE account SET balance = balance + ? WHERE id = ?", [(a, pid) for pid, a in lines])
    con.execute("UPDATE account SET balance = balance - ? WHERE id = ?", (sum(a for _, a in lines), creator_id))
    con.executemany("INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?, ?, ?, ?, '{}')",
                    [(stamp, creator_id, "txn.created", f"txn:{txn}"), (stamp, creator_id, "txn.processed",
                                                                         f"txn:{txn}")])
    con.execute("COMMIT")


def _copy(scale: Scale, name: str) -> Path:
    if SERVER:
        import postgres

        return postgres.working_copy(SERVER, scale, name)
    return working_copy(scale, name)


def _raw(path: Path):  # type: ignore[no-untyped-def]
    """A raw connection to the camp and the function that writes one transaction's rows through it."""
    if SERVER:
        import postgres

        return postgres.connect(path), postgres.raw_transaction
    return raw_connect(path), raw_transaction


def _driver() -> str:
    return "psycopg" if SERVER else "sqlite3"


# -- 1. a group transaction to 400 students ------------------------------------------------------------

def bench_post(scale: Scale, label: str, runs: int) -> None:
    from campbank.ledger.actions.posting import post

    path = _copy(scale, "post")
    db = open_database(path)
    who = actor(db, staff_name(0))
    group = [student_name(i) for i in range(0, scale.students, max(1, scale.students // GROUP))][:GROUP]
    day = (FIRST_DAY + timedelta(days=3)).isoformat()
    payload = {"type": "general_money", "money_type": "radio_help", "date": day, "description": "bench",
               "amounts": {u: "1.50" for u in group}}
    t_cb = median(lambda: post(db, who, payload), runs)
    con, raw = _raw(path)
    t_raw = median(lambda: raw(con, staff_name(0), "general_money", day, {u: 150 for u in group},
                               "radio_help", None), runs)
    con.close()
    db.dispose()
    ratio = t_cb / t_raw
    add(label, f"1. post to {len(group)} students (CampBank)", ms(t_cb), "", None)
    add(label, f"1. same rows, raw {_driver()}", ms(t_raw), "", None)
    add(label, "1. ratio CampBank / raw", f"{ratio:.2f}x", "<= 2x", ratio <= 2)


# -- 2. the tax run ------------------------------------------------------------------------------------

def bench_tax(scale: Scale, label: str, runs: int) -> None:
    from campbank.ledger.actions.tax import run as run_tax

    path = _copy(scale, "tax")
    db = open_database(path)
    manager = actor(db, "manager")
    days = iter(FIRST_DAY + timedelta(days=14 + i) for i in range(runs + 1))  # days 15.. (none taxed yet)

    def one() -> None:
        [result] = run_tax(db, manager, day=next(days))
        assert result.outcome == "charged", result

    t_cb = median(one, runs)
    con, raw = _raw(path)
    keys = iter(range(1000))
    t_raw = median(lambda: raw(
        con, "bank", "tax", "2018-08-20", {"*": 2500}, "tax", f"raw-tax:{next(keys)}",
        students_where="role = 'student' AND active = 1"), runs)
    con.close()
    db.dispose()
    add(label, f"2. tax run over {scale.students} students", ms(t_cb), "< 1 s", t_cb < 1)
    add(label, f"2. same rows, raw {_driver()}", ms(t_raw), "", None)
    add(label, "2. ratio CampBank / raw", f"{t_cb / t_raw:.2f}x", "<= 2x", t_cb / t_raw <= 2)


# -- 3. a student's screen -----------------------------------------------------------------------------

STUDENT_SCREEN: dict[str, float] = {}


def bench_student(scale: Scale, label: str, runs: int) -> None:
    from campbank.ledger.actions import notices
    from campbank.ledger.views.accounts import history
    from campbank.ledger.views.study import balance_and_study

    db = open_database(ensure_camp(scale))
    username = student_name(scale.students // 2)
    me = actor(db, username)

    def screen() -> None:
        balance_and_study(db, me, username)  # the overview: balance, counters, requirements, notices
        notices.current(db)
        lines = history(db, me, username, limit=50)  # the history page
        assert lines

    t = median(screen, runs)
    db.dispose()
    STUDENT_SCREEN[label] = t
    entries = scale.entries
    add(label, f"3. student screen data, {entries:,} entries", ms(t), "< 10 ms", t < 0.010)
    if "1/10" in STUDENT_SCREEN and label == "full":
        r = t / STUDENT_SCREEN["1/10"]
        add(label, "3. ratio 1M / 100k entries", f"{r:.2f}x", "<= 2x", r <= 2)


# -- 4. the xlsx report --------------------------------------------------------------------------------

XLSX_CHILD = """
import sys, time
from pathlib import Path
from campbank.ledger.store.database import open_database
from campbank.ledger.people import account_named
from campbank.ledger.permissions import Actor
from campbank.formats.xlsx.report import write_report
db = open_database(sys.argv[1])
with db.session() as s:
    me = Actor.of(account_named(s, 'manager'))
t0 = time.perf_counter()
written = write_report(db, me, Path(sys.argv[2]), force=True)  # the previous run's report
print(time.perf_counter() - t0, written.transactions)
"""

# A clean parent per run, so RUSAGE_CHILDREN holds only that command's peak. The command may start
# processes of its own (the xlsx report reads a big camp in a second one): their resident memory is
# sampled together every 20 ms, and the peak is the larger of that sum and the largest single process.
MEASURE_CHILD = """
import pathlib, resource, subprocess, sys, time
def tree(pid):
    try:
        kids = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid] + [p for kid in kids for p in tree(int(kid))]
def rss(pid):
    try:
        status = pathlib.Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
t0 = time.perf_counter()
command = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, text=True)
together = 0
while command.poll() is None:
    together = max(together, sum(map(rss, tree(command.pid))))
    time.sleep(0.02)
out = command.stdout.read()
assert command.returncode == 0, out
print(time.perf_counter() - t0, max(together, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
      out.strip().replace(chr(10), ' | '))
"""


def measured(argv: list[str]) -> tuple[float, int, str]:
    """Wall time (s), peak resident memory (KiB) of a command and the processes it starts, and its output."""
    out = subprocess.run([PYTHON, "-c", MEASURE_CHILD, *argv], check=True, capture_output=True, text=True).stdout
    wall, rss, rest = out.split(" ", 2)
    return float(wall), int(rss), rest


def bench_xlsx(scale: Scale, label: str, runs: int) -> None:
    path = ensure_camp(scale)
    out = camp.CACHE / f"report-{scale.key}.xlsx"
    walls, peaks, inner = [], [], []
    for _ in range(runs):
        wall, rss, text = measured([PYTHON, "-c", XLSX_CHILD, str(path), str(out)])
        walls.append(wall)
        peaks.append(rss)
        inner.append(float(text.split()[0]))
    t, peak = statistics.median(walls), max(peaks) / 1024
    add(label, f"4. xlsx, {scale.students} students, {scale.transactions:,} txns",
        f"{t:.2f} s (write {statistics.median(inner):.2f} s)",
        "< 6 s", t < 6)
    add(label, "4. xlsx peak memory (RSS, all processes)", f"{peak:.0f} MiB", "< 300 MB", peak < 300 / 1.048576)


# -- 4b. account statements ---------------------------------------------------------------------------

def bench_statements(scale: Scale, label: str, runs: int) -> None:
    """Every student's statement in one PDF, as `campbank statement --all` writes it at the season's close."""
    path = ensure_camp(scale)
    out = camp.CACHE / f"statements-{scale.key}.pdf"
    os.environ["CAMPBANK_PASSWORD"] = camp.PASSWORD  # the manager signs in, as at the office
    walls, peaks = [], []
    for _ in range(runs):
        out.unlink(missing_ok=True)
        wall, rss, text = measured([CAMPBANK, "--db", str(path), "statement", "--all", "-o", str(out),
                                    "--as", "manager"])
        assert out.exists(), text
        walls.append(wall)
        peaks.append(rss)
    t, peak = statistics.median(walls), max(peaks) / 1024
    add(label, f"4b. statements of all {scale.students} students, one PDF", f"{t:.1f} s", "< 60 s", t < 60)
    add(label, "4b. statements peak memory (RSS, all processes)", f"{peak:.0f} MiB", "< 300 MB", peak < 300 / 1.048576)


# -- 5. verify -----------------------------------------------------------------------------------------

def bench_verify(scale: Scale, label: str, runs: int) -> None:
    path = ensure_camp(scale)
    from campbank.ledger.store.database import open_database

    open_database(path).dispose()  # a camp cached by an older CampBank gets this version's tables and guards first
    walls = []
    for _ in range(runs):
        wall, _rss, text = measured([CAMPBANK, "--db", str(path), "verify"])
        assert "OK" in text, text
        walls.append(wall)
    t = statistics.median(walls)
    add(label, f"5. campbank verify, {scale.entries:,} entries", f"{t:.2f} s", "< 10 s", t < 10)


# -- 6. start-up, login screen, login ------------------------------------------------------------------

LOGIN_SCREEN_CHILD = """
import asyncio, sys, time
from campbank.app import CampBankApp
from campbank.ledger.store.database import open_database
from campbank.screens.login import LoginScreen
shown = {}
original = LoginScreen.on_mount
def on_mount(self):
    original(self)
    shown.setdefault('at', time.time())
LoginScreen.on_mount = on_mount
async def main():
    app = CampBankApp(open_database(sys.argv[1]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
asyncio.run(main())
print(shown['at'])
"""


def bench_startup(scale: Scale, label: str, runs: int) -> None:
    from campbank.ledger.actions.auth import sign_in

    def help_() -> None:
        subprocess.run([CAMPBANK, "--help"], check=True, capture_output=True)

    t = median(help_, runs)
    add(label, "6. campbank --help (wall)", ms(t), "< 0.3 s", t < 0.3)

    path = ensure_camp(scale)
    times = []
    for _ in range(runs + 1):
        t0 = time.time()
        out = subprocess.run([PYTHON, "-c", LOGIN_SCREEN_CHILD, str(path)], check=True, capture_output=True,
                             text=True).stdout
        times.append(float(out.strip()) - t0)
    t = statistics.median(times[1:])
    add(label, "6. TUI login screen mounted (from spawn)", ms(t), "< 1 s", t < 1)

    path = working_copy(scale, "login")
    db = open_database(path)
    t = median(lambda: sign_in(db, staff_name(1), PASSWORD), runs)
    db.dispose()
    add(label, "6. sign_in (argon2 + audit write)", ms(t), "< 0.3 s", t < 0.3)


# -- 7. the all-transactions table (ledger calls of the TUI) --------------------------------------------

def bench_table(scale: Scale, label: str, runs: int) -> None:
    from campbank.ledger.views.transactions import TransactionFilter, transactions_page

    db = open_database(ensure_camp(scale))
    manager = actor(db, "manager")
    page = 50  # screens/manager/transactions.py PAGE
    cases: list[tuple[str, dict]] = [
        ("open (newest first)", {}),
        ("scroll: next page", {"offset": page}),
        ("scroll: middle", {"offset": scale.transactions // 2}),
        ("scroll: last page", {"offset": scale.transactions - page}),
        ("filter: text 'olympiad'", {"where": TransactionFilter(text="olympiad")}),
        ("filter: type workout", {"where": TransactionFilter(types=("workout",))}),
        ("filter: receiver", {"where": TransactionFilter(receiver=student_name(7))}),
        ("filter: creator", {"where": TransactionFilter(creator=staff_name(3))}),
        ("filter: day range", {"where": TransactionFilter(day_from=date(2018, 8, 8), day_to=date(2018, 8, 9))}),
        ("sort: amount", {"sort": "amount"}),
        ("sort: recipients", {"sort": "recipients"}),
        ("sort: creator", {"sort": "creator"}),
        ("sort: description", {"sort": "description"}),
        ("sort: type", {"sort": "type"}),
        ("sort: day", {"sort": "day"}),
        ("sort: state", {"sort": "state"}),
        ("sort: amount, smallest first", {"sort": "amount", "descending": False}),
        ("sort: amount, last page", {"sort": "amount", "offset": scale.transactions - page}),
        ("filter text + sort amount", {"where": TransactionFilter(text="olympiad"), "sort": "amount"}),
        ("filter text + sort creator", {"where": TransactionFilter(text="olympiad"), "sort": "creator"}),
        ("filter days + sort recipients", {"where": TransactionFilter(day_from=date(2018, 8, 8),
                                                                      day_to=date(2018, 8, 9)), "sort": "recipients"}),
    ]
    for name, kwargs in cases:
        def read(kwargs=kwargs) -> None:
            transactions_page(db, manager, limit=page, **kwargs)

        t = median(read, runs)
        add(label, f"7. table {name}", ms(t), "< 100 ms", t < 0.1)
    db.dispose()


def bench_tui(scale: Scale, label: str, runs: int) -> None:
    """Target 7 as a person meets it: keys pressed in the TUI until the new page is on screen."""
    import tui_table

    for name, times in tui_table.measure(working_copy(scale, "tui"), "manager", PASSWORD, runs).items():
        t = statistics.median(times)
        limit = 0.02 if name.startswith("one row down") else 0.1  # a cursor step must feel instant
        add(label, f"7. TUI {name}", ms(t), f"< {limit * 1000:.0f} ms", t < limit)


def bench_nightly_run(scale: Scale, label: str, runs: int) -> None:
    from nightly import bench_nightly

    bench_nightly(scale, label, runs, median=median, actor=actor, raw_connect=raw_connect, add=add, ms=ms)


BENCHES = {"post": bench_post, "tax": bench_tax, "nightly": bench_nightly_run, "student": bench_student,
           "xlsx": bench_xlsx, "statements": bench_statements,
           "verify": bench_verify, "startup": bench_startup, "table": bench_table, "tui": bench_tui}
HEAVY = {"xlsx", "statements", "verify"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1/10 scale only")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--heavy-runs", type=int, default=3, help="runs of xlsx and verify at full scale")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(BENCHES)}")
    parser.add_argument("--db", default="", help="postgresql://USER:PASS@HOST/DB (a role that may create databases): "
                                                 "benchmarks post and tax on that server")
    args = parser.parse_args()
    chosen = [b for b in args.only.split(",") if b] or list(BENCHES)
    if args.db:
        global SERVER
        SERVER = args.db
        chosen = [b for b in chosen if b in ("post", "tax")]
    probe = sqlite3.connect(":memory:")
    print(f"SQLite {sqlite3.sqlite_version} (Python {sys.version.split()[0]}), CampBank journal_mode="
          f"{journal_mode()}, synchronous=FULL, foreign_keys=ON; {os.cpu_count()} CPUs; median of {args.runs} runs")
    probe.close()
    scales = [("1/10", TENTH)] + ([] if args.quick else [("full", FULL)])
    for label, scale in scales:
        ensure_camp(scale)
        print(f"\n== {label}: {scale.students} students, {scale.staff} staff, {scale.transactions:,} transactions, "
              f"{scale.entries:,} money entries ==")
        for name in chosen:
            runs = args.heavy_runs if name in HEAVY and label == "full" else args.runs
            BENCHES[name](scale, label, runs)
    missed = [r for r in RESULTS if r.ok is False]
    print(f"\n{sum(r.ok is True for r in RESULTS)} passed, {len(missed)} missed")
    for r in missed:
        print(f"  MISS {r.scale}: {r.target}: {r.figure} (target {r.limit})")


if __name__ == "__main__":
    main()

"""Target 8: the nightly run over a camp with savings and credit, against raw sqlite3 writing the same rows.

The camp is bench/camp_savings.py's: every student with a savings pocket, a loan for one student in five
(2,000 at full scale) with instalments due, and a circle of 10 for one student in 200 (50 at full scale)
holding a round every night. Each measured night is a new date (day 15, 16, …), so
every step does its full work: the tax (every student), interest (every pocket), the instalments due,
and 50 circle rounds. The raw baseline replays, on a second copy, exactly the rows CampBank wrote that
night (transactions, money entries, journal rows ±, balance updates, audit rows, loan payments), grouped
in the same database transactions (one per step; the 50 rounds together), with plain sqlite3.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from camp import CACHE, Scale
from camp_savings import FIRST_NIGHT, ensure_savings_camp, loans_and_circles

STEP_OF = {"tax": "tax", "interest": "interest", "loan_instalment": "instalments", "circle_round": "circles",
           "fund_refund": "funds"}


def copies(scale: Scale) -> tuple[Path, Path]:
    source = ensure_savings_camp(scale)
    made = []
    for name in ("nightly", "nightly-raw"):
        target = CACHE / f"work-{name}-{scale.key}.db"
        for leftover in (target, *(target.with_name(target.name + s) for s in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(source, target)
        made.append(target)
    return made[0], made[1]


def written_on(path: Path, day: str) -> list[list[tuple]]:
    """What CampBank wrote for one night, step by step: per transaction (id, type, creator, key, amount,
    recipients, payload, description, entries, loan payments, its audit rows)."""
    con = sqlite3.connect(path)
    steps: dict[str, list[tuple]] = {}
    for txn, type_, creator, key, amount, recipients, payload, description in con.execute(
            "SELECT id, type, creator_id, idempotency_key, amount, recipients, payload, description FROM txn "
            "WHERE day = ? AND idempotency_key LIKE 'sys:%' ORDER BY id", (day,)):
        entries = con.execute("SELECT receiver_id, amount, money_type, description FROM money_entry "
                              "WHERE transaction_id = ? ORDER BY id", (txn,)).fetchall()
        payments = con.execute("SELECT lp.loan_id, lp.instalment FROM loan_payment lp JOIN money_entry m "
                               "ON m.id = lp.money_entry_id WHERE m.transaction_id = ? ORDER BY m.id",
                               (txn,)).fetchall()
        audit = con.execute("SELECT actor_id, action, detail FROM audit_log WHERE target = ? OR detail LIKE ? "
                            "ORDER BY id", (f"txn:{txn}", f'%"transaction": {txn}%')).fetchall()
        steps.setdefault(STEP_OF[type_], []).append(
            (txn, type_, creator, key, amount, recipients, payload, description, entries, payments, audit))
    con.close()
    return list(steps.values())


def replay(con: sqlite3.Connection, night: list[list[tuple]], tag: str) -> None:
    """Write the same rows with plain sqlite3, one BEGIN IMMEDIATE per step, under new keys."""
    stamp = "2018-08-20 23:00:00.000000"
    for step in night:
        con.execute("BEGIN IMMEDIATE")
        for _txn, type_, creator, key, amount, recipients, payload, description, entries, payments, audit in step:
            cur = con.execute(
                "INSERT INTO txn (type, creator_id, created_at, day, state, description, payload, update_of, "
                "idempotency_key, amount, recipients) VALUES (?, ?, ?, '2018-08-30', 'processed', ?, ?, NULL, ?, ?, ?)",
                (type_, creator, stamp, description, payload, f"{key}:{tag}", amount, recipients))
            txn = cur.lastrowid
            first = con.execute("SELECT COALESCE(MAX(id), 0) FROM money_entry").fetchone()[0] + 1
            con.executemany("INSERT INTO money_entry (id, transaction_id, receiver_id, amount, money_type, "
                            "description) VALUES (?, ?, ?, ?, ?, ?)",
                            [(first + k, txn, *entry) for k, entry in enumerate(entries)])
            journal = [(txn, r, first + k, a, stamp) for k, (r, a, _t, _d) in enumerate(entries)]
            journal += [(txn, creator, first + k, -a, stamp) for k, (_r, a, _t, _d) in enumerate(entries)]
            con.executemany("INSERT INTO journal (transaction_id, account_id, money_entry_id, counter_entry_id, "
                            "counter_type, amount, reverses, created_at) VALUES (?, ?, ?, NULL, NULL, ?, 0, ?)",
                            journal)
            moved: dict[int, int] = {}
            for receiver, value, _t, _d in entries:
                moved[receiver] = moved.get(receiver, 0) + value
                moved[creator] = moved.get(creator, 0) - value
            con.executemany("UPDATE account SET balance = balance + ? WHERE id = ?",
                            [(v, a) for a, v in moved.items() if v])
            con.executemany("INSERT INTO loan_payment (loan_id, money_entry_id, instalment) VALUES (?, ?, ?)",
                            [(loan, first + k, number) for k, (loan, number) in enumerate(payments)])
            con.executemany("INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                            [(stamp, actor, action, f"txn:{txn}", detail) for actor, action, detail in audit])
        con.execute("COMMIT")


def bench_nightly(scale: Scale, label: str, runs: int, *, median: Callable, actor: Callable,
                  raw_connect: Callable, add: Callable, ms: Callable) -> None:
    from campbank.ledger.actions.nightly import DONE
    from campbank.ledger.actions.nightly import run as run_night
    from campbank.ledger.store.database import open_database

    path, raw_path = copies(scale)
    db = open_database(path)
    manager = actor(db, "manager")
    nights = [FIRST_NIGHT + timedelta(days=i) for i in range(runs + 1)]
    days = iter(nights)

    def one() -> None:
        results = run_night(db, manager, day=next(days))
        assert results[0].outcome == "charged", results[0]
        assert all(step.outcome == DONE for step in results[1:4]), results

    t_cb = median(one, runs)
    db.dispose()
    written = [written_on(path, night.isoformat()) for night in nights]
    counts = [sum(len(txn[8]) for step in night for txn in step) for night in written]
    con = raw_connect(raw_path)
    replays = iter(enumerate(written))
    t_raw = median(lambda: _replay_next(con, replays), runs)
    con.close()
    entries = sorted(counts)[len(counts) // 2]
    loans, circles = loans_and_circles(scale)
    add(label, f"8. nightly run, {scale.students} savers, {loans} loans, {circles} circles", ms(t_cb), "< 1 s",
        t_cb < 1)
    add(label, f"8. same rows, raw sqlite3 ({entries:,} entries)", ms(t_raw), "", None)
    add(label, "8. ratio CampBank / raw", f"{t_cb / t_raw:.2f}x", "<= 2x", t_cb / t_raw <= 2)


def _replay_next(con: sqlite3.Connection, replays) -> None:  # type: ignore[no-untyped-def]
    n, night = next(replays)
    replay(con, night, f"raw{n}")

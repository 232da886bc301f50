"""Build a big CampBank camp fast, for the benchmarks (not a test).

The file is made by `campbank.ledger.actions.setup.initialise` (schema, triggers, season, bank, manager), then
filled directly with sqlite3 `executemany` in big batches: accounts, transactions, money entries,
counter entries, journal rows (receiver +, creator -; counters to the receiver), counter totals,
cached balances and the audit rows (`user.add` and `user.credentials` per person, `txn.created` and
`txn.processed` per transaction) that `campbank verify` expects; then the hash chain over them, one link
per write as CampBank would have made them (one for the people, one per transaction).
While building, `synchronous=OFF` / `journal_mode=OFF` and the secondary indexes are dropped and
recreated at the end; the finished file has CampBank's normal journal mode. Each build is checked once
with `verify_file` and cached under /tmp/campbank-bench/ keyed by its scale.

    python bench/camp.py --students 10000 --staff 200 --transactions 200000 --entries 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

CACHE = Path(os.environ.get("CAMPBANK_BENCH_DIR", "/tmp/campbank-bench"))  # a private cache: set the variable
PASSWORD = "bench-password"  # every account's password (hashed once with the real argon2 parameters)
FIRST_DAY = date(2018, 8, 6)  # the classic season's first day
HISTORY_DAYS = 14  # fixture transactions fall on days 1..14; the tax benchmark uses later days
BATCH = 50_000
FORMAT = "chained"  # in the cache's file names: camps built before the hash chain are not reused
MONEY_TYPES = ("radio_help", "art_help", "olympiad")
DESCRIPTIONS = ("Camp shop help", "Thanks", "Olympiad", "Radio club", "Art studio", "Kitchen help",
                "Library duty", "Семинар помощь")


@dataclass(frozen=True)
class Scale:
    students: int
    staff: int
    transactions: int
    entries: int  # money entries

    @property
    def key(self) -> str:
        return f"s{self.students}-t{self.staff}-x{self.transactions}-e{self.entries}-{FORMAT}"


FULL = Scale(10_000, 200, 200_000, 1_000_000)
TENTH = Scale(1_000, 20, 20_000, 100_000)


def student_name(i: int) -> str:
    return f"student{i:05d}"


def staff_name(i: int) -> str:
    return f"staff{i:03d}"


def camp_path(scale: Scale) -> Path:
    return CACHE / f"camp-{scale.key}.db"


def ensure_camp(scale: Scale, *, say=print) -> Path:  # type: ignore[no-untyped-def]
    """The cached camp of this scale, built (and verified) if missing."""
    path = camp_path(scale)
    if path.exists():
        return up_to_date(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for leftover in (tmp, tmp.with_name(tmp.name + "-journal"), tmp.with_name(tmp.name + "-wal")):
        leftover.unlink(missing_ok=True)
    t0 = time.perf_counter()
    build(tmp, scale)
    t1 = time.perf_counter()
    from campbank.ledger.verify import verify_file

    report = verify_file(tmp)
    t2 = time.perf_counter()
    if not report.ok:
        for finding in report.findings[:20]:
            say(f"  verify: {finding.check}: {finding.message}")
        raise SystemExit(f"the built camp {tmp} does not verify")
    tmp.rename(path)
    say(f"built {path.name} in {t1 - t0:.1f} s (verified in {t2 - t1:.1f} s): {report.counted}")
    return path


def up_to_date(path: Path) -> Path:
    """A camp cached by an older CampBank, brought to this one's schema as opening it anywhere would (an
    index added or dropped): the raw baselines then write to the same tables and indexes CampBank does."""
    from campbank.ledger.store.database import open_database

    open_database(path).dispose()
    return path


def working_copy(scale: Scale, name: str) -> Path:
    """A fresh copy of the cached camp, for benchmarks that write."""
    source = ensure_camp(scale)
    target = CACHE / f"work-{name}-{scale.key}.db"
    for leftover in (target, target.with_name(target.name + "-journal"), target.with_name(target.name + "-wal"),
                     target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def _stamp(at: datetime) -> str:
    return at.isoformat(sep=" ", timespec="microseconds")


def build(path: Path, scale: Scale, seed: int = 2018) -> None:
    from campbank.ledger.actions import auth
    from campbank.ledger.actions.setup import initialise
    from campbank.ledger.store import audited_credentials, chain
    from campbank.ledger.store.database import journal_mode

    camp = initialise(path, manager="manager", manager_password=PASSWORD)
    camp.database.dispose()
    rng = random.Random(seed)
    pw_hash = auth.hasher.hash(PASSWORD)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA cache_size=-400000")
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('money_entry', 'counter_entry', 'journal', 'audit_log', 'txn')").fetchall()
    db.execute("BEGIN")
    for name, _sql in indexes:
        db.execute(f"DROP INDEX {name}")

    db.execute("SELECT id FROM account WHERE username = 'bank'").fetchone()[0]
    created = _stamp(datetime(2018, 8, 6, 7, 0))
    squads = ["Squad 1", "Squad 2", "Squad 3", "Squad 4"]
    grades = [7, 8, 9, 10, 11]
    next_id = db.execute("SELECT MAX(id) FROM account").fetchone()[0] + 1
    staff_ids = list(range(next_id, next_id + scale.staff))
    student_ids = list(range(next_id + scale.staff, next_id + scale.staff + scale.students))
    accounts = [(sid, staff_name(i), "staff", f"Staffer{i}", "Bench", "", None, None, pw_hash, created)
                for i, sid in enumerate(staff_ids)]
    accounts += [(sid, student_name(i), "student", f"Surname{i:05d}", rng.choice(("Anna", "Ivan", "Лев")), "",
                  squads[i % 4], grades[(i // 4) % 5], pw_hash, created)
                 for i, sid in enumerate(student_ids)]
    db.executemany(
        "INSERT INTO account (id, username, role, last_name, first_name, middle_name, squad, grade, active, "
        "can_login, password_hash, failed_logins, lockouts, balance, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, 0, 0, 0, ?)", accounts)

    balance: dict[int, int] = {}
    counters: dict[tuple[int, str], int] = {}
    per_txn = max(1, scale.entries // scale.transactions)
    extra = scale.entries - per_txn * scale.transactions  # spread over the first transactions
    txn_rows, money_rows, counter_rows, journal_rows, audit_rows = [], [], [], [], []
    money_id = counter_id = journal_id = audit_id = 0
    seconds = HISTORY_DAYS * 86_400

    def flush() -> None:
        db.executemany("INSERT INTO txn (id, type, creator_id, created_at, day, state, description, payload, "
                       "update_of, idempotency_key, amount, recipients) "
                       "VALUES (?, ?, ?, ?, ?, 'processed', ?, ?, NULL, NULL, ?, ?)", txn_rows)
        db.executemany("INSERT INTO money_entry (id, transaction_id, receiver_id, amount, money_type, description) "
                       "VALUES (?, ?, ?, ?, ?, '')", money_rows)
        db.executemany("INSERT INTO counter_entry (id, transaction_id, receiver_id, counter_type, value, day, block) "
                       "VALUES (?, ?, ?, 'workout', 1, ?, 'workout')", counter_rows)
        db.executemany("INSERT INTO journal (id, transaction_id, account_id, money_entry_id, counter_entry_id, "
                       "counter_type, amount, reverses, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)", journal_rows)
        db.executemany("INSERT INTO audit_log (id, at, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
                       audit_rows)
        for rows in (txn_rows, money_rows, counter_rows, journal_rows, audit_rows):
            rows.clear()

    audit_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0]
    # what adding each person audits (as a roster import does): who was added, and their role and password
    for _sid, username, role, *_rest in accounts:
        audit_rows.append((audit_id + 1, created, None, "user.add", f"user:{username}",
                           json.dumps({"role": role}, sort_keys=True)))
        audit_rows.append((audit_id + 2, created, None, "user.credentials", f"user:{username}",
                           json.dumps(audited_credentials.detail(role, pw_hash), sort_keys=True)))
        audit_id += 2
    links = [(0, 0, 0, 0, audit_id)]  # the import is one write, so one link; then one link per transaction
    for t in range(1, scale.transactions + 1):
        offset = (t - 1) * seconds // scale.transactions  # spread evenly, in id order
        at = datetime(2018, 8, 6, 0, 0) + timedelta(seconds=offset, microseconds=t % 1_000_000)
        stamp = _stamp(at)
        day = (FIRST_DAY + timedelta(days=offset // 86_400)).isoformat()
        creator = staff_ids[t % len(staff_ids)]
        n = per_txn + (1 if t <= extra else 0)
        receivers = rng.sample(student_ids, min(n, len(student_ids)))
        workout = t % 10 == 0
        kind = "workout" if workout else "general_money"
        money_type = "workout_reward" if workout else MONEY_TYPES[t % 3]
        amounts = [rng.randint(1, 40) * 100 for _ in receivers]
        payload = ({"type": kind, "attendees": [student_name(r - student_ids[0]) for r in receivers]} if workout else
                   {"type": kind, "money_type": money_type, "amounts": {
                       student_name(r - student_ids[0]): f"{a / 100:.2f}"
                       for r, a in zip(receivers, amounts, strict=True)}})
        description = f"{DESCRIPTIONS[t % len(DESCRIPTIONS)]} {t}"
        txn_rows.append((t, kind, creator, stamp, day, description, json.dumps(payload, sort_keys=True),
                         sum(amounts), len(receivers)))
        first_money = money_id + 1
        for r, a in zip(receivers, amounts, strict=False):
            money_id += 1
            money_rows.append((money_id, t, r, a, money_type))
            balance[r] = balance.get(r, 0) + a
            balance[creator] = balance.get(creator, 0) - a
        for k, (r, a) in enumerate(zip(receivers, amounts, strict=False)):
            journal_id += 1
            journal_rows.append((journal_id, t, r, first_money + k, None, None, a, stamp))
        for k, a in enumerate(amounts):
            journal_id += 1
            journal_rows.append((journal_id, t, creator, first_money + k, None, None, -a, stamp))
        if workout:
            for r in receivers:
                counter_id += 1
                counter_rows.append((counter_id, t, r, day))
                journal_id += 1
                journal_rows.append((journal_id, t, r, None, counter_id, "workout", 1, stamp))
                counters[(r, "workout")] = counters.get((r, "workout"), 0) + 1
        detail_c = json.dumps({"type": kind, "update_of": None}, sort_keys=True)
        detail_p = json.dumps({"from_state": "created", "reason": "", "type": kind}, sort_keys=True)
        audit_rows.append((audit_id + 1, stamp, creator, "txn.created", f"txn:{t}", detail_c))
        audit_rows.append((audit_id + 2, stamp, creator, "txn.processed", f"txn:{t}", detail_p))
        audit_id += 2
        links.append((t, money_id, counter_id, journal_id, audit_id))
        if len(journal_rows) >= BATCH:
            flush()
    flush()
    db.executemany("UPDATE account SET balance = ? WHERE id = ?", [(b, a) for a, b in balance.items()])
    db.executemany("INSERT INTO counter_total (account_id, counter_type, total) VALUES (?, ?, ?)",
                   [(a, c, v) for (a, c), v in counters.items()])
    for _name, sql in indexes:
        db.execute(sql)
    chain.extend(db.cursor(), links)  # the links the writes above would have made, one per write
    db.execute("COMMIT")
    db.execute(f"PRAGMA journal_mode={journal_mode()}")
    db.execute("PRAGMA synchronous=FULL")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=FULL.students)
    parser.add_argument("--staff", type=int, default=FULL.staff)
    parser.add_argument("--transactions", type=int, default=FULL.transactions)
    parser.add_argument("--entries", type=int, default=FULL.entries)
    parser.add_argument("--rebuild", action="store_true", help="build again even if cached")
    args = parser.parse_args()
    scale = Scale(args.students, args.staff, args.transactions, args.entries)
    if args.rebuild:
        camp_path(scale).unlink(missing_ok=True)
    print(ensure_camp(scale))


if __name__ == "__main__":
    sys.exit(main())

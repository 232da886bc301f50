"""Savings and credit on top of a bench camp, fast (bench/camp.py builds the camp itself).

A copy of the cached camp gets the savings season (the classic calendar) and, written directly with
sqlite3 `executemany` in one transaction: every student's savings pocket (its account, the pocket, and a
`pocket_move` of 10-60@ from main on day 14, with entries, journal rows and audit rows), a loan from the
bank on day 14 for one student in five (10-150@, 1-7 instalments at 10%, so instalments fall due every
night from day 15), and a savings circle of `MEMBERS` for one student in 200, paying 5@ a round from day
15: 2,000 loans and 50 circles at full scale. The result is
checked with `verify_file` once and cached beside the camp.

    python bench/camp_savings.py             # the full camp's savings copy
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from camp import CACHE, FIRST_DAY, FULL, Scale, ensure_camp, up_to_date

MEMBERS = 10
SAVED_ON = FIRST_DAY + timedelta(days=13)  # day 14: the last day of the camp's history
FIRST_NIGHT = FIRST_DAY + timedelta(days=14)  # day 15: the first night with instalments and rounds


def loans_and_circles(scale: Scale) -> tuple[int, int]:
    """A loan for one student in five, a circle of 10 for one in 200: 2,000 and 50 at full scale."""
    return scale.students // 5, scale.students // 200


def savings_path(scale: Scale) -> Path:
    loans, circles = loans_and_circles(scale)
    return CACHE / f"camp-{scale.key}-savings-l{loans}-c{circles}.db"


def ensure_savings_camp(scale: Scale, *, say=print) -> Path:  # type: ignore[no-untyped-def]
    path = savings_path(scale)
    if path.exists():
        return up_to_date(path)
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    shutil.copyfile(ensure_camp(scale, say=say), tmp)
    t0 = time.perf_counter()
    from campbank.ledger.store.database import open_database

    open_database(tmp).dispose()  # the tables and triggers of savings and credit, as any CampBank adds them
    add_savings(tmp, *loans_and_circles(scale))
    from campbank.ledger.verify import verify_file

    report = verify_file(tmp)
    if not report.ok:
        for finding in report.findings[:20]:
            say(f"  verify: {finding.check}: {finding.message}")
        raise SystemExit(f"the savings camp {tmp} does not verify")
    tmp.rename(path)
    say(f"built {path.name} in {time.perf_counter() - t0:.1f} s")
    return path


def add_savings(path: Path, loans_wanted: int, circles: int, seed: int = 2018) -> None:
    from campbank.ledger.season.load import SEASON_FILES
    from campbank.ledger.store import chain, credentials
    from campbank.ledger.store.database import journal_mode
    from campbank.rules.savings import schedule, total_due

    rng = random.Random(seed)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    stamp = datetime(2018, 8, 19, 18, 0).isoformat(sep=" ", timespec="microseconds")
    manager = db.execute("SELECT id FROM account WHERE username = 'manager'").fetchone()[0]
    bank = db.execute("SELECT id FROM account WHERE username = 'bank'").fetchone()[0]
    db.execute("INSERT INTO season (loaded_at, name, source, toml) VALUES (?, ?, ?, ?)",
               (stamp, "Bench savings", "season-savings.toml", SEASON_FILES["savings"].read_text(encoding="utf-8")))
    students = db.execute("SELECT id, username, last_name, first_name, squad, grade FROM account "
                          "WHERE role = 'student' ORDER BY id").fetchall()
    next_account = db.execute("SELECT MAX(id) FROM account").fetchone()[0] + 1
    next_txn = db.execute("SELECT MAX(id) FROM txn").fetchone()[0] + 1
    next_money = db.execute("SELECT MAX(id) FROM money_entry").fetchone()[0] + 1
    next_audit = db.execute("SELECT MAX(id) FROM audit_log").fetchone()[0] + 1
    accounts, pockets, txns, money, journal, audit, loans = [], [], [], [], [], [], []
    balance: dict[int, int] = {}

    def transaction(type_: str, creator: int, receiver: int, amount: int, money_type: str, payload: dict) -> int:
        nonlocal next_txn, next_money, next_audit
        txn, entry = next_txn, next_money
        next_txn += 1
        next_money += 1
        txns.append((txn, type_, creator, stamp, SAVED_ON.isoformat(), json.dumps(payload, sort_keys=True),
                     amount))
        money.append((entry, txn, receiver, amount, money_type))
        journal.extend([(txn, receiver, entry, amount, stamp), (txn, creator, entry, -amount, stamp)])
        balance[receiver] = balance.get(receiver, 0) + amount
        balance[creator] = balance.get(creator, 0) - amount
        for action in ("txn.created", "txn.processed"):
            audit.append((next_audit, stamp, creator, action, f"txn:{txn}"))
            next_audit += 1
        return txn

    for n, (sid, _username, last, first, squad, grade) in enumerate(students, start=1):
        pocket_account = next_account
        next_account += 1
        accounts.append((pocket_account, f"~pocket:{sid}:1", last, first, squad, grade, stamp))
        pockets.append((n, pocket_account, sid, stamp))
        amount = rng.randint(10, 60) * 100
        transaction("pocket_move", sid, pocket_account, amount, "pocket",
                    {"type": "pocket_move", "from": "main", "to": "savings", "amount": f"{amount / 100:.2f}"})
    for n, (sid, username, *_rest) in enumerate(students[:loans_wanted], start=1):
        principal, count = rng.randint(10, 150) * 100, rng.randint(1, 7)
        total = total_due(principal, 10)
        assert sum(schedule(total, count)) == total
        txn = transaction("loan", bank, sid, principal, "loan",
                          {"type": "loan", "borrower": username, "amount": f"{principal / 100:.2f}",
                           "instalments": count})
        loans.append((n, sid, txn, manager, SAVED_ON.isoformat(), principal, total, count))
    db.executemany("INSERT INTO account (id, username, role, last_name, first_name, middle_name, squad, grade, "
                   "active, can_login, password_hash, failed_logins, lockouts, balance, created_at) "
                   "VALUES (?, ?, 'pocket', ?, ?, '', ?, ?, 1, 0, NULL, 0, 0, 0, ?)", accounts)
    db.executemany("INSERT INTO pocket (id, account_id, owner_id, kind, name, target, opened_at, closed_at) "
                   "VALUES (?, ?, ?, 'savings', 'savings', NULL, ?, NULL)", pockets)
    db.executemany("INSERT INTO txn (id, type, creator_id, created_at, day, state, description, payload, "
                   "update_of, idempotency_key, amount, recipients) VALUES (?, ?, ?, ?, ?, 'processed', '', ?, "
                   "NULL, NULL, ?, 1)", txns)
    db.executemany("INSERT INTO money_entry (id, transaction_id, receiver_id, amount, money_type, description) "
                   "VALUES (?, ?, ?, ?, ?, '')", money)
    db.executemany("INSERT INTO journal (transaction_id, account_id, money_entry_id, counter_entry_id, "
                   "counter_type, amount, reverses, created_at) VALUES (?, ?, ?, NULL, NULL, ?, 0, ?)", journal)
    db.executemany("INSERT INTO audit_log (id, at, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?, '{}')",
                   audit)
    db.executemany("INSERT INTO loan (id, borrower_id, transaction_id, granted_by_id, day, principal, total_due, "
                   "instalments, state, written_off) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', 0)", loans)
    members = [s[0] for s in students[loans_wanted:loans_wanted + circles * MEMBERS]]
    for c in range(circles):
        db.execute("INSERT INTO circle (id, name, contribution, start, members, created_by_id, created_at) "
                   "VALUES (?, ?, 500, ?, ?, ?, ?)", (c + 1, f"Circle {c + 1}", FIRST_NIGHT.isoformat(), MEMBERS,
                                                       manager, stamp))
        db.executemany("INSERT INTO circle_member (circle_id, position, account_id) VALUES (?, ?, ?)",
                       [(c + 1, k + 1, members[c * MEMBERS + k]) for k in range(MEMBERS)])
    db.executemany("UPDATE account SET balance = balance + ? WHERE id = ?", [(b, a) for a, b in balance.items()])
    cursor = db.cursor()  # as CampBank would have: the pockets' accounts audited, every new row chained
    credentials.audit_missing(cursor)
    chain.extend(cursor)
    db.execute("COMMIT")
    db.execute(f"PRAGMA journal_mode={journal_mode()}")
    db.execute("PRAGMA synchronous=FULL")
    db.close()


if __name__ == "__main__":
    print(ensure_savings_camp(FULL))

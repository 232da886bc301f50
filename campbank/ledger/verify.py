"""`campbank verify`: recompute everything from the entries and the journal and report any difference.

It trusts no cache. Each check is one set-based query, so a million entries take seconds, not minutes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from campbank.core.enums import TRANSITIONS, State
from campbank.ledger.store.schema import expected_triggers

SHOW = 20  # differences listed per check; the count says how many in all

_EXPECTED = """
    SELECT me.transaction_id AS txn, me.receiver_id AS account, NULL AS counter, me.amount AS amount
      FROM money_entry me JOIN txn t ON t.id = me.transaction_id WHERE t.state = 'processed'
    UNION ALL
    SELECT me.transaction_id, t.creator_id, NULL, -me.amount
      FROM money_entry me JOIN txn t ON t.id = me.transaction_id WHERE t.state = 'processed'
    UNION ALL
    SELECT ce.transaction_id, ce.receiver_id, ce.counter_type, ce.value
      FROM counter_entry ce JOIN txn t ON t.id = ce.transaction_id WHERE t.state = 'processed'
"""
# Entries that count, minus what the journal holds, per transaction, account and counter: any
# group that does not cancel out is a difference. One pass over each table.
_DIFFERENCES = f"""
    SELECT txn, account, counter, SUM(amount) FROM (
        {_EXPECTED}
        UNION ALL
        SELECT transaction_id, account_id, counter_type, -amount FROM journal)
    GROUP BY 1, 2, 3 HAVING SUM(amount) != 0
"""

# The amount and the number of people kept on each transaction, against its entries.
_TXN_TOTALS = """
    SELECT t.id, t.amount, t.recipients, COALESCE(m.total, 0), COALESCE(r.people, 0)
      FROM txn t
      LEFT JOIN (SELECT transaction_id, SUM(amount) AS total FROM money_entry GROUP BY transaction_id) m
             ON m.transaction_id = t.id
      LEFT JOIN (SELECT transaction_id, COUNT(*) AS people
                   FROM (SELECT transaction_id, receiver_id FROM money_entry
                         UNION SELECT transaction_id, receiver_id FROM counter_entry)
                  GROUP BY transaction_id) r
             ON r.transaction_id = t.id
     WHERE t.amount != COALESCE(m.total, 0) OR t.recipients != COALESCE(r.people, 0)
"""


@dataclass(frozen=True)
class Finding:
    check: str
    message: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, check: str, message: str) -> None:
        self.findings.append(Finding(check, message))


def verify_file(path: Path) -> Report:
    """Check the database file; a file SQLite cannot read is reported, not raised."""
    report = Report()
    try:
        # Read-write, never create: a journal left by a crash must be rolled back before reading.
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=10)
    except sqlite3.Error as error:
        report.add("file", f"cannot open {path}: {error}")
        return report
    try:
        _run_checks(connection, report)
    except sqlite3.DatabaseError as error:
        report.add("file", f"the database file is damaged: {error}")
    finally:
        connection.close()
    return report


def _run_checks(db: sqlite3.Connection, report: Report) -> None:
    db.execute("BEGIN")  # one consistent snapshot for every check
    integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        for line in integrity[:SHOW]:
            report.add("integrity", line)
        return
    for name, count_sql in {
        "accounts": "SELECT COUNT(*) FROM account",
        "transactions": "SELECT COUNT(*) FROM txn",
        "money entries": "SELECT COUNT(*) FROM money_entry",
        "counter entries": "SELECT COUNT(*) FROM counter_entry",
        "journal rows": "SELECT COUNT(*) FROM journal",
    }.items():
        report.counted[name] = db.execute(count_sql).fetchone()[0]
    _check_triggers(db, report)
    _check_sums_to_zero(db, report)
    _check_journal_matches_entries(db, report)
    _check_transaction_totals(db, report)
    _check_cached_balances(db, report)
    _check_counter_totals(db, report)
    _check_state_history(db, report)
    db.execute("ROLLBACK")


def _check_triggers(db: sqlite3.Connection, report: Report) -> None:
    present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for name in expected_triggers():
        if name not in present:
            table = name.rsplit("_no_", 1)[0] if "_no_" in name else "dispute"
            report.add("append-only", f"the trigger {name} is missing: {table} can be edited")


def _check_sums_to_zero(db: sqlite3.Connection, report: Report) -> None:
    total = db.execute("SELECT COALESCE(SUM(balance), 0) FROM account").fetchone()[0]
    if total != 0:
        report.add("balances sum to zero", f"the cached balances add up to {total} cents, not 0")
    rows = db.execute(
        "SELECT transaction_id, SUM(amount) FROM journal WHERE counter_type IS NULL "
        "GROUP BY transaction_id HAVING SUM(amount) != 0"
    ).fetchall()
    for txn, amount in rows[:SHOW]:
        report.add("transaction sums to zero", f"the journal of #{txn} adds up to {amount} cents, not 0")
    _more(report, "transaction sums to zero", len(rows))


def _check_journal_matches_entries(db: sqlite3.Connection, report: Report) -> None:
    """What counts (entries of processed transactions) must be exactly what the journal holds."""
    rows = db.execute(_DIFFERENCES).fetchall()
    for txn, account, counter, amount in rows[:SHOW]:
        what = counter or "money"
        side = "the entries say" if amount > 0 else "the journal says"
        report.add("journal matches entries",
                   f"#{txn}, account {_name(db, account)}, {what}: {side} {abs(amount)} more than the other")
    _more(report, "journal matches entries", len(rows))


def _check_transaction_totals(db: sqlite3.Connection, report: Report) -> None:
    if "recipients" not in {row[1] for row in db.execute("PRAGMA table_info(txn)")}:
        return  # a file from before they were kept; CampBank adds them when it next opens the file
    rows = db.execute(_TXN_TOTALS).fetchall()
    for txn, amount, recipients, total, people in rows[:SHOW]:
        report.add("transaction totals", f"#{txn} shows {amount} cents to {recipients} people; "
                                         f"its entries give {total} cents to {people}")
    _more(report, "transaction totals", len(rows))


def _check_cached_balances(db: sqlite3.Connection, report: Report) -> None:
    rows = db.execute(
        """
        SELECT a.id, a.balance, COALESCE(j.total, 0) FROM account a
          LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM journal WHERE counter_type IS NULL
                     GROUP BY account_id) j ON j.account_id = a.id
         WHERE a.balance != COALESCE(j.total, 0)
        """
    ).fetchall()
    for account, cached, journal in rows[:SHOW]:
        report.add("cached balance", f"{_name(db, account)} shows {cached} cents; the journal gives {journal}")
    _more(report, "cached balance", len(rows))


def _check_counter_totals(db: sqlite3.Connection, report: Report) -> None:
    rows = db.execute(
        """
        SELECT account_id, counter_type, SUM(cached), SUM(journal) FROM (
            SELECT account_id, counter_type, total AS cached, 0 AS journal FROM counter_total
            UNION ALL
            SELECT account_id, counter_type, 0, amount FROM journal WHERE counter_type IS NOT NULL)
        GROUP BY 1, 2 HAVING SUM(cached) != SUM(journal)
        """
    ).fetchall()
    for account, counter, cached, journal in rows[:SHOW]:
        report.add("counter total", f"{_name(db, account)} {counter} shows {cached}; the journal gives {journal}")
    _more(report, "counter total", len(rows))


def _check_state_history(db: sqlite3.Connection, report: Report) -> None:
    """Every state change is audited, each is allowed by the table, and the last is the current state."""
    states = dict(db.execute("SELECT id, state FROM txn"))
    history: dict[int, list[str]] = {}
    for target, action in db.execute(
        "SELECT target, action FROM audit_log WHERE action LIKE 'txn.%' ORDER BY id"
    ):
        if target.startswith("txn:"):
            history.setdefault(int(target[4:]), []).append(action[4:])
    problems = 0
    for txn, state in states.items():
        steps = history.get(txn, [])
        message = _illegal_history(steps, state)
        if message:
            problems += 1
            if problems <= SHOW:
                report.add("state history", f"#{txn}: {message}")
    _more(report, "state history", problems)


def _illegal_history(steps: list[str], state: str) -> str | None:
    if not steps or steps[0] != State.CREATED:
        return "its creation is not in the audit log"
    current = State.CREATED
    for step in steps[1:]:
        try:
            nxt = State(step)
        except ValueError:
            return f"unknown step {step!r} in the audit log"
        if nxt not in TRANSITIONS[current]:
            return f"went from {current} to {nxt}, which the state machine forbids"
        current = nxt
    if current != state:
        return f"is {state}, but the audit log ends with {current}"
    return None


def _name(db: sqlite3.Connection, account_id: int) -> str:
    row = db.execute("SELECT username FROM account WHERE id = ?", (account_id,)).fetchone()
    return row[0] if row else f"account {account_id}"


def _more(report: Report, check: str, count: int) -> None:
    if count > SHOW:
        report.add(check, f"… and {count - SHOW} more")

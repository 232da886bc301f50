"""The reports' sums in SQL: money earned per student, money flows per day, the money supply, staff totals.

Only counted entries (their transaction `processed`) enter a sum, except where a function says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.store.values import as_date

# What a student received: on their own account, and on their pockets (interest), but not a move
# between their own pockets (docs/savings.md). Summed per account and type first, straight from the index
# ix_money_entry_receiver_money in its order; the few transactions that do not count are looked up once,
# rather than every entry's transaction.
_EARNED = text(
    """
    SELECT COALESCE(o.username, a.username), e.money_type, SUM(e.amount)
      FROM (SELECT m.receiver_id, m.money_type, SUM(m.amount) AS amount
              FROM money_entry m
             WHERE m.amount > 0 AND m.money_type != 'pocket'
               AND m.transaction_id NOT IN (SELECT id FROM txn WHERE state != 'processed')
             GROUP BY m.receiver_id, m.money_type) e
      JOIN account a ON a.id = e.receiver_id
      LEFT JOIN pocket p ON p.account_id = a.id
      LEFT JOIN account o ON o.id = p.owner_id
     WHERE a.role IN ('student', 'pocket')
     GROUP BY 1, e.money_type
    """
)

# The accounts whose money is the active students': their own, and their pockets' (docs/savings.md).
_STUDENT_MONEY = """
    SELECT a.id FROM account a WHERE a.role = 'student' AND a.active = 1
    UNION ALL
    SELECT p.account_id FROM pocket p JOIN account o ON o.id = p.owner_id WHERE o.active = 1
"""

# A move between a student's own pockets is neither issued nor charged.
_FLOWS = text(
    f"""
    SELECT day, money_type,
           SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END),
           SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END)
      FROM (SELECT t.day, m.money_type, m.amount
              FROM money_entry m
              JOIN txn t ON t.id = m.transaction_id
             WHERE t.state = 'processed' AND m.money_type != 'pocket'
               AND m.receiver_id IN ({_STUDENT_MONEY})
            UNION ALL  -- a student's own transfer also charges the sender
            SELECT t.day, m.money_type, -m.amount
              FROM money_entry m
              JOIN txn t ON t.id = m.transaction_id
              JOIN account c ON c.id = t.creator_id
             WHERE t.state = 'processed' AND c.role = 'student' AND c.active = 1 AND m.money_type != 'pocket') flows
     GROUP BY day, money_type
    """
)

# Summed per account and day first, as the index ix_journal_money_day holds the rows, then per day: so the
# journal is read from that index alone (grouped by day at once, SQLite took every row from the table:
# 4.2 s instead of 0.6 s for two million journal rows).
_SUPPLY = text(
    f"""
    SELECT d, SUM(amount) FROM (
        SELECT j.account_id, substr(j.created_at, 1, 10) AS d, SUM(j.amount) AS amount
          FROM journal j
         WHERE j.counter_type IS NULL AND j.account_id IN ({_STUDENT_MONEY})
         GROUP BY j.account_id, substr(j.created_at, 1, 10)) moves
     GROUP BY d ORDER BY d
    """
)

_WAITING = text("SELECT COUNT(*) FROM txn WHERE type = 'p2p' AND state = 'created'")

# Each active student's money: their own account and their pockets.
_STUDENT_MONEY_EACH = text(
    """
    SELECT s.balance + COALESCE((SELECT SUM(a.balance) FROM pocket p JOIN account a ON a.id = p.account_id
                                  WHERE p.owner_id = s.id), 0)
      FROM account s
     WHERE s.role = 'student' AND s.active = 1 AND s.username != 'bank'
    """
)

_STAFF = text(
    """
    SELECT a.username, a.last_name, a.first_name, a.middle_name, a.role, a.active, a.balance,
           COALESCE(n.total, 0), COALESCE(n.processed, 0), COALESCE(f.issued, 0), COALESCE(f.charged, 0)
      FROM account a
      LEFT JOIN (SELECT creator_id, COUNT(*) AS total,
                        SUM(CASE WHEN state = 'processed' THEN 1 ELSE 0 END) AS processed
                   FROM txn GROUP BY creator_id) n ON n.creator_id = a.id
      LEFT JOIN (SELECT t.creator_id,
                        SUM(CASE WHEN m.amount > 0 THEN m.amount ELSE 0 END) AS issued,
                        SUM(CASE WHEN m.amount < 0 THEN -m.amount ELSE 0 END) AS charged
                   FROM money_entry m JOIN txn t ON t.id = m.transaction_id
                  WHERE t.state = 'processed' GROUP BY t.creator_id) f ON f.creator_id = a.id
     WHERE a.role IN ('staff', 'manager')
     ORDER BY CASE a.role WHEN 'manager' THEN 0 ELSE 1 END, a.last_name, a.first_name, a.username
    """
)


class Flow(NamedTuple):
    """Money issued to (positive entries) and charged from (negative, as a positive number) the active
    students on one transaction day, in one money type."""

    day: date
    money_type: str
    issued: int
    charged: int


class StaffTotals(NamedTuple):
    username: str
    last_name: str
    first_name: str
    middle_name: str
    role: str
    active: bool
    balance: int
    transactions: int  # created, in any state
    processed: int
    issued: int  # positive counted money entries they created
    charged: int  # negative ones, as a positive number


def earned(session: Session) -> Iterator[tuple[str, str, int]]:
    """(student username, money type, sum) of the positive counted money entries each student received."""
    for username, money_type, amount in session.execute(_EARNED):
        yield username, money_type, int(amount)


def flows(session: Session) -> Iterator[Flow]:
    """Per day and money type; a student's own transfer also counts as charged to the sender."""
    for day, money_type, issued, charged in session.execute(_FLOWS):
        yield Flow(as_date(day), money_type, int(issued or 0), int(charged or 0))


def supply_changes(session: Session) -> dict[date, int]:
    """How much the active students' money changed on each day (UTC) of the journal, cancellations included."""
    return {as_date(day): int(amount) for day, amount in session.execute(_SUPPLY)}


def student_money(session: Session) -> list[int]:
    """Each active student's money (own account and pockets), in cents, in no particular order."""
    return [int(value) for (value,) in session.execute(_STUDENT_MONEY_EACH)]


def waiting_transfers(session: Session) -> int:
    """Students' transfer requests still waiting for staff."""
    return int(session.execute(_WAITING).scalar_one())


def report_people(session: Session) -> tuple[int, int]:
    """How many active students and staff accounts (managers and the bank included) the report lists."""
    students, staff = session.execute(text(
        "SELECT SUM(CASE WHEN role = 'student' AND active = 1 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN role IN ('staff', 'manager') OR username = 'bank' THEN 1 ELSE 0 END) FROM account")).one()
    return int(students or 0), int(staff or 0)


def staff_totals(session: Session) -> list[StaffTotals]:
    """Every staff member and manager (and the bank), managers first, by surname."""
    return [StaffTotals(username, last or "", first or "", middle or "", role, bool(active), int(balance),
                        int(total), int(processed), int(issued), int(charged))
            for (username, last, first, middle, role, active, balance, total, processed, issued, charged)
            in session.execute(_STAFF)]

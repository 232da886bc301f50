"""The append-only guards: triggers that refuse UPDATE and DELETE, and their exact expected SQL.

`campbank verify` compares the SQL each trigger is stored with against `expected()`, character for character,
so a guard dropped and recreated with another body (`WHEN 0`, a different table, no RAISE) is found.
"""

from __future__ import annotations

from typing import Any

# These texts are stored in every camp's file as written here (SQLite keeps a trigger's SQL verbatim, less
# IF NOT EXISTS): changing one would make every existing camp's guards differ from the expected SQL.
_NO_UPDATE = """CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be changed'); END"""
_NO_DELETE = """CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be deleted'); END"""

# Tables whose rows are never changed or deleted once written (docs/guarantees.md#append-only); `campbank verify`
# checks each guard is there with this exact SQL. The savings links (loan_payment, circle_member) are guarded but
# not chained: the money they point at is (docs/tamper-evidence.md).
APPEND_ONLY_TABLES = ("journal", "money_entry", "counter_entry", "audit_log", "loan_payment", "circle_member",
                      "chain", "txn_hold", "dispute_message")

# A dispute's row changes once: open -> resolved (naming the transaction that fixed it) or rejected.
_DISPUTE_GUARDS = {
    "dispute_opens_open": """CREATE TRIGGER IF NOT EXISTS dispute_opens_open BEFORE INSERT ON dispute
       WHEN NEW.state != 'open' OR NEW.closed_at IS NOT NULL OR NEW.closed_by IS NOT NULL OR NEW.fixed_by IS NOT NULL
       BEGIN SELECT RAISE(ABORT, 'dispute: a new dispute is open'); END""",
    "dispute_closes_once": """CREATE TRIGGER IF NOT EXISTS dispute_closes_once BEFORE UPDATE ON dispute
       WHEN OLD.state != 'open' OR NEW.state NOT IN ('resolved', 'rejected')
         OR NEW.id IS NOT OLD.id OR NEW.student_id IS NOT OLD.student_id
         OR NEW.transaction_id IS NOT OLD.transaction_id OR NEW.opened_at IS NOT OLD.opened_at
         OR NEW.closed_at IS NULL OR NEW.closed_by IS NULL
         OR (NEW.state = 'resolved') != (NEW.fixed_by IS NOT NULL)
       BEGIN SELECT RAISE(ABORT, 'dispute: a dispute moves once, from open to resolved or rejected'); END""",
    "dispute_no_delete": """CREATE TRIGGER IF NOT EXISTS dispute_no_delete BEFORE DELETE ON dispute
       BEGIN SELECT RAISE(ABORT, 'dispute rows cannot be deleted'); END""",
}


def _all() -> dict[str, tuple[str, str]]:
    """Each guard's name -> (its table, the statement that makes it)."""
    guards = {f"{table}_{suffix}": (table, template.format(table=table))
              for table in APPEND_ONLY_TABLES
              for template, suffix in ((_NO_UPDATE, "no_update"), (_NO_DELETE, "no_delete"))}
    return guards | {name: ("dispute", sql) for name, sql in _DISPUTE_GUARDS.items()}


def statements(tables: tuple[str, ...] | None = None) -> list[str]:
    """The CREATE TRIGGER statements of the guards (of `tables` only, when given); safe to run again."""
    return [sql for table, sql in _all().values() if tables is None or table in tables]


def statements_named(names: set[str] | None = None) -> list[str]:
    """The CREATE TRIGGER statements of the guards named (all, without names); safe to run again."""
    return [sql for name, (_table, sql) in _all().items() if names is None or name in names]


def expected() -> dict[str, tuple[str, str]]:
    """Each guard's name -> (its table, the SQL it must be stored with)."""
    return {name: (table, sql.replace(" IF NOT EXISTS", "", 1)) for name, (table, sql) in _all().items()}


def stored(cursor: Any) -> list[tuple[str, str, str | None]]:
    """Every trigger in the file: (name, table, SQL)."""
    return [tuple(row) for row in cursor.execute(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")]

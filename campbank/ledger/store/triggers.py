"""The append-only guards: triggers that refuse UPDATE and DELETE, and their exact expected SQL.

`campbank verify` compares the SQL each trigger is stored with against `expected()`, character for character,
so a guard dropped and recreated with another body (`WHEN 0`, a different table, no RAISE) is found.
"""

from __future__ import annotations

from typing import Any

from campbank.ledger.store import tables

# These texts are stored in every camp's file as written here (SQLite keeps a trigger's SQL verbatim, less
# IF NOT EXISTS): changing one would make every existing camp's guards differ from the expected SQL.
_NO_UPDATE = """CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be changed'); END"""
_NO_DELETE = """CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be deleted'); END"""

# Every guarded table: the ledger's append-only tables and the hash chain's links.
APPEND_ONLY_TABLES = (*tables.APPEND_ONLY_TABLES, "chain")


def statements(tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> list[str]:
    """The CREATE TRIGGER statements of the guards (safe to run again: IF NOT EXISTS)."""
    return [template.format(table=table) for table in tables for template in (_NO_UPDATE, _NO_DELETE)]


def expected() -> dict[str, tuple[str, str]]:
    """Each guard's name -> (its table, the SQL it must be stored with)."""
    guards = {}
    for table in APPEND_ONLY_TABLES:
        for template, suffix in ((_NO_UPDATE, "no_update"), (_NO_DELETE, "no_delete")):
            guards[f"{table}_{suffix}"] = (table, template.format(table=table).replace(" IF NOT EXISTS", "", 1))
    return guards


def stored(cursor: Any) -> list[tuple[str, str, str | None]]:
    """Every trigger in the file: (name, table, SQL)."""
    return [tuple(row) for row in cursor.execute(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")]

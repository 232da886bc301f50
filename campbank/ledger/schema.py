"""Creating the tables and the guards SQLModel cannot express: the append-only journal triggers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import SQLModel

if TYPE_CHECKING:
    from campbank.ledger.db import Database

SCHEMA_VERSION = "1"

_APPEND_ONLY = [
    """CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be deleted'); END""",
]
_APPEND_ONLY_TABLES = ("journal", "money_entry", "counter_entry", "audit_log")


def install_schema(database: Database) -> None:
    SQLModel.metadata.create_all(database.engine)
    with database.write_transaction() as session:
        connection = session.connection()
        for table in _APPEND_ONLY_TABLES:
            for statement in _APPEND_ONLY:
                connection.exec_driver_sql(statement.format(table=table))
        connection.exec_driver_sql(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
        )


def add_missing_tables(database: Database) -> None:
    """Tables added by a newer CampBank appear in an older camp's file; existing ones are untouched.

    A file that holds no camp (another program's SQLite file) is refused, never written to.
    """
    from sqlalchemy import inspect

    from campbank.ledger.errors import InputError

    if not inspect(database.engine).has_table("account"):
        raise InputError(f"{database.path} is not a CampBank database; run `campbank init` for a new camp",
                         field="database")
    SQLModel.metadata.create_all(database.engine, checkfirst=True)

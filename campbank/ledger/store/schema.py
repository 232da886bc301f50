"""Creating the tables and the guards SQLModel cannot express: the append-only journal triggers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Index
from sqlmodel import SQLModel

if TYPE_CHECKING:
    from campbank.ledger.store.database import Database

SCHEMA_VERSION = "2"  # 2: txn.amount and txn.recipients, and indexes to sort the table of transactions

_APPEND_ONLY = [
    """CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be deleted'); END""",
]
APPEND_ONLY_TABLES = ("journal", "money_entry", "counter_entry", "audit_log", "loan_payment", "circle_member")


def install_schema(database: Database) -> None:
    SQLModel.metadata.create_all(database.engine)
    with database.write_transaction() as session:
        connection = session.connection()
        _guard_append_only(connection)
        connection.exec_driver_sql(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
        )


def _guard_append_only(connection: Connection) -> None:
    for table in APPEND_ONLY_TABLES:
        for statement in _APPEND_ONLY:
            connection.exec_driver_sql(statement.format(table=table))


def add_missing_tables(database: Database) -> None:
    """Tables added by a newer CampBank appear in an older camp's file; existing ones are untouched.

    A file that holds no camp (another program's SQLite file) is refused, never written to.
    """
    from sqlalchemy import inspect

    from campbank.core.errors import InputError

    if not inspect(database.engine).has_table("account"):
        raise InputError(f"{database.path} is not a CampBank database; run `campbank init` for a new camp",
                         field="database")
    SQLModel.metadata.create_all(database.engine, checkfirst=True)
    if not _is_current(database):
        _upgrade(database)


# A camp written before version 2 gets the two columns, filled from its entries (which never change).
_ADD_TXN_TOTALS = [
    "ALTER TABLE txn ADD COLUMN amount INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE txn ADD COLUMN recipients INTEGER NOT NULL DEFAULT 0",
    """UPDATE txn SET amount = m.total
         FROM (SELECT transaction_id, SUM(amount) AS total FROM money_entry GROUP BY transaction_id) AS m
        WHERE m.transaction_id = txn.id""",
    """UPDATE txn SET recipients = r.people
         FROM (SELECT transaction_id, COUNT(*) AS people
                 FROM (SELECT transaction_id, receiver_id FROM money_entry
                       UNION SELECT transaction_id, receiver_id FROM counter_entry)
                GROUP BY transaction_id) AS r
        WHERE r.transaction_id = txn.id""",
]


def _is_current(database: Database) -> bool:
    """Every column and index of this version is there (two cheap catalogue reads on each open)."""
    with database.engine.connect() as connection:
        return _missing(connection) == (False, set()) and not _unguarded(connection)


def _missing(connection: Connection) -> tuple[bool, set[Index]]:
    """Whether txn lacks its totals, and which indexes the file lacks."""
    columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(txn)")}
    present = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    indexes = {index for table in SQLModel.metadata.sorted_tables for index in table.indexes
               if index.name not in present}
    return "recipients" not in columns, indexes


def _unguarded(connection: Connection) -> bool:
    """Whether an append-only table added by a newer CampBank (savings and credit) lacks its triggers."""
    present = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return any(f"{table}_{guard}" not in present
               for table in APPEND_ONLY_TABLES for guard in ("no_update", "no_delete"))


def _upgrade(database: Database) -> None:
    """Bring an older camp's file up to this version, once: checked again under the write lock, so two
    programs opening it together do the work once."""
    with database.write_transaction() as session:
        connection = session.connection()
        lacks_totals, indexes = _missing(connection)
        if lacks_totals:
            for statement in _ADD_TXN_TOTALS:
                connection.exec_driver_sql(statement)
        for index in indexes:
            index.create(connection, checkfirst=True)
        _guard_append_only(connection)
        connection.exec_driver_sql("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                                   (SCHEMA_VERSION,))

"""Creating the tables and the guards SQLModel cannot express: the append-only journal triggers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Index
from sqlmodel import SQLModel

from campbank.ledger.store import keys

if TYPE_CHECKING:
    from campbank.ledger.store.database import Database

SCHEMA_VERSION = "2"  # 2: txn.amount and txn.recipients, and indexes to sort the table of transactions

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
        connection.exec_driver_sql("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                   (keys.META_KEY, keys.META_VALUE))


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
    _namespace_keys(database)  # first: later upgrades may read (or seal) the keys in their new form
    if not _is_current(database):
        _upgrade(database)


def _namespace_keys(database: Database) -> None:
    """An older camp's bare idempotency keys get their namespace (`store.keys`), once: checked again under
    the write lock, so two programs opening the file together do it once."""
    query = "SELECT 1 FROM meta WHERE key = ? AND value = ?"
    with database.engine.connect() as connection:
        if connection.exec_driver_sql(query, (keys.META_KEY, keys.META_VALUE)).first():
            return
    with database.write_transaction() as session:
        connection = session.connection()
        if connection.exec_driver_sql(query, (keys.META_KEY, keys.META_VALUE)).first():
            return
        for statement in keys.LEGACY_UPGRADE:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                   (keys.META_KEY, keys.META_VALUE))


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
        return _missing(connection) == (False, set())


def _missing(connection: Connection) -> tuple[bool, set[Index]]:
    """Whether txn lacks its totals, and which indexes the file lacks."""
    columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(txn)")}
    present = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    indexes = {index for table in SQLModel.metadata.sorted_tables for index in table.indexes
               if index.name not in present}
    return "recipients" not in columns, indexes


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
        connection.exec_driver_sql("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                                   (SCHEMA_VERSION,))

"""Creating the tables and the guards SQLModel cannot express: the append-only journal triggers."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Index
from sqlmodel import SQLModel

if TYPE_CHECKING:
    from campbank.ledger.store.database import Database

SCHEMA_VERSION = "3"  # 2: txn.amount and txn.recipients, and indexes to sort the table of transactions
# 3: the journal's money by account and day (ix_journal_money_day); holds and disputes, with their guards

_APPEND_ONLY = [
    """CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be changed'); END""",
    """CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows cannot be deleted'); END""",
]
_APPEND_ONLY_TABLES = ("journal", "money_entry", "counter_entry", "audit_log", "txn_hold", "dispute_message")
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
STATEMENT_KEY = "statement_key"  # the secret of statement verification codes (formats/statements)


def expected_triggers() -> dict[str, str]:
    """Every guard trigger by name, with the SQL that makes it."""
    triggers = {f"{table}_{name}": statement.format(table=table)
                for table in _APPEND_ONLY_TABLES
                for name, statement in zip(("no_update", "no_delete"), _APPEND_ONLY, strict=True)}
    return {**triggers, **_DISPUTE_GUARDS}


def install_schema(database: Database) -> None:
    SQLModel.metadata.create_all(database.engine)
    with database.write_transaction() as session:
        connection = session.connection()
        for statement in expected_triggers().values():
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
        )
        connection.exec_driver_sql("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                   (STATEMENT_KEY, secrets.token_hex(32)))


def install_missing_guards(database: Database) -> None:
    """An older camp's file gets the guards and the statement key added since; a current one is not written."""
    with database.engine.connect() as connection:
        present = {row[0] for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        has_key = connection.exec_driver_sql("SELECT 1 FROM meta WHERE key = ?", (STATEMENT_KEY,)).first()
    missing = [sql for name, sql in expected_triggers().items() if name not in present]
    if not missing and has_key:
        return
    with database.write_transaction() as session:
        connection = session.connection()
        for statement in missing:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                                   (STATEMENT_KEY, secrets.token_hex(32)))


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
    install_missing_guards(database)


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

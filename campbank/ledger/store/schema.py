"""Creating the tables and the guards SQLModel cannot express (the append-only triggers), and bringing a
camp written by an older CampBank up to date when it is opened."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Index
from sqlmodel import Session, SQLModel

from campbank.ledger import clock
from campbank.ledger.store import chain, credentials, dialects, keys
from campbank.ledger.store.journal import stamp

if TYPE_CHECKING:
    from campbank.ledger.store.database import Database

SCHEMA_VERSION = "5"  # 2: txn.amount and txn.recipients, and indexes to sort the table of transactions
#                        3: the hash chain (docs/tamper-evidence.md)
#                        4: the journal's money by account and day (ix_journal_money_day); holds and disputes
#                        5: no index of its own on money_entry.receiver_id (OBSOLETE_INDEXES)
# Indexes an older version made that this one drops: each costs every write and `verify`'s integrity check,
# and serves nothing another index does not (ix_money_entry_receiver_money leads with the receiver).
OBSOLETE_INDEXES = ("ix_money_entry_receiver_id",)
STATEMENT_KEY = "statement_key"  # the secret of statement verification codes (formats/statements)


def install_schema(database: Database) -> None:
    SQLModel.metadata.create_all(database.engine)
    with database.write_transaction() as session:
        connection = session.connection()
        for statement in database.dialect.guard_statements():
            connection.exec_driver_sql(statement)
        for key, value in (("schema_version", SCHEMA_VERSION), (keys.META_KEY, keys.META_VALUE),
                           (chain.META_KEY, chain.FROM_THE_FIRST_ROW), (STATEMENT_KEY, secrets.token_hex(32))):
            connection.exec_driver_sql(_ADD_META, (key, value))


# Both databases' upserts (SQLite 3.24+): a meta row added once, or set.
_ADD_META = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"
_SET_META = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"


def _install_statement_key(database: Database) -> None:
    """An older camp's file gets the secret of statement codes; a file that has one is not written."""
    with database.engine.connect() as connection:
        if connection.exec_driver_sql("SELECT 1 FROM meta WHERE key = ?", (STATEMENT_KEY,)).first():
            return
    with database.write_transaction() as session:
        session.connection().exec_driver_sql(_ADD_META, (STATEMENT_KEY, secrets.token_hex(32)))



def add_missing_tables(database: Database) -> None:
    """Tables added by a newer CampBank appear in an older camp's file; existing ones are untouched.

    A file that holds no camp (another program's SQLite file) is refused, never written to.
    """
    from campbank.core.errors import InputError

    with database.engine.connect() as connection:
        present = database.dialect.table_names(connection)
    if "account" not in present:
        raise InputError(f"{database} is not a CampBank database; run `campbank init` for a new camp",
                         field="database")
    if any(table.name not in present for table in SQLModel.metadata.sorted_tables):
        # under the write lock, checked again there: two programs opening the file at once create them once
        with database.write_transaction() as session:
            SQLModel.metadata.create_all(session.connection(), checkfirst=True)
    _namespace_keys(database)  # first: later upgrades may read (or seal) the keys in their new form
    if not _is_current(database):
        _upgrade(database)
    _install_statement_key(database)


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
        connection.exec_driver_sql(_SET_META, (keys.META_KEY, keys.META_VALUE))


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
                       UNION SELECT transaction_id, receiver_id FROM counter_entry) AS pairs
                GROUP BY transaction_id) AS r
        WHERE r.transaction_id = txn.id""",
]


def _is_current(database: Database) -> bool:
    """Every column, index and guard of this version is there, no obsolete index is, and the chain has
    started (a few cheap catalogue reads on each open)."""
    with database.engine.connect() as connection:
        return _missing(connection) == _Missing(False, set(), frozenset(), False, frozenset())


@dataclass(frozen=True)
class _Missing:
    totals: bool  # txn lacks amount and recipients
    indexes: set[Index]
    guards: frozenset[str]  # this version's append-only triggers that are absent (the chain's own, in an older camp)
    chain: bool  # the hash chain has not started
    obsolete: frozenset[str]  # indexes of an older version still there


def _missing(connection: Connection) -> _Missing:
    dialect = dialects.of(connection)
    columns = dialect.columns(connection, "txn")
    present = dialect.index_names(connection)
    indexes = {index for table in SQLModel.metadata.sorted_tables for index in table.indexes
               if index.name not in present}
    guards = {name for name, _table, _sql in dialect.stored_guards(connection)}
    started = connection.exec_driver_sql("SELECT 1 FROM meta WHERE key = ?", (chain.META_KEY,)).first()
    return _Missing("recipients" not in columns, indexes, frozenset(set(dialect.expected_guards()) - guards),
                    started is None, frozenset(present.intersection(OBSOLETE_INDEXES)))



def _upgrade(database: Database) -> None:
    """Bring an older camp's file up to this version, once: checked again under the write lock, so two
    programs opening it together do the work once."""
    with database.write_transaction() as session:
        connection = session.connection()
        missing = _missing(connection)
        if missing.totals:
            for statement in _ADD_TXN_TOTALS:
                connection.exec_driver_sql(statement)
        for index in missing.indexes:
            index.create(connection, checkfirst=True)
        for name in missing.obsolete:  # a name of OBSOLETE_INDEXES, never text from elsewhere
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        if missing.guards:
            # Only guards that are absent: one that is present but altered is left for verify to report.
            for statement in database.dialect.guard_statements(set(missing.guards)):
                connection.exec_driver_sql(statement)
        if missing.chain:
            _start_chain(session)
        connection.exec_driver_sql(_SET_META, ("schema_version", SCHEMA_VERSION))


def _start_chain(session: Session) -> None:
    """Chain a camp's existing history, once. It is chained as it is now: nothing can prove it older
    (docs/tamper-evidence.md, "A camp made before the chain")."""
    cursor = dialects.raw_cursor(session)
    try:
        accounts = credentials.audit_missing(cursor)
        started = stamp(clock.now())
        cursor.execute("INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?, NULL, ?, '', ?)",
                       (started, "chain.start", json.dumps({"accounts_audited": accounts})))
        head = chain.extend(cursor)
        cursor.execute(_SET_META, (chain.META_KEY, f"started {started} at link {head.seq}"))
    finally:
        cursor.close()

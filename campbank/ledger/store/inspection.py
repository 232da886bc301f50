"""Reading a camp's file for `campbank verify`: the raw connection, the integrity check, the small tables.

Verify trusts nothing the ledger keeps: it opens the file itself (read-write, never creating it, so a
journal left by a crash is rolled back first) and reads plain rows. The big tables are read by the chain's
replay (`chain_replay`); this module has the rest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from campbank.ledger.store import dialects

MMAP_SIZE = 2**31 - 2**16  # SQLite's own limit on most builds
# Anything reading a damaged file raises: SQLite's errors, and a UnicodeDecodeError when SQLite's message
# quotes bytes of a broken page (a schema overwritten with garbage) that are not UTF-8.
def _server_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg
    except ImportError:
        return ()
    return (psycopg.Error,)


Error: tuple[type[Exception], ...] = (sqlite3.Error, UnicodeDecodeError, *_server_errors())
Connection = sqlite3.Connection


class ServerConnection:
    """A camp on a PostgreSQL server, read like a SQLite file here: `execute(sql, params)` with `?`, one
    read-only snapshot (REPEATABLE READ) for every read after `begin`."""

    def __init__(self, location: Path) -> None:
        import psycopg

        from campbank.ledger.store.dialects.postgresql import QmarkCursor

        url = dialects.server_url(location).replace("postgresql+psycopg://", "postgresql://", 1)
        self._connection = psycopg.connect(url)
        self._qmark = QmarkCursor

    def execute(self, sql: str, params: Any = None) -> Any:
        return self.cursor().execute(sql, params if params else None)

    def cursor(self) -> Any:
        return self._qmark(self._connection.cursor())

    def close(self) -> None:
        self._connection.close()


def describe(error: Exception) -> str:
    """What went wrong reading the file, as a report says it."""
    if isinstance(error, UnicodeDecodeError):
        return "SQLite's schema or its message holds bytes that are not text (a page was overwritten)"
    return str(error)


def open_file(path: Path) -> Connection:
    """A connection to `path`, which must exist; raises Error. Call `begin` before reading."""
    if dialects.is_server(path):
        return ServerConnection(path)  # type: ignore[return-value]
    return sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=10, isolation_level=None,
                           check_same_thread=False)


def begin(connection: Connection) -> None:
    """One consistent snapshot for every read that follows; raises Error when the file is damaged.

    The first read rolls back a journal a crash left behind (hence read-write); from then on the
    connection refuses every write.
    """
    if isinstance(connection, ServerConnection):
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return
    connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    connection.execute("PRAGMA query_only = ON")
    # Pages read straight from the mapped file, not copied into SQLite's cache: the integrity check and
    # the big scans take about a third less time (the file is only read, and SQLite never shrinks it).
    connection.execute(f"PRAGMA mmap_size = {MMAP_SIZE}")
    connection.execute("BEGIN")


def integrity(path: Path, limit: int) -> list[str]:
    """SQLite's own check of the file (pages, indexes, constraints), on a connection of its own: ['ok']
    when sound. A PostgreSQL server checks its own pages (checksums, WAL); there is nothing to run here."""
    if dialects.is_server(path):
        return ["ok"]
    connection = open_file(path)
    try:
        begin(connection)
        return [row[0] for row in connection.execute(f"PRAGMA integrity_check({int(limit)})")]
    finally:
        connection.close()


def counts(connection: Connection) -> dict[str, int]:
    return {name: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for name, table in (
        ("accounts", "account"), ("transactions", "txn"), ("money entries", "money_entry"),
        ("counter entries", "counter_entry"), ("journal rows", "journal"))}


def tables(connection: Connection) -> set[str]:
    if isinstance(connection, ServerConnection):
        return {row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def columns(connection: Connection, table: str) -> list[str]:
    if isinstance(connection, ServerConnection):
        return [row[0] for row in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position", (table,))]
    return [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]


def guards(connection: Connection) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str | None]]]:
    """The append-only guards this database should hold, and those it holds: (name, table, definition)."""
    if isinstance(connection, ServerConnection):
        from campbank.ledger.store.dialects.postgresql import PostgreSQL, stored_guards

        return PostgreSQL().expected_guards(), stored_guards(connection)
    from campbank.ledger.store import triggers

    return triggers.expected(), triggers.stored(connection.cursor())


def accounts(connection: Connection) -> list[tuple[int, str, str, str | None, int]]:
    """(id, username, role, password_hash, cached balance) of every account."""
    return connection.execute("SELECT id, username, role, password_hash, balance FROM account ORDER BY id").fetchall()


def counter_totals(connection: Connection) -> list[tuple[int, str, int]]:
    return connection.execute("SELECT account_id, counter_type, total FROM counter_total").fetchall()


def states(connection: Connection) -> list[tuple[int, str]]:
    return connection.execute("SELECT id, state FROM txn").fetchall()


def meta(connection: Connection, key: str) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


# Entries that count (those of processed transactions) minus what the journal holds, per transaction, account
# and counter, for a few transactions: the detail behind a transaction whose journal does not match.
_DIFFERENCES = """
    SELECT txn, account, counter, SUM(amount) FROM (
        SELECT me.transaction_id AS txn, me.receiver_id AS account, CAST(NULL AS TEXT) AS counter, me.amount AS amount
          FROM money_entry me JOIN txn t ON t.id = me.transaction_id
         WHERE t.state = 'processed' AND t.id IN ({ids})
        UNION ALL
        SELECT me.transaction_id, t.creator_id, CAST(NULL AS TEXT), -me.amount
          FROM money_entry me JOIN txn t ON t.id = me.transaction_id
         WHERE t.state = 'processed' AND t.id IN ({ids})
        UNION ALL
        SELECT ce.transaction_id, ce.receiver_id, ce.counter_type, ce.value
          FROM counter_entry ce JOIN txn t ON t.id = ce.transaction_id
         WHERE t.state = 'processed' AND t.id IN ({ids})
        UNION ALL
        SELECT transaction_id, account_id, counter_type, -amount FROM journal WHERE transaction_id IN ({ids})) parts
    GROUP BY 1, 2, 3 HAVING SUM(amount) != 0 ORDER BY 1, 2, 3
"""


def journal_differences(connection: Connection, transactions: Iterable[int]) -> list[tuple[int, int, Any, int]]:
    """(transaction, account, counter or None, entries minus journal) where they differ."""
    ids = ", ".join(str(int(txn)) for txn in transactions)
    if not ids:
        return []
    return connection.execute(_DIFFERENCES.format(ids=ids)).fetchall()


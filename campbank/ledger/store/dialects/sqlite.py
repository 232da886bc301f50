"""SQLite: one file, one writer at a time by `BEGIN IMMEDIATE` (docs/guarantees.md#concurrency)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import create_engine

from campbank.ledger.store import triggers

BUSY_TIMEOUT_MS = 10_000

# Read sessions begun while this is set do not wait for a writer's commit: they fail at once as busy.
_NOT_WAITING: ContextVar[bool] = ContextVar("campbank_reads_not_waiting", default=False)


def _busy_timeout(*, write: bool = False) -> int:
    """How long a statement waits for another connection's lock: not at all in a read that may not wait."""
    return 0 if _NOT_WAITING.get() and not write else BUSY_TIMEOUT_MS


@contextmanager
def reads_not_waiting() -> Iterator[None]:
    token = _NOT_WAITING.set(True)
    try:
        yield
    finally:
        _NOT_WAITING.reset(token)


def wal_is_safe(version: tuple[int, int, int] = sqlite3.sqlite_version_info) -> bool:
    """WAL only where SQLite has the fix for concurrent write-and-checkpoint corruption."""
    return (
        version >= (3, 51, 3)
        or (3, 50, 7) <= version < (3, 51, 0)
        or (3, 44, 6) <= version < (3, 45, 0)
    )


def journal_mode() -> str:
    return "wal" if wal_is_safe() else "delete"


class SQLite:
    name = "sqlite"

    def make_engine(self, location: str, *, page_cache_kib: int | None = None) -> Engine:
        engine = create_engine(f"sqlite:///{location}",
                               connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        mode = journal_mode()

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection: Any, record: Any) -> None:
            # Let SQLAlchemy's begin event issue BEGIN itself, so writes can say IMMEDIATE.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # Setting the journal mode reads the file: a connection opened for a read that may not wait
            # does not wait here either.
            wait = _busy_timeout()
            cursor.execute(f"PRAGMA busy_timeout={wait}")
            record.info["busy_timeout"] = wait
            cursor.execute(f"PRAGMA journal_mode={mode}")
            cursor.execute("PRAGMA synchronous=FULL")
            if page_cache_kib is not None:  # negative: a size in KiB, not in pages
                cursor.execute(f"PRAGMA cache_size=-{int(page_cache_kib)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def on_begin(connection: Connection) -> None:
            write = connection.get_execution_options().get("campbank_write", False)
            wait = _busy_timeout(write=write)
            if connection.info.get("busy_timeout", BUSY_TIMEOUT_MS) != wait:  # kept with the pooled connection
                connection.exec_driver_sql(f"PRAGMA busy_timeout={wait}")
                connection.info["busy_timeout"] = wait
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    def is_busy(self, error: BaseException) -> bool:
        """Through the engine, or from a raw cursor (`dialects.raw_cursor`), which the engine does not wrap."""
        return isinstance(error, (OperationalError, sqlite3.OperationalError)) and (
            "locked" in str(error) or "busy" in str(error))

    def guard_statements(self, names: set[str] | None = None) -> list[str]:
        return triggers.statements_named(names)

    def expected_guards(self) -> dict[str, tuple[str, str]]:
        return triggers.expected()

    def stored_guards(self, connection: Connection) -> list[tuple[str, str, str | None]]:
        return [(str(name), str(table), sql) for name, table, sql in connection.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")]

    def cursor(self, dbapi_connection: Any) -> Any:
        return dbapi_connection.cursor()

    def index_names(self, connection: Connection) -> set[str]:
        rows = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {str(row[0]) for row in rows}

    def columns(self, connection: Connection, table: str) -> list[str]:
        return [str(row[1]) for row in connection.exec_driver_sql(f"PRAGMA table_info({table})")]

    def table_names(self, connection: Connection) -> set[str]:
        rows = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(row[0]) for row in rows}

    def continue_ids(self, connection: Connection, table: str) -> None:
        """SQLite's next rowid is always past the largest."""

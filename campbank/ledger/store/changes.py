"""A cheap sign that the database changed: SQLite's `PRAGMA data_version` on a connection held for it
(PostgreSQL: the server's current snapshot, see `_ServerMarker`).

The number moves whenever another connection, in this process or any other, commits a change; reading it
touches no table, so the screens can look once a second without reading the ledger itself. The held
connection never writes (its own writes would not move the number) and holds no transaction open.
"""

from __future__ import annotations

import sqlite3
import threading

from campbank.ledger.store.database import Database


class ChangeMarker:
    def __new__(cls, db: Database) -> ChangeMarker:
        return super().__new__(_ServerMarker if db.on_server else cls)

    def __init__(self, db: Database) -> None:
        self._path = db.path
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # read from a worker thread; one read at a time

    def read(self) -> int:
        """The database's change counter as this connection sees it; a different number means a change."""
        with self._lock:
            if self._connection is None:
                self._connection = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class _ServerMarker(ChangeMarker):
    """On PostgreSQL: the server's current snapshot (`xmin:xmax:in-progress ids`). It moves when a
    transaction that writes starts and again when it ends, so the reload that follows the end sees its rows
    (a snapshot's `xmax` alone moves at the start, and a reload then could miss what commits later)."""

    def __init__(self, db: Database) -> None:
        self._engine = db.engine
        self._lock = threading.Lock()

    def read(self) -> int:
        with self._lock, self._engine.connect() as connection:
            snapshot = connection.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar_one()
        return hash(snapshot)

    def close(self) -> None:
        pass

"""A cheap sign that the database changed: SQLite's `PRAGMA data_version` on a connection held for it.

The number moves whenever another connection, in this process or any other, commits a change; reading it
touches no table, so the screens can look once a second without reading the ledger itself. The held
connection never writes (its own writes would not move the number) and holds no transaction open.
"""

from __future__ import annotations

import sqlite3
import threading

from campbank.ledger.store.database import Database


class ChangeMarker:
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

"""The database: a SQLite file or a PostgreSQL database, and the one way to write.

Reads run in ordinary transactions; every write runs in `write_transaction()`, which takes the one write lock
up front (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's advisory lock: `dialects`) so two writers queue instead of
failing half-way.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, DBAPIError
from sqlmodel import Session

from campbank.ledger.store import chain, closing, credentials, dialects  # noqa: F401  (credentials: its ORM hook)
from campbank.ledger.store.dialects.sqlite import BUSY_TIMEOUT_MS as BUSY_TIMEOUT_MS
from campbank.ledger.store.dialects.sqlite import journal_mode as journal_mode
from campbank.ledger.store.dialects.sqlite import reads_not_waiting
from campbank.ledger.store.dialects.sqlite import wal_is_safe as wal_is_safe
from campbank.ledger.store.paths import default_db_path

T = TypeVar("T")
# What the database library raises for a damaged, locked or unusable database (for a face to report).
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, DBAPIError)


def number_out_of_range(error: BaseException) -> bool:
    """A number the database cannot hold, which PostgreSQL refuses (SQLSTATE 22003: an id past its integer
    column, 2,147,483,647); SQLite's driver raises OverflowError itself, before the database, past 64 bits."""
    return getattr(getattr(error, "orig", error), "sqlstate", None) == "22003"


class WouldWait(Exception):
    """A read told not to wait (`Database.read_at_once`) would have had to."""


@dataclass
class Database:
    """A handle on one camp's database: a SQLite file, or a PostgreSQL database (`path` then holds its URL)."""

    path: Path
    engine: Engine

    @property
    def dialect(self) -> dialects.Dialect:
        return dialects.dialect_for(self.path)

    @property
    def on_server(self) -> bool:
        return dialects.is_server(self.path)

    def __str__(self) -> str:
        return dialects.masked(self.path)

    def session(self) -> Session:
        """A read session; do not write through it."""
        return Session(self.engine, expire_on_commit=False)

    def read_at_once(self, read: Callable[[], T]) -> T:
        """`read()`, whose read sessions never wait: if a writer is committing to the file, `WouldWait` at
        once rather than the busy timeout's wait. For a caller that must not be held up (the web server's
        event loop), which then reads on a worker thread instead. Only a file can make a read wait; a
        server's reads are never run this way (they wait on the network)."""
        if self.on_server:
            raise WouldWait("a server's reads wait on the network")
        with reads_not_waiting():
            try:
                return read()
            except Exception as error:
                if self.dialect.is_busy(error):
                    raise WouldWait(str(error)) from None
                raise

    @contextmanager
    def write_transaction(self) -> Iterator[Session]:
        """One short write under `BEGIN IMMEDIATE`: committed whole on success, rolled back on error.

        It ends with the hash chain's link for the rows it appended, under the same lock
        (docs/tamper-evidence.md).
        """
        with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
            yield session
            chain.seal(session)

    def write(self, work: Callable[[Session], T], *, attempts: int = 6, while_closed: bool = False) -> T:
        """Run `work` in a write transaction, retrying if the database stays locked past the timeout.

        Refused once the season is closed (`closing.py`), unless `while_closed`: the audit rows of reading."""
        if not while_closed:
            inner = work

            def work(session: Session) -> T:
                closing.refuse_if_closed(session)
                return inner(session)

        return self._retrying(work, commit=True, attempts=attempts)

    def rehearse(self, work: Callable[[Session], T], *, attempts: int = 6) -> T:
        """Run `work` exactly as `write` would — under the write lock, seeing its own changes through every
        read — then roll everything back: nothing it did is kept, whatever it returns or raises."""
        return self._retrying(work, commit=False, attempts=attempts)

    def _retrying(self, work: Callable[[Session], T], *, commit: bool, attempts: int) -> T:
        for attempt in range(attempts):
            try:
                if commit:
                    with self.write_transaction() as session:
                        return work(session)
                with Session(self._write_engine, expire_on_commit=False) as session:
                    session.begin()
                    try:
                        return work(session)
                    finally:
                        session.rollback()
            except DBAPIError as error:
                if not self.dialect.is_busy(error):
                    raise
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (2**attempt))
        raise AssertionError("unreachable")

    @property
    def _write_engine(self) -> Engine:
        return self.engine.execution_options(campbank_write=True)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(path: Path | str | None = None, *, create: bool = False,
                  page_cache_kib: int | None = None) -> Database:
    """Open (and with `create`, make) the camp's database: a file, or a PostgreSQL URL. `page_cache_kib`
    caps each connection's cache of a file's pages (a server keeps its own)."""
    from campbank.ledger.store import tables
    from campbank.ledger.store.schema import add_missing_tables, install_schema

    tables.make_portable()

    db_path = Path(path) if path is not None else default_db_path()
    if dialects.is_server(db_path):
        from campbank.ledger.store.server import open_server

        return open_server(db_path, create=create)
    if not create and not db_path.exists():
        from campbank.core.errors import NotFound

        raise NotFound(
            f"no database at {db_path}; run `campbank init` (or pass --db / set CAMPBANK_DB)",
            field="database",
        )
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if create:
        _make_private_file(db_path)
    engine = dialects.dialect_for(db_path).make_engine(str(db_path), page_cache_kib=page_cache_kib)
    database = Database(path=db_path, engine=engine)
    try:
        if create:
            install_schema(database)
        else:
            add_missing_tables(database)
    except DatabaseError as error:  # a folder, not SQLite, damaged or unreadable: say so, no traceback
        engine.dispose()
        reason = str(error.orig)
        if "locked" in reason or "busy" in reason:
            raise
        from campbank.core.errors import InputError

        raise InputError(f"{db_path} cannot be used as a CampBank database ({reason})", field="database") from None
    return database


def _make_private_file(path: Path) -> None:
    """A new database is a file only its owner can read (0600, whatever the umask), made before SQLite puts
    anything in it; SQLite gives its journal, WAL and shared-memory files the same mode."""
    from campbank.ledger.store import outputs

    outputs.refuse_unless_regular(path)
    if path.exists():  # an empty file someone made for it
        os.chmod(path, outputs.PRIVATE)
    else:
        outputs.create_private(path)

"""Running the tests against a PostgreSQL server: `CAMPBANK_TEST_DB=postgresql://USER:PASS@HOST:PORT/DB` (a
role that may create databases; `.ci/postgres.sh` starts one). Each camp a test makes is a database of its
own on that server, named at random, copied from a template database in one statement and dropped after.

Tests read the camp raw through psycopg here, never through the ledger's code, like they read SQLite files
with the standard library.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

TEST_DB = os.environ.get("CAMPBANK_TEST_DB", "")
ON_SERVER = TEST_DB.startswith(("postgresql:", "postgres:"))
if ON_SERVER:  # backups of a camp on a server go to the data folder: a scratch one, for every process
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="campbank-test-data-"))


def _conninfo(location: str | Path) -> str:
    _scheme, _, rest = str(location).partition(":")
    return "postgresql://" + rest.lstrip("/")


def _name(location: str | Path) -> str:
    return str(location).rsplit("/", 1)[1].split("?")[0]


def _admin() -> Any:
    import psycopg

    return psycopg.connect(_conninfo(TEST_DB), autocommit=True)


def is_server(location: str | Path) -> bool:
    return str(location).startswith(("postgresql:", "postgres:"))


MADE: list[Path] = []  # dropped when the session ends (`drop_all`)


def _integrity_errors() -> tuple[type[Exception], ...]:
    if not ON_SERVER:
        return ()
    import psycopg

    return (psycopg.IntegrityError,)


INTEGRITY_ERRORS = _integrity_errors()
"""What psycopg raises when a guard (a trigger or a constraint) refuses a statement."""


def scratch_folder(location: str | Path) -> Path:
    """A folder for the files a test hands a camp on the server (rosters, backups); removed with it."""
    folder = Path(tempfile.gettempdir()) / f"campbank-test-{_name(location)}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def restore(dump: Path) -> Path:
    """A new database holding what the pg_dump file `dump` holds."""
    import subprocess

    location = new_location()
    done = subprocess.run(["pg_restore", "--no-owner", "-d", _conninfo(location), str(dump)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"pg_restore of {dump} failed: {done.stderr}")
    return location


def new_location(create: bool = True) -> Path:
    """A new database's URL (as a Path, as `--db` takes it); made empty when `create`."""
    name = f"cbtest_{uuid.uuid4().hex[:16]}"
    base = _conninfo(TEST_DB).rsplit("/", 1)[0]
    if create:
        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    MADE.append(Path(f"{base}/{name}"))
    return MADE[-1]


def camp_location(tmp_path_factory: Any, name: str) -> Path:
    """A session-wide camp's place: a file, or a database on the server (dropped when the session ends)."""
    if not ON_SERVER:
        return Path(tmp_path_factory.mktemp(name)) / "camp.db"
    return new_location()


def drop_all() -> None:
    while MADE:
        drop(MADE.pop())


def clone(source: Path, dest: Path) -> None:
    """`dest` becomes a copy of the closed camp `source` (PostgreSQL's CREATE DATABASE … TEMPLATE)."""
    drop(dest)
    _forget_connections(source)  # a template must have no connection open
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{_name(dest)}" TEMPLATE "{_name(source)}"')


def drop(location: Path) -> None:
    """Drop a test's database; the server's autovacuum may hold it a moment (only a superuser may end that)."""
    import psycopg

    _forget_connections(location)
    shutil.rmtree(Path(tempfile.gettempdir()) / f"campbank-test-{_name(location)}", ignore_errors=True)
    for _attempt in range(20):
        try:
            with _admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{_name(location)}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            time.sleep(0.1)


_IDLE: dict[str, list[Any]] = {}  # location -> open raw connections nobody is using


def _forget_connections(location: str | Path) -> None:
    for connection in _IDLE.pop(str(location), []):
        connection.close()


class RawConnection:
    """A psycopg connection in autocommit mode that reads like sqlite3's: `execute(sql, params)` with `?`."""

    def __init__(self, location: str | Path) -> None:
        import psycopg

        self._location = str(location)
        idle = _IDLE.get(self._location)
        self._connection = idle.pop() if idle else psycopg.connect(_conninfo(location), autocommit=True)
        self.row_factory: Any = None

    def execute(self, sql: str, params: Any = ()) -> Any:
        cursor = self._connection.cursor()
        if sql.strip().upper() == "BEGIN IMMEDIATE":  # SQLite's way to take the write lock: the server's
            from campbank.ledger.store.dialects.postgresql import WRITE_LOCK

            cursor.execute("BEGIN")
            return cursor.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        if params:
            cursor.execute(sql.replace("%", "%%").replace("?", "%s"), params)
        else:
            cursor.execute(sql)
        if self.row_factory is not None and cursor.description is not None:
            columns = [column.name for column in cursor.description]
            return _DictRows(cursor, columns)
        return cursor

    def close(self) -> None:
        """Kept for the next raw read of the same camp when nothing is left open on it (a connection costs
        the tests' random sequences more than their checks do)."""
        from psycopg.pq import TransactionStatus

        if self._connection.closed or self._connection.info.transaction_status != TransactionStatus.IDLE:
            self._connection.close()
        else:
            _IDLE.setdefault(self._location, []).append(self._connection)

    def table_names(self) -> list[str]:
        return [name for (name,) in self.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")]


class _DictRows:
    def __init__(self, cursor: Any, columns: list[str]) -> None:
        self._cursor, self._columns = cursor, columns

    def fetchone(self) -> Any:
        row = self._cursor.fetchone()
        return None if row is None else dict(zip(self._columns, row, strict=True))

    def fetchall(self) -> list[Any]:
        return [dict(zip(self._columns, row, strict=True)) for row in self._cursor.fetchall()]

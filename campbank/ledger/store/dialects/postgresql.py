"""PostgreSQL: a server many offices share (docs/postgresql.md).

One writer at a time, as on SQLite: every write transaction first takes one transaction-level advisory lock
(`pg_advisory_xact_lock`), held until it commits or rolls back. Every write also appends the hash chain's
next link, so writes have to be ordered anyway; with the lock, the idempotency keys, the re-check of a
transfer at approval, one tax per day and the chain's order hold exactly as they do on SQLite. Reads never
wait for it (PostgreSQL's snapshots). A lock that stays taken past `LOCK_TIMEOUT_MS`, a serialization
failure or a deadlock is "busy": `Database.write` runs the transaction again.

The append-only guards are PL/pgSQL triggers calling one function that refuses with the trigger's message;
an application role without UPDATE, DELETE or TRUNCATE on those tables is the second line (`roles`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import create_engine

from campbank.ledger.store import triggers
from campbank.ledger.store.dialects import server_url

# 'CampBank' in ASCII: the key of the one write lock, in the database's advisory-lock space.
WRITE_LOCK = int.from_bytes(b"CampBank", "big")
LOCK_TIMEOUT_MS = 10_000
# serialization_failure, deadlock_detected, lock_not_available
BUSY_STATES = frozenset({"40001", "40P01", "55P03"})
REFUSE_FUNCTION = "campbank_refuse"
REFUSE_BODY = "\nBEGIN\n    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation';\nEND\n"
_MAKE_FUNCTION = (f"CREATE OR REPLACE FUNCTION {REFUSE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS "
                  f"$campbank${REFUSE_BODY}$campbank$")

# Each guard: table, timing/event, the rows it refuses (WHEN, exactly as `pg_get_triggerdef` prints it back, so
# the statement that makes a guard is also the definition `campbank verify` expects), message.
_NO_CHANGE = "{table} is append-only: rows cannot be changed"
_NO_DELETE = "{table} is append-only: rows cannot be deleted"
_DISPUTE_GUARDS: dict[str, tuple[str, str, str]] = {
    "dispute_opens_open": (
        "BEFORE INSERT",
        "((((new.state)::text <> 'open'::text) OR (new.closed_at IS NOT NULL) OR (new.closed_by IS NOT NULL) "
        "OR (new.fixed_by IS NOT NULL)))",
        "dispute: a new dispute is open"),
    "dispute_closes_once": (
        "BEFORE UPDATE",
        "((((old.state)::text <> 'open'::text) OR ((new.state)::text <> ALL (ARRAY[('resolved'::character "
        "varying)::text, ('rejected'::character varying)::text])) OR (new.id IS DISTINCT FROM old.id) "
        "OR (new.student_id IS DISTINCT FROM old.student_id) OR (new.transaction_id IS DISTINCT FROM "
        "old.transaction_id) OR ((new.opened_at)::text IS DISTINCT FROM (old.opened_at)::text) "
        "OR (new.closed_at IS NULL) OR (new.closed_by IS NULL) "
        "OR (((new.state)::text = 'resolved'::text) <> (new.fixed_by IS NOT NULL))))",
        "dispute: a dispute moves once, from open to resolved or rejected"),
    "dispute_no_delete": ("BEFORE DELETE", "", "dispute rows cannot be deleted"),
    "dispute_no_truncate": ("BEFORE TRUNCATE", "", "dispute rows cannot be deleted"),
}


def _guards() -> dict[str, tuple[str, str, str, str]]:
    """name -> (table, timing and event, WHEN condition or '', message)."""
    guards = {}
    for table in triggers.APPEND_ONLY_TABLES:
        guards[f"{table}_no_update"] = (table, "BEFORE UPDATE", "", _NO_CHANGE.format(table=table))
        guards[f"{table}_no_delete"] = (table, "BEFORE DELETE", "", _NO_DELETE.format(table=table))
        guards[f"{table}_no_truncate"] = (table, "BEFORE TRUNCATE", "", _NO_DELETE.format(table=table))
    return guards | {name: ("dispute", *spec) for name, spec in _DISPUTE_GUARDS.items()}


def _definition(name: str, table: str, timing: str, condition: str, message: str) -> str:
    """The guard as `pg_get_triggerdef` prints it (and as it is made: the same text runs as SQL)."""
    level = "STATEMENT" if timing.endswith("TRUNCATE") else "ROW"
    when = f" WHEN {condition}" if condition else ""
    quoted = message.replace("'", "''")
    return (f"CREATE TRIGGER {name} {timing} ON public.{table} FOR EACH {level}{when} "
            f"EXECUTE FUNCTION {REFUSE_FUNCTION}('{quoted}')")


def stored_guards(cursor: Any) -> list[tuple[str, str, str | None]]:
    """Every trigger of the camp's schema as PostgreSQL prints it back, and the body of the refusing function."""
    rows: list[tuple[str, str, str | None]] = [(str(name), str(table), str(sql)) for name, table, sql in cursor.execute(
        "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY t.tgname").fetchall()]
    body = cursor.execute(
        "SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.proname = ? AND n.nspname = current_schema()", (REFUSE_FUNCTION,)).fetchone()
    if body is not None:
        rows.append((f"{REFUSE_FUNCTION}()", "", str(body[0])))
    return rows


class QmarkCursor:
    """A psycopg cursor that takes the store's `?` placeholders (and its `%` as a plain character)."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def connection(self) -> _QmarkConnection:
        return _QmarkConnection(self._cursor.connection)

    def execute(self, sql: str, params: Any = None) -> QmarkCursor:
        if params is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(qmark_to_format(sql), params)
        return self

    def executemany(self, sql: str, rows: Any) -> QmarkCursor:
        self._cursor.executemany(qmark_to_format(sql), rows)
        return self

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def fetchmany(self, size: int) -> list[Any]:
        return self._cursor.fetchmany(size)

    def close(self) -> None:
        self._cursor.close()

    def __iter__(self) -> Any:
        return iter(self._cursor)


class _QmarkConnection:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def cursor(self) -> QmarkCursor:
        return QmarkCursor(self._connection.cursor())


def qmark_to_format(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class PostgreSQL:
    name = "postgresql"

    def make_engine(self, location: str, *, page_cache_kib: int | None = None) -> Engine:
        # `page_cache_kib` has nothing to cap here: the server keeps one cache for all its clients.
        engine = create_engine(server_url(location), pool_pre_ping=True)

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
                cursor.execute("SET TIME ZONE 'UTC'")
            dbapi_connection.commit()

        @event.listens_for(engine, "begin")
        def on_begin(connection: Connection) -> None:
            if connection.get_execution_options().get("campbank_write", False):
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            else:  # a read sees the camp as it was at its first statement, as SQLite's read transaction does
                connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

        @event.listens_for(engine, "before_cursor_execute", retval=True)
        def qmark(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
                  executemany: bool) -> tuple[str, Any]:
            # The store's raw SQL says `?`; SQLAlchemy's own statements pass a dict (or nothing).
            positional = parameters
            if executemany and isinstance(parameters, list | tuple) and parameters:
                positional = parameters[0]
            if isinstance(positional, tuple | list) and "?" in statement:
                statement = qmark_to_format(statement)
            return statement, parameters

        return engine

    def is_busy(self, error: BaseException) -> bool:
        if not isinstance(error, DBAPIError):
            return False
        return getattr(error.orig, "sqlstate", None) in BUSY_STATES

    def guard_statements(self, names: set[str] | None = None) -> list[str]:
        made = [_MAKE_FUNCTION]
        for name, spec in _guards().items():
            if names is None or name in names:
                table = spec[0]
                made.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                made.append(_definition(name, *spec))
        return made

    def expected_guards(self) -> dict[str, tuple[str, str]]:
        guards = {name: (spec[0], _definition(name, *spec)) for name, spec in _guards().items()}
        guards[f"{REFUSE_FUNCTION}()"] = ("", REFUSE_BODY)
        return guards

    def stored_guards(self, connection: Connection) -> list[tuple[str, str, str | None]]:
        return stored_guards(self.cursor(connection.connection))

    def cursor(self, dbapi_connection: Any) -> Any:
        return QmarkCursor(dbapi_connection.cursor())

    def index_names(self, connection: Connection) -> set[str]:
        return {str(row[0]) for row in connection.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}

    def columns(self, connection: Connection, table: str) -> list[str]:
        return [str(row[0]) for row in connection.exec_driver_sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %(table)s ORDER BY ordinal_position", {"table": table})]

    def table_names(self, connection: Connection) -> set[str]:
        return {str(row[0]) for row in connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}

    def continue_ids(self, connection: Connection, table: str) -> None:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")

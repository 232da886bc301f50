"""Moving a camp from its SQLite file to a PostgreSQL database (docs/postgresql.md#moving-a-camp-to-the-server).

Every table is copied row for row, ids kept, as the file stores them (dates as text, booleans as 0/1, which is
how the server stores them too: `portable_types`), so the hash chain copied with them still matches its rows.
The file is held under its write lock for the whole copy (nobody changes it meanwhile, nothing is written to
it); the server's rows go in in one transaction, which then checks that both ends agree — every table's row
count, every balance, the chain's head — before it commits. A target that holds any table is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, SQLModel

from campbank.core.errors import InputError, RuleError
from campbank.ledger.store import chain, dialects
from campbank.ledger.store.database import Database, open_database

BATCH = 5_000


@dataclass
class Migration:
    target: Database
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied (equal at both ends)
    accounts: int = 0
    head: str = ""  # the chain's head, the same at both ends


def migrate(source: Database, target_location: Path) -> Migration:
    if source.on_server:
        raise InputError("--from is the camp's SQLite file", field="from")
    if not dialects.is_server(target_location):
        raise InputError("--to is a PostgreSQL URL: postgresql://USER:PASSWORD@HOST/DATABASE", field="to")
    _refuse_unless_empty(target_location)
    target = open_database(target_location, create=True)
    try:
        migration = source.rehearse(lambda session: _copy(session, target))
    except BaseException:
        _remove_schema(target)
        target.dispose()
        raise
    _analyze(target)
    return migration


def _analyze(target: Database) -> None:
    """The planner's statistics of the tables just filled: without them the camp's first queries are planned
    blind until autovacuum comes round (a post to 400 students took twice as long meanwhile)."""
    with target.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def _remove_schema(target: Database) -> None:
    """A copy that failed leaves the target as empty as it was found."""
    from campbank.ledger.store.dialects.postgresql import REFUSE_FUNCTION

    with target.engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name} CASCADE")
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {REFUSE_FUNCTION}()")


def _refuse_unless_empty(location: Path) -> None:
    from sqlalchemy.exc import DBAPIError

    from campbank.ledger.store.server import describe

    dialect = dialects.dialect_for(location)
    engine = dialect.make_engine(str(location))
    try:
        with engine.connect() as connection:
            present = dialect.table_names(connection)
    except DBAPIError as error:
        raise InputError(f"cannot reach {dialects.masked(location)}: {describe(error)}", field="to") from None
    finally:
        engine.dispose()
    if present:
        raise RuleError(f"{dialects.masked(location)} is not empty (it holds {len(present)} tables): a camp moves only "
                        "into an empty database; nothing was changed", field="to")


def _copy(source: Session, target: Database) -> Migration:
    """Under the file's write lock: copy everything in one server transaction, check both ends, commit."""
    reader = source.connection()
    migration = Migration(target)
    with target.write_transaction() as session:
        writer = session.connection()
        writer.exec_driver_sql("DELETE FROM meta")  # the file's own meta rows replace the new camp's
        for table in SQLModel.metadata.sorted_tables:
            migration.rows[table.name] = _copy_table(reader, writer, table.name)
        _advance_sequences(writer)
        _check_both_ends(reader, writer, migration)
    return migration


def _copy_table(reader: Any, writer: Any, table: str) -> int:
    dialect = dialects.of(reader)
    columns = [c for c in dialect.columns(reader, table) if c in set(dialects.of(writer).columns(writer, table))]
    names = ", ".join(columns)
    rows = reader.exec_driver_sql(f"SELECT {names} FROM {table} ORDER BY 1").fetchall()
    if table == "dispute":
        return _copy_disputes(writer, columns, rows)
    insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    for start in range(0, len(rows), BATCH):
        writer.exec_driver_sql(insert, [tuple(row) for row in rows[start:start + BATCH]])
    return len(rows)


def _copy_disputes(writer: Any, columns: list[str], rows: list[Any]) -> int:
    """A dispute is made open and then closed, as its guards allow (`dialects.postgresql`)."""
    closing = ("state", "closed_at", "closed_by", "fixed_by")
    opened = [tuple(("open" if c == "state" else None) if c in closing else value
                    for c, value in zip(columns, row, strict=True)) for row in rows]
    names = ", ".join(columns)
    if opened:
        writer.exec_driver_sql(f"INSERT INTO dispute ({names}) VALUES ({', '.join('?' * len(columns))})", opened)
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        if values["state"] != "open":
            writer.execute(text("UPDATE dispute SET state = :state, closed_at = :closed_at, closed_by = :closed_by, "
                                "fixed_by = :fixed_by WHERE id = :id"), {k: values[k] for k in (*closing, "id")})
    return len(rows)


def _advance_sequences(writer: Any) -> None:
    """Each table's id sequence continues after the ids copied."""
    for table in SQLModel.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not keys[0].autoincrement or str(keys[0].type) != "INTEGER":
            continue
        key = keys[0].name
        sequence = writer.exec_driver_sql("SELECT pg_get_serial_sequence(%(t)s, %(c)s)", {"t": table.name, "c": key})
        name = sequence.scalar()
        if name is not None:
            writer.exec_driver_sql(f"SELECT setval('{name}', COALESCE((SELECT MAX({key}) FROM {table.name}), 1), "
                                   f"(SELECT MAX({key}) FROM {table.name}) IS NOT NULL)")


def _check_both_ends(reader: Any, writer: Any, migration: Migration) -> None:
    problems = []
    for table, copied in migration.rows.items():
        on_server = writer.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar()
        if on_server != copied:
            problems.append(f"{table}: {copied} rows in the file, {on_server} on the server")
    balances = "SELECT id, balance FROM account ORDER BY id"
    file_balances = [tuple(row) for row in reader.exec_driver_sql(balances)]
    server_balances = [tuple(row) for row in writer.exec_driver_sql(balances)]
    if file_balances != server_balances:
        problems.append("the accounts' balances differ")
    migration.accounts = len(file_balances)
    file_head = chain.last_link(dialects.of(reader).cursor(reader.connection))
    server_head = chain.last_link(dialects.of(writer).cursor(writer.connection))
    if file_head != server_head:
        problems.append(f"the chain's head is {file_head} in the file, {server_head} on the server")
    if problems:
        raise RuleError("the copy does not match the file, so nothing was kept on the server: " + "; ".join(problems),
                        field="to")
    migration.head = str(file_head)

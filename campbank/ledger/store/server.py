"""Opening a camp kept on a PostgreSQL server (docs/postgresql.md): the clear refusals when the server is down,
the password is wrong or the database does not exist, and the schema made or brought up to date."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

from campbank.core.errors import InputError, RuleError
from campbank.ledger.store import dialects

if TYPE_CHECKING:
    from campbank.ledger.store.database import Database


def open_server(location: Path, *, create: bool) -> Database:
    from campbank.ledger.store.database import Database
    from campbank.ledger.store.schema import add_missing_tables, install_schema

    shown = dialects.masked(location)
    engine = dialects.dialect_for(location).make_engine(str(location))
    try:
        with engine.connect() as connection:
            has_camp = inspect(connection).has_table("account")
    except DBAPIError as error:
        engine.dispose()
        raise InputError(f"cannot reach the camp's database at {shown}: {describe(error)}",
                         field="database") from None
    database = Database(path=location, engine=engine)
    try:
        if create:
            if has_camp:
                raise RuleError(f"{shown} already holds a camp; nothing was changed", field="database")
            install_schema(database)
        else:
            if not has_camp:
                raise InputError(f"{shown} holds no camp; run `campbank init` for a new camp", field="database")
            add_missing_tables(database)
    except BaseException:
        engine.dispose()
        raise
    return database


def describe(error: DBAPIError) -> str:
    """The server's refusal in one line (psycopg's message can run over several)."""
    reason = str(error.orig).strip()
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    if not lines:
        return "no reason given"
    text = lines[-1] if lines[0].startswith("connection failed") and len(lines) > 1 else lines[0]
    if "Connection refused" in reason or ("could not connect" in reason.lower() and "refused" in reason):
        return "the server is not running or not accepting connections there (connection refused)"
    if "password authentication failed" in reason:
        return "the server refused the user name or password (password authentication failed)"
    if "does not exist" in reason and "database" in reason:
        return text.removeprefix("FATAL:").strip() + "; create it first (docs/postgresql.md)"
    return text.removeprefix("FATAL:").strip()

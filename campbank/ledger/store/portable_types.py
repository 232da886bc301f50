"""Column types that store the same values the same way on every database (docs/postgresql.md#storage).

SQLite keeps dates and times as ISO text ('YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS.ffffff') and booleans as 0/1.
On PostgreSQL the ledger's columns keep exactly those values too (TEXT and INTEGER), so the ledger's SQL, the
hash chain's bytes (`chain_encoding`) and `campbank migrate`'s copies are the same on both: a row hashes alike
wherever it is stored. On SQLite these types are SQLAlchemy's own, unchanged.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel.sql.sqltypes import UTCDateTime


def _on_server(dialect: Dialect) -> bool:
    return dialect.name != "sqlite"


class Stamp(UTCDateTime):
    """A date and time in UTC, as SQLModel writes it on SQLite ('YYYY-MM-DD HH:MM:SS.ffffff')."""

    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(Text()) if _on_server(dialect) else super().load_dialect_impl(dialect)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str):
            return value
        value = super().process_bind_param(value, dialect)
        if value is None or not _on_server(dialect):
            return value
        return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:"
                f"{value.second:02d}.{value.microsecond:06d}")

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return super().process_result_value(value, dialect)


class Day(TypeDecorator[date]):
    """A date, as SQLite's Date writes it."""

    impl = Date
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(Text() if _on_server(dialect) else Date())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not _on_server(dialect) or isinstance(value, str):
            return value
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not _on_server(dialect):
            return value
        return date.fromisoformat(value)


class Flag(TypeDecorator[bool]):
    """A boolean, as 0 or 1."""

    impl = Boolean
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(Integer() if _on_server(dialect) else Boolean())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not _on_server(dialect):
            return value
        return int(bool(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not _on_server(dialect):
            return value
        return bool(value)


def make_portable(metadata: MetaData) -> None:
    """Give every date, time and boolean column of the tables its portable type (once, at import)."""
    for table in metadata.tables.values():
        for column in table.columns:
            kind = type(column.type)
            if kind is UTCDateTime or kind is DateTime:
                column.type = Stamp()
            elif kind is Date:
                column.type = Day()
            elif kind is Boolean:
                column.type = Flag()

"""What differs between the databases a camp can live in: one module per database behind `Dialect`.

Everything above the store writes one SQL for both (docs/postgresql.md): ISO text for dates and times, 0/1
for booleans (`portable_types`), `?` placeholders in the store's raw SQL, `INSERT … ON CONFLICT`. What
cannot be written once lives here: making the engine, taking the one write lock, the append-only guards,
the catalogue, and telling a busy database from a broken one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

SERVER_SCHEMES = ("postgresql:", "postgres:", "postgresql+psycopg:")


class Dialect(Protocol):
    name: str

    def make_engine(self, location: str, *, page_cache_kib: int | None = None) -> Engine:
        """An engine whose every connection is set up for CampBank, and whose write transactions take the
        one write lock first (`campbank_write` execution option). `page_cache_kib` caps what each connection
        keeps of the database in its own memory (None: the database's default)."""

    def is_busy(self, error: BaseException) -> bool:
        """The write lock stayed taken, or the database chose this transaction to fail: run it again."""

    def guard_statements(self, names: set[str] | None = None) -> list[str]:
        """The SQL that makes the append-only guards (only `names`, when given)."""

    def expected_guards(self) -> dict[str, tuple[str, str]]:
        """Each guard's name -> (its table, its definition as the database reports it)."""

    def stored_guards(self, connection: Connection) -> list[tuple[str, str, str | None]]:
        """Every guard in the database: (name, table, definition)."""

    def cursor(self, dbapi_connection: Any) -> Any:
        """A DB-API cursor that takes `?` placeholders."""

    def index_names(self, connection: Connection) -> set[str]:
        """The names of the indexes of the camp's tables."""

    def columns(self, connection: Connection, table: str) -> list[str]:
        """The columns of `table`, in order."""

    def table_names(self, connection: Connection) -> set[str]:
        """The camp's tables."""

    def continue_ids(self, connection: Connection, table: str) -> None:
        """After rows were written with ids of the store's choosing: the next id the database gives follows them."""


def is_server(location: str | Path) -> bool:
    """A database server's URL rather than a file (a URL that went through Path has lost a slash)."""
    return str(location).lower().startswith(SERVER_SCHEMES)


def server_url(location: str | Path) -> str:
    """The URL SQLAlchemy opens with psycopg 3, whatever spelling was given."""
    text = str(location)
    _scheme, _, rest = text.partition(":")
    rest = rest.lstrip("/")
    return f"postgresql+psycopg://{rest}"


def dialect_for(location: str | Path) -> Dialect:
    if is_server(location):
        from campbank.ledger.store.dialects.postgresql import PostgreSQL

        return PostgreSQL()
    from campbank.ledger.store.dialects.sqlite import SQLite

    return SQLite()


def of(bind: Any) -> Dialect:
    """The dialect of an open engine, connection or session."""
    name = bind.get_bind().dialect.name if hasattr(bind, "get_bind") else bind.dialect.name
    return dialect_for("postgresql:" if name == "postgresql" else "")


def raw_cursor(session: Any) -> Any:
    """A DB-API cursor inside the session's own transaction, taking `?` placeholders: plain tuples, without
    the database library's result machinery (fast for thousands of rows, and for the hottest small reads)."""
    return of(session).cursor(session.connection().connection)


def masked(location: str | Path) -> str:
    """A database's location to show a person: a server's URL without its password."""
    if not is_server(location):
        return str(location)
    from sqlalchemy.engine import make_url

    return make_url(server_url(location)).render_as_string(hide_password=True)


def database_name(location: str | Path) -> str:
    """The database's name in a server's URL."""
    from sqlalchemy.engine import make_url

    return make_url(server_url(location)).database or "campbank"


def without_password(location: str | Path) -> tuple[str, str | None]:
    """A location to pass on a command line, and the password to pass in the environment (PGPASSWORD, which
    libpq reads when the URL holds none): a command line is visible to everyone on the computer."""
    if not is_server(location):
        return str(location), None
    from sqlalchemy.engine import make_url

    url = make_url(server_url(location))
    return url.set(password=None).render_as_string(hide_password=False), url.password

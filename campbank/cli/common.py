"""What every command shares: the database from --db, signing in with --as, errors as exit codes."""

from __future__ import annotations

import getpass
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

from campbank.core.errors import CampBankError, InputError
from campbank.core.text import shown
from campbank.ledger.store.paths import default_db_path

if TYPE_CHECKING:
    from campbank.ledger.store.database import Database

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class State:
    db_path: Path | None = None
    _db: Database | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return self.db_path or default_db_path()

    def database(self) -> Database:
        if self._db is None:
            from campbank.ledger.store.database import (
                open_database,  # SQLAlchemy loads only when a command needs it
            )

            self._db = open_database(self.path)
        return self._db


def state(ctx: typer.Context) -> State:
    return ctx.ensure_object(State)


@contextmanager
def fail_on_error() -> Iterator[None]:
    """Print a refusal as `error: field: reason` and exit 1 (refused by a rule) or 2 (bad input).

    Also the few failures that come from outside the ledger's checks, so a person never sees a traceback:
    a database file that is damaged or stays locked, a number or text SQLite cannot store, a path that
    cannot be read or written.
    """
    try:
        yield
    except CampBankError as error:
        _fail(str(error), error.exit_code)
    except (sqlite3.Error, _sqlalchemy_errors()) as error:
        reason = str(getattr(error, "orig", None) or error)
        if "locked" in reason or "busy" in reason:
            reason = ("another program kept the database busy for too long; the change that was waiting was "
                      "not saved: run the command again")
        elif "no such table" in reason or "malformed" in reason or "not a database" in reason:
            reason += "; is this a CampBank database? `campbank verify` checks it"
        _fail(f"database: {reason}", 1)
    except OverflowError as error:  # e.g. a 20-digit id: SQLite integers have 64 bits
        if "SQLite" not in str(error):
            raise
        _fail(f"a number is too large (at most {2**63 - 1})", 2)
    except UnicodeEncodeError as error:  # a lone surrogate: "\ud800" in JSON, or bytes that are not UTF-8 in argv
        if "surrogates" not in error.reason:
            raise
        _fail(f"text with an invalid character {error.object[error.start:error.end]!r}: {error.reason}", 2)
    except OSError as error:
        _fail(f"{error.filename or 'file'}: {error.strerror or error}", 2)


def _sqlalchemy_errors() -> type[Exception]:
    """Evaluated only while handling an error, so `campbank --help` never loads SQLAlchemy."""
    from sqlalchemy.exc import DBAPIError

    return DBAPIError


def _fail(message: str, code: int) -> NoReturn:
    errors.print(f"[bold red]error:[/] {esc(message)}")
    raise typer.Exit(code) from None


def esc(value: object) -> str:
    """Typed text (a name, a path, a refusal quoting a payload) inside a `console.print` markup string: never
    read as markup, and its terminal controls made visible (docs/security.md)."""
    from rich.markup import escape

    return escape(shown(str(value)))


def password_for(username: str) -> str:
    """CAMPBANK_PASSWORD, else a hidden prompt; with no terminal and no variable, a clear refusal."""
    if (password := os.environ.get("CAMPBANK_PASSWORD")) is not None:
        return password
    if not sys.stdin.isatty():
        raise InputError(f"no password for {username}: set CAMPBANK_PASSWORD or run on a terminal",
                         field="password")
    return getpass.getpass(f"Password for {username}: ")


def sign_in_as(db: Database, username: str):
    from campbank.ledger.actions.auth import sign_in

    return sign_in(db, username, password_for(username), place="cli")


def actor_for(db: Database, username: str | None):
    """`--as USERNAME` signs in; without it the command acts as the database's owner (the bank)."""
    from campbank.ledger.actions.users import system_actor

    return sign_in_as(db, username) if username else system_actor(db)


AS_HELP = "Act as this user (password from CAMPBANK_PASSWORD or a prompt)."
OWNER_AS_HELP = AS_HELP + " Without it, the command acts as the database's owner."


def currency_sign(db: Database) -> str:
    """The sign of the season in force, for printing amounts."""
    from campbank.ledger.season.in_force import current

    with db.session() as session:
        return current(session).currency_sign

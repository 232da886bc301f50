"""What every command shares: the database from --db, signing in with --as, errors as exit codes."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from campbank.core.errors import CampBankError, InputError
from campbank.core.text import shown
from campbank.ledger.store.paths import default_db_path
from campbank.widgets.literal import literal

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

    The one exit-code rule (docs/season.md#exit-codes): 0 done; 1 refused by a rule, a permission or a failed
    sign-in; 2 bad usage or input, which includes a name, username or id that does not exist
    (`NotFound`). Usage errors of the command line itself are one line too (`cli/usage.py`).

    Also the few failures that come from outside the ledger's checks, so a person never sees a traceback:
    a database file that is damaged or stays locked, a number or text SQLite cannot store, a path that
    cannot be read or written.
    """
    try:
        yield
    except CampBankError as error:
        _fail(str(error), error.exit_code)
    except _database_errors() as error:
        if _out_of_range(error):
            _fail("a number is too large for the database", 2)
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


def _database_errors() -> tuple[type[Exception], ...]:
    """Evaluated only while handling an error, so `campbank --help` never loads the database library."""
    from campbank.ledger.store.database import DATABASE_ERRORS

    return DATABASE_ERRORS


def _out_of_range(error: Exception) -> bool:
    from campbank.ledger.store.database import number_out_of_range

    return number_out_of_range(error)


def _fail(message: str, code: int) -> NoReturn:
    errors.print(f"[bold red]error:[/] {esc(message)}")
    raise typer.Exit(code) from None


def title(value: object) -> Text:
    """A table's title holding typed text: shown literally, and on a line of its own (a literal Text ends
    without a line break, which would put the table's top border right after it)."""
    heading = literal(value)
    heading.end = "\n"
    return heading


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


def sign_in_as(db: Database, username: str, *, managers_only: str | None = None):
    """Sign in as `username` through the UI's own sign-in (the same lockout and audit).

    `managers_only` names a command only a manager may run: anyone else is refused, naming it."""
    from campbank.ledger.actions.auth import sign_in

    if managers_only is None:
        return sign_in(db, username, password_for(username), place="cli")
    return sign_in(db, username, password_for(username), place="cli", allowed_roles=frozenset({"manager"}),
                   refusal=f"may not run `{managers_only}`: it needs a manager")


def manager_for(ctx: typer.Context, db: Database, username: str | None):
    """A privileged command's actor: `--as MANAGER` and that manager's password, or a refusal."""
    command = ctx.command_path
    if not username:
        raise InputError(f"`{command}` needs a manager: add --as MANAGER (the password comes from "
                         "CAMPBANK_PASSWORD or a prompt)", field="--as")
    return sign_in_as(db, username, managers_only=command)


def signed_in(ctx: typer.Context, db: Database, username: str | None, option: str = "--as"):
    """The actor of a command that reads on someone's behalf: `--as USERNAME` (any role the ledger allows)."""
    if not username:
        raise InputError(f"`{ctx.command_path}` acts as someone: add {option} USERNAME (the password comes from "
                         "CAMPBANK_PASSWORD or a prompt)", field=option)
    return sign_in_as(db, username)


def scheduler_actor(db: Database, username: str | None):
    """`tax run`: the scheduler runs it as the bank; a person may name themselves with `--as`."""
    from campbank.ledger.actions.users import system_actor

    return sign_in_as(db, username) if username else system_actor(db)


AS_HELP = "Act as this user (password from CAMPBANK_PASSWORD or a prompt)."
MANAGER_HELP = "The manager who runs this (required; password from CAMPBANK_PASSWORD or a prompt)."


def currency_sign(db: Database) -> str:
    """The sign of the season in force, for printing amounts."""
    from campbank.ledger.season.in_force import season_in_force

    return season_in_force(db).currency_sign

"""A new camp: the database file, the season, the bank and the first manager."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import inspect

from campbank.core.enums import Role
from campbank.core.errors import InputError, RuleError
from campbank.ledger import clock
from campbank.ledger.actions import auth
from campbank.ledger.actions.usernames import generate_password, is_valid_username
from campbank.ledger.actions.users import ensure_bank
from campbank.ledger.season.dates import redate
from campbank.ledger.season.in_force import store
from campbank.ledger.season.load import SEASON_FILES, parse_season, read_season_file
from campbank.ledger.store import audit, outputs
from campbank.ledger.store.database import Database, open_database
from campbank.ledger.store.tables import Account


@dataclass(frozen=True)
class NewCamp:
    database: Database
    season_name: str
    manager: str
    password: str


def season_source(season: str | Path | None) -> Path:
    """A season file path, or the name of a shipped season (`classic`, `flat-tax`, `savings`)."""
    if season is None:
        return SEASON_FILES["classic"]
    if str(season) in SEASON_FILES:
        return SEASON_FILES[str(season)]
    return Path(season)


def initialise(path: Path, *, season: str | Path | None = None, manager: str = "manager",
               manager_password: str | None = None, season_text: str | None = None,
               first_day: date | None = None, days: int | None = None) -> NewCamp:
    """Make a new database; refuses to touch a file that already holds a camp.

    `first_day` (and `days`) date the season: this summer's camp, whatever dates the file was written for.
    """
    if not is_valid_username(manager):
        raise InputError(f"{manager!r} is not a valid username", field="manager")
    if season_text is None:
        season_text, source = read_season_file(season_source(season))
    else:
        source = str(season or "season")
    if first_day is not None or days is not None:
        season_text = redate(season_text, first_day, days)
    parse_season(season_text, source)  # refuse a bad season before creating any file
    outputs.refuse_unless_regular(path)  # never a device, a FIFO or a folder
    if path.exists() and path.stat().st_size > 0:
        probe = open_database(path)
        has_camp = inspect(probe.engine).has_table("account")
        probe.dispose()
        if has_camp:
            raise RuleError(f"{path} already holds a camp; nothing was changed", field="database")
    database = open_database(path, create=True)
    password = manager_password or generate_password(12)
    password_hash = auth.hasher.hash(password)

    def work(session):
        loaded = store(session, season_text, source, actor_id=None)
        bank = ensure_bank(session)
        first = Account(username=manager, role=Role.MANAGER, last_name="Manager", password_hash=password_hash,
                        created_at=clock.now())
        session.add(first)
        session.flush()
        audit.record(session, "camp.init", actor_id=bank.id, target=f"user:{manager}", season=loaded.name)
        return loaded.name

    name = database.write(work)
    return NewCamp(database, name, manager, password)

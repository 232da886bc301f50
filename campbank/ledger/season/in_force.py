"""The season in force lives in the database, so the office UI, the kiosk and the scheduler agree."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from campbank.core.enums import State
from campbank.core.errors import NotFound, RuleError
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.dates import redate
from campbank.ledger.season.load import parse_season
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.store.dialects import raw_cursor
from campbank.ledger.store.tables import SeasonRow, Transaction

# Parsed seasons by their text: any process, with any number of databases, parses each season once.
_parsed: dict[tuple[str, str], Season] = {}
# The season in force by database and row (with its load time, as an id can come back after a rollback):
# asking again costs one small read, not the file's text.
_by_row: dict[tuple[str, int, str], Season] = {}
_NEWEST = "SELECT id, loaded_at FROM season ORDER BY id DESC LIMIT 1"  # asked on every read: plain SQL


def current(session: Session) -> Season:
    """The newest loaded season."""
    newest = raw_cursor(session).execute(_NEWEST).fetchone()
    if newest is None:
        raise NotFound("no season is loaded; run `campbank season load FILE`", field="season")
    row_key = (str(session.get_bind().engine.url), int(newest[0] or 0), str(newest[1]))
    season = _by_row.get(row_key)
    if season is None:
        toml_text, source = session.exec(
            select(SeasonRow.toml, SeasonRow.source).where(SeasonRow.id == newest[0])).one()
        key = (toml_text, source)
        if key not in _parsed:
            _parsed[key] = parse_season(*key, check_text=False)  # accepted when it was loaded
        season = _by_row[row_key] = _parsed[key]
    return season


def store(session: Session, toml_text: str, source: str, *, actor_id: int | None) -> Season:
    """Validate and store a season; a bad file raises before anything is written."""
    season = parse_season(toml_text, source)
    row = SeasonRow(loaded_at=clock.now(), name=season.name, source=source, toml=toml_text)
    session.add(row)
    session.flush()
    audit.record(session, "season.load", actor_id=actor_id, target=f"season:{row.id}", name=season.name,
                 source=source)
    return season


def season_stamp(db: Database) -> tuple[int, str] | None:
    """Which season row is in force (its id and load time): one tiny read, so a running UI can ask every
    half minute whether a manager loaded a season or moved its dates."""
    with db.session() as session:
        newest = raw_cursor(session).execute(_NEWEST).fetchone()
        return None if newest is None else (int(newest[0]), str(newest[1]))


def season_in_force(db: Database) -> Season:
    """The season in force now (it changes when a manager loads a season file)."""
    with db.session() as session:
        return current(session)


def load(db: Database, actor: Actor, toml_text: str, source: str) -> Season:
    """A manager makes a season file the season in force (a bad file changes nothing)."""

    def work(session: Session) -> Season:
        account = acting_account(session, actor)
        require(account, Action.LOAD_SEASON)
        return store(session, toml_text, source, actor_id=account.id)

    return db.write(work)


def move_dates(db: Database, actor: Actor, first_day: date | None, days: int | None = None) -> Season:
    """A manager moves the season in force to this summer's dates (docs/season.md#this-summers-dates).

    Refused while a counted transaction would fall outside the new dates (naming the first such one).
    """

    def work(session: Session) -> Season:
        account = acting_account(session, actor)
        require(account, Action.LOAD_SEASON)
        row = session.exec(select(SeasonRow).order_by(col(SeasonRow.id).desc())).first()
        if row is None:
            raise NotFound("no season is loaded; run `campbank season load FILE`", field="season")
        text = redate(row.toml, first_day, days)
        season = parse_season(text, row.source, check_text=False)
        counted = (col(Transaction.state) == State.PROCESSED) | (col(Transaction.state) == State.CREATED)
        outside = session.exec(
            select(Transaction).where(counted)
            .where((col(Transaction.day) < season.first_day) | (col(Transaction.day) > season.last_day))
            .order_by(col(Transaction.day), col(Transaction.id))
        ).first()
        if outside is not None:
            raise RuleError(f"#{outside.id} ({outside.type}, {outside.day}) would fall outside "
                            f"{season.first_day} to {season.last_day}; nothing was changed",
                            field="--first-day" if first_day else "--days")
        moved = SeasonRow(loaded_at=clock.now(), name=row.name, source=row.source, toml=text)
        session.add(moved)
        session.flush()
        audit.record(session, "season.dates", actor_id=account.id, target=f"season:{moved.id}",
                     first_day=season.first_day.isoformat(), last_day=season.last_day.isoformat())
        return season

    return db.write(work)

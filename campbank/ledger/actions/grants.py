"""The initial grant: each student, once, a `general_money` of type `initial` created by the bank."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from campbank.core.money import cents_to_str
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.people import bank_account
from campbank.ledger.permissions import Actor
from campbank.ledger.store import keys
from campbank.ledger.store.tables import Account


def season_day(season: Season, day: date | None = None) -> date:
    """`day` (default today) moved into the season, for system postings made outside it."""
    day = day or clock.today()
    return min(max(day, season.first_day), season.last_day)


def grant_day(season: Season) -> date:
    """Today when it lies in the season, else its first day: a student added while the camp is being set
    up (or after it) is granted on the first day."""
    today = clock.today()
    return today if season.contains(today) else season.first_day


def grant_initial(session: Session, student: Account, season: Season, *, now: datetime | None = None) -> None:
    """Post the grant; its system key makes a second call for the same student do nothing."""
    from campbank.ledger.actions.posting import post_in

    if season.initial_grant <= 0:
        return
    payload = {
        "type": "general_money",
        "money_type": "initial",
        "description": "Initial grant",
        "date": grant_day(season).isoformat(),
        "amounts": {student.username: cents_to_str(season.initial_grant)},
    }
    assert student.id is not None
    post_in(session, Actor.of(bank_account(session)), payload, now=now, system_key=keys.initial_grant(student.id))

"""The initial grant: each student, once, a `general_money` of type `initial` created by the bank."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session

from campbank.core.money import cents_to_str
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.people import bank_account, person_of
from campbank.ledger.store import keys
from campbank.ledger.store.batch import NewTransaction, write_processed
from campbank.ledger.store.queries import keyed
from campbank.ledger.store.tables import Account
from campbank.rules.base import RuleContext
from campbank.rules.general_money import RULE as GRANT


def season_day(season: Season, day: date | None = None) -> date:
    """`day` (default today) moved into the season, for system postings made outside it."""
    day = day or clock.today()
    return min(max(day, season.first_day), season.last_day)


def grant_day(season: Season) -> date:
    """Today when it lies in the season, else its first day: a student added while the camp is being set
    up (or after it) is granted on the first day."""
    today = clock.today()
    return today if season.contains(today) else season.first_day


def grant_initial(session: Session, students: Sequence[Account], season: Season, *,
                  now: datetime | None = None) -> list[int]:
    """Post each student's grant, inside the caller's write: all written at once (an import adds hundreds
    of students). A grant's system key makes a second call for the same student do nothing; returns the new
    transactions' ids."""
    if season.initial_grant <= 0 or not students:
        return []
    bank = person_of(bank_account(session))
    day = grant_day(season)
    people = [person_of(student) for student in students]
    taken = keyed.taken(session, [keys.initial_grant(person.id) for person in people])
    items = []
    for person in people:
        key = keys.initial_grant(person.id)
        if key in taken:
            continue
        payload: dict[str, object] = {
            "type": GRANT.type,
            "money_type": "initial",
            "description": "Initial grant",
            "date": day.isoformat(),
            "amounts": {person.username: cents_to_str(season.initial_grant)},
        }
        entries = GRANT.build(payload, RuleContext(season=season, day=day, creator=bank,
                                                   people={person.username: person}))
        items.append(NewTransaction(GRANT.type, bank.id, day, "Initial grant", payload, key,
                                    [(person.id, line.amount, line.money_type, line.description)
                                     for line in entries.money]))
    return write_processed(session, items, at=now or clock.now())


"""What a signed-in person reads about themselves and the people they may see, as any face shows it.

`my_account` is what the kiosk's "My bank" shows (balance, certificates, counters, the programme and
the fines to expect, pending requests), read in one transaction. `directory` is the people list: staff
and managers see students with balances; a student sees classmates' names and usernames, never a
balance.
"""

from __future__ import annotations

from dataclasses import dataclass

from campbank.core.enums import Role
from campbank.core.season import Season
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, allows, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.database import Database
from campbank.ledger.views.accounts import (
    BalanceRow,
    HistoryLine,
    Request,
    account_balance,
    balances,
    classmates,
    history,
    my_requests,
)
from campbank.ledger.views.study import StudyStatus, status_of

MAX_PAGE = 500


@dataclass(frozen=True)
class MyAccount:
    row: BalanceRow
    study: StudyStatus | None  # students only
    requests: list[Request]  # students' transfer requests still waiting for staff
    season: Season


@dataclass(frozen=True)
class HistoryPage:
    lines: list[HistoryLine]
    next_before: int | None  # pass as `before_id` for the next (older) page; None when this is the last


@dataclass(frozen=True)
class Person:
    """One line of the people list; `squad` and `balance` are None where the viewer may not see them."""

    username: str
    full_name: str
    squad: str | None
    grade: int | None
    balance: int | None
    active: bool


def my_account(db: Database, actor: Actor) -> MyAccount:
    """The actor's own balance, counters, programme and pending requests, in one read."""
    with db.session() as session:
        row = account_balance(session, actor, actor.username)
        season = current_season(session)
        student = row.role == Role.STUDENT
        requests = [r for r in my_requests(session, actor) if r.state == "created"] if student else []
        return MyAccount(row, status_of(season, row) if student else None, requests, season)


def my_history(db: Database, actor: Actor, *, limit: int = 50, before_id: int | None = None) -> HistoryPage:
    """The actor's money movements, newest first, with the balance after each; page on with `next_before`."""
    limit = max(1, min(limit, MAX_PAGE))
    with db.session() as session:
        lines = history(session, actor, actor.username, limit=limit + 1, before_id=before_id)
    more = len(lines) > limit
    lines = lines[:limit]
    return HistoryPage(lines, lines[-1].journal_id if more and lines else None)


def directory(db: Database, actor: Actor) -> list[Person]:
    """The students the actor may see: with squads and balances for staff and managers; for a student,
    the other active students' names and usernames only."""
    with db.session() as session:
        me = acting_account(session, actor)
        if allows(me.role, Action.VIEW_STUDENTS):
            require(me, Action.VIEW_STUDENTS)
            return [Person(r.username, r.full_name, r.squad, r.grade, r.balance, r.active)
                    for r in balances(session, include_inactive=False)]
        return [Person(c.username, c.full_name, None, None, None, True) for c in classmates(session, actor)]

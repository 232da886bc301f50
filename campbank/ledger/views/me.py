"""What a signed-in person reads about themselves and the people they may see, as any face shows it.

`my_account` is what the kiosk's "My bank" shows (balance, certificates, counters, the programme and
the fines to expect, pending requests), read in one transaction. `directory` is the people list: staff
and managers see students with balances; a student sees classmates' names and usernames, never a
balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from campbank.core.enums import Role
from campbank.core.errors import AuthError, PermissionDenied
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.people import acting_account, join_name
from campbank.ledger.permissions import Action, Actor, allows, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import account_reads, tokens
from campbank.ledger.store.database import Database
from campbank.ledger.store.dialects import raw_cursor
from campbank.ledger.views.accounts import (
    BalanceRow,
    HistoryLine,
    Request,
    balances_in,
    classmates,
    history,
)
from campbank.ledger.views.study import StudyStatus, status_of
from campbank.rules import REGISTRY

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
        return _my_account(session, actor.id)


def my_account_for_token(db: Database, token: str | None, *, now: datetime | None = None) -> MyAccount:
    """`my_account` of a bearer token's owner: the token checked and the account read in one read
    transaction, in plain SQL (the API answers this more than anything else)."""
    with db.session() as session:
        if not token:
            raise AuthError("sign in first: POST /api/v1/auth/token gives a bearer token", field="token")
        owner = tokens.find(raw_cursor(session), token)
        tokens.check(owner, now or clock.now())
        assert owner is not None
        return _my_account(session, owner.account_id, api=True)


def _my_account(session: Session, account_id: int, *, api: bool = False) -> MyAccount:
    season = current_season(session)
    if api and not season.api_enabled:
        raise PermissionDenied("the API is switched off in this season", field="api")
    cursor = raw_cursor(session)
    columns = account_reads.account_columns(cursor, account_id)
    if columns is None:
        raise PermissionDenied("this account no longer exists")
    _id, username, role, last, first, middle, squad, grade, active, balance = columns
    if not active:
        raise PermissionDenied(f"{username} is deactivated")
    if not allows(role, Action.VIEW_OWN):
        raise PermissionDenied(f"a {role} may not {Action.VIEW_OWN.value}")
    saved = account_reads.pocket_total(cursor, account_id) if role == Role.STUDENT else 0
    row = BalanceRow(username, join_name(last, first, middle), str(role), squad, grade, bool(active),
                     int(balance) + saved, account_reads.counter_totals(cursor, account_id), saved)
    if role != Role.STUDENT:
        return MyAccount(row, None, [], season)
    waiting = [rule.type for rule in REGISTRY.values() if rule.needs_approval]
    requests = [Request(id_, _as_time(created), receiver, join_name(r_last, r_first, r_middle), int(amount),
                        comment, state)
                for id_, created, receiver, r_last, r_first, r_middle, amount, comment, state
                in account_reads.pending_requests(cursor, account_id, waiting)]
    return MyAccount(row, status_of(season, row), requests, season)


def _as_time(value: object) -> datetime:
    """A stored UTC time (text in SQLite) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def my_history(db: Database, actor: Actor, *, limit: int = 50, before_id: int | None = None) -> HistoryPage:
    """The actor's money movements, newest first, with the balance after each; page on with `next_before`."""
    limit = max(1, min(limit, MAX_PAGE))
    lines = history(db, actor, actor.username, limit=limit + 1, before_id=before_id)
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
                    for r in balances_in(session, include_inactive=False)]
    return [Person(c.username, c.full_name, None, None, None, True) for c in classmates(db, actor)]

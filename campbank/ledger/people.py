"""Reading accounts for the ledger's own use: the people a payload names, the acting account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, col, select

from campbank.ledger.errors import NotFound, PermissionDenied
from campbank.ledger.models import Account, CounterTotal
from campbank.ledger.permissions import Actor
from campbank.rules.base import PEOPLE_FIELDS_LIST, PEOPLE_FIELDS_MAP, PEOPLE_FIELDS_ONE, Person

BANK = "bank"


def full_name(account: Account) -> str:
    return " ".join(part for part in (account.last_name, account.first_name, account.middle_name) if part)


def usernames_in(payload: Mapping[str, Any]) -> set[str]:
    """Every username a payload names, in whichever of the people fields it appears."""
    names: set[str] = set()
    for key in PEOPLE_FIELDS_MAP:
        value = payload.get(key)
        if isinstance(value, Mapping):
            names.update(k for k in value if isinstance(k, str))
    for key in PEOPLE_FIELDS_LIST:
        value = payload.get(key)
        if isinstance(value, list):
            names.update(v for v in value if isinstance(v, str))
    for key in PEOPLE_FIELDS_ONE:
        value = payload.get(key)
        if isinstance(value, str):
            names.add(value)
    partners = payload.get("partners")
    if isinstance(partners, list):
        names.update(p["username"] for p in partners if isinstance(p, Mapping) and isinstance(p.get("username"), str))
    return names


def load_people(session: Session, usernames: Iterable[str]) -> dict[str, Person]:
    wanted = sorted(set(usernames))
    people: dict[str, Person] = {}
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        accounts = session.exec(select(Account).where(col(Account.username).in_(chunk))).all()
        ids = [a.id for a in accounts]
        counters: dict[int, dict[str, int]] = {}
        for total in session.exec(select(CounterTotal).where(col(CounterTotal.account_id).in_(ids))):
            counters.setdefault(total.account_id, {})[total.counter_type] = total.total
        for account in accounts:
            people[account.username] = person_of(account, counters.get(account.id or 0, {}))
    return people


def person_of(account: Account, counters: Mapping[str, int] | None = None) -> Person:
    assert account.id is not None
    return Person(
        id=account.id,
        username=account.username,
        role=str(account.role),
        full_name=full_name(account),
        squad=account.squad,
        grade=account.grade,
        active=account.active,
        balance=account.balance,
        counters=dict(counters or {}),
    )


def account_named(session: Session, username: str, *, field: str = "username") -> Account:
    account = session.exec(select(Account).where(Account.username == username)).first()
    if account is None:
        raise NotFound(f"no user called {username!r}", field=field)
    return account


def acting_account(session: Session, actor: Actor) -> Account:
    """The actor's account as it is now: a deactivated or changed account cannot act on old sign-in."""
    account = session.get(Account, actor.id)
    if account is None or account.username != actor.username:
        raise PermissionDenied(f"{actor.username} no longer exists")
    if not account.active:
        raise PermissionDenied(f"{actor.username} is deactivated")
    return account


def bank_account(session: Session) -> Account:
    return account_named(session, BANK)

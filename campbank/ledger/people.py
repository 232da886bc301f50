"""Reading accounts for the ledger's own use: the people a payload names, the acting account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select as select_columns  # typed for any number of columns (SQLModel's stops at four)
from sqlmodel import Session, col, select

from campbank.core.errors import NotFound, PermissionDenied
from campbank.ledger.permissions import Actor
from campbank.ledger.store.tables import Account, CounterTotal
from campbank.rules.base import Person

BANK = "bank"


def join_name(last: str, first: str, middle: str) -> str:
    """`Last First Middle`, as the camp writes names."""
    return " ".join(part for part in (last, first, middle) if part)


def full_name(account: Account) -> str:
    return join_name(account.last_name, account.first_name, account.middle_name)


def load_people(session: Session, usernames: Iterable[str]) -> dict[str, Person]:
    """The named accounts with their counter totals, read as plain columns (a group may be hundreds)."""
    wanted = sorted(set(usernames))
    people: dict[str, Person] = {}
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        rows = session.execute(
            select_columns(col(Account.id), col(Account.username), col(Account.role), col(Account.last_name),
                           col(Account.first_name), col(Account.middle_name), col(Account.squad),
                           col(Account.grade), col(Account.active), col(Account.balance))
            .where(col(Account.username).in_(chunk))
        ).all()
        counters: dict[int, dict[str, int]] = {}
        totals = select(CounterTotal.account_id, CounterTotal.counter_type, CounterTotal.total).where(
            col(CounterTotal.account_id).in_([row[0] for row in rows]))
        for account_id, counter_type, total in session.exec(totals):
            counters.setdefault(account_id, {})[counter_type] = total
        for id_, username, role, last, first, middle, squad, grade, active, balance in rows:
            people[username] = Person(
                id=id_, username=username, role=str(role),
                full_name=join_name(last, first, middle), squad=squad, grade=grade,
                active=active, balance=balance, counters=counters.get(id_, {}),
            )
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

"""A student's pockets: open a savings or goal pocket, close an empty one, move money between them.

Opening and closing are actions, not money: they write the pocket (and the account that holds its money)
and an audit row. Moving money is a `pocket_move` transaction, posted like any other (docs/savings.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from campbank.core.enums import Role
from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.core.money import format_amount, parse_amount
from campbank.core.text import clean_name
from campbank.ledger import clock
from campbank.ledger.actions.posting import Posted, post
from campbank.ledger.people import acting_account, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit
from campbank.ledger.store import savings as store
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, PocketRow
from campbank.rules.savings import MAIN, SAVINGS, require_part

MAX_NAME = 40


@dataclass(frozen=True)
class Opened:
    id: int
    name: str
    kind: str


def open_pocket(db: Database, actor: Actor, kind: str, name: str | None = None, *, target: object = None,
                now: datetime | None = None) -> Opened:
    """Open the student's savings pocket (`kind` "savings") or a goal pocket with a name and an optional
    target; refused when the season has the part off, or the student has as many as it allows."""

    def work(session: Session) -> Opened:
        owner = _student(session, actor)
        season = current_season(session)
        pockets, _accounts = store.pockets_of(session, person_of(owner))
        if kind == SAVINGS:
            require_part(season, "savings")
            if SAVINGS in pockets:
                raise RuleError("you already have a savings pocket", field="kind")
            pocket_name, goal_target = SAVINGS, None
        elif kind == "goal":
            require_part(season, "pockets")
            pocket_name = goal_name(name)
            if pocket_name.casefold() in {p.casefold() for p in pockets}:
                raise RuleError(f"you already have a pocket called {pocket_name!r}", field="name")
            goals = sum(1 for p in pockets.values() if p.kind == "goal")
            if goals >= season.pockets.max_goals:
                raise RuleError(f"you already have {goals} goal pockets, the most this season allows", field="name")
            goal_target = None if target in (None, "") else parse_amount(
                target, field="target", limit=season.amount_limit)
        else:
            raise InputError(f"{kind!r} is not a kind of pocket: savings or goal", field="kind")
        at = now or clock.now()
        assert owner.id is not None
        account = store.new_holding_account(session, store.POCKET_ROLE, store.next_pocket_username(session, owner.id),
                                            owner=owner, now=at)
        assert account.id is not None
        row = PocketRow(account_id=account.id, owner_id=owner.id, kind=kind, name=pocket_name, target=goal_target,
                        opened_at=at)
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.record(session, "pocket.opened", actor_id=owner.id, target=f"pocket:{row.id}", at=at, kind=kind,
                     name=pocket_name, goal_target=goal_target)
        return Opened(row.id, pocket_name, kind)

    return db.write(work)


def close_pocket(db: Database, actor: Actor, name: str, *, now: datetime | None = None) -> None:
    """Close one of the student's pockets; it must be empty (move its money out first)."""

    def work(session: Session) -> None:
        owner = _student(session, actor)
        season = current_season(session)
        pockets, _accounts = store.pockets_of(session, person_of(owner))
        wanted = (name or "").strip().casefold()
        pocket = next((p for p in pockets.values() if p.name.casefold() == wanted), None)
        if pocket is None or pocket.kind == MAIN:
            raise InputError(f"there is no pocket called {name!r} to close", field="name")
        if pocket.balance != 0:
            raise RuleError(f"the {pocket.name!r} pocket holds {format_amount(pocket.balance, season.currency_sign)}; "
                            "move it out first", field="name")
        at = now or clock.now()
        row = session.exec(select(PocketRow).join(Account, Account.id == PocketRow.account_id)  # type: ignore[arg-type]
                           .where(Account.username == pocket.account)).one()
        row.closed_at = at
        session.add(row)
        account = session.get(Account, row.account_id)
        assert account is not None
        account.active = False
        session.add(account)
        audit.record(session, "pocket.closed", actor_id=owner.id, target=f"pocket:{row.id}", at=at, name=pocket.name)

    db.write(work)


def move(db: Database, actor: Actor, source: str, target: str, amount: object, *, date: str | None = None,
         description: str = "") -> Posted:
    """Move money between the student's own pockets (a `pocket_move` transaction)."""
    payload: dict[str, object] = {"type": "pocket_move", "from": source, "to": target, "amount": amount}
    if date:
        payload["date"] = date
    if description:
        payload["description"] = description
    return post(db, actor, payload)


def goal_name(name: object) -> str:
    """A goal pocket's name: 1-40 printable characters, not `main` or `savings`."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("a goal pocket needs a name, such as Bike", field="name")
    cleaned = clean_name(name, field="name", max_length=MAX_NAME)  # the one input filter (docs/security.md)
    if cleaned.casefold() in (MAIN, SAVINGS):
        raise InputError(f"{cleaned!r} is a pocket every student has; choose another name", field="name")
    return cleaned


def _student(session: Session, actor: Actor) -> Account:
    account = acting_account(session, actor)
    if account.role != Role.STUDENT:
        raise PermissionDenied("only a student has pockets")
    require(account, Action.KEEP_POCKETS)
    return account

"""Savings circles: a manager sets the members in a fixed order, the contribution and the start date; the
nightly run holds one round a day; a manager may void a circle, reversing every round exactly.

Round i (on start + i − 1) is one `circle_round` transaction created by the bank, keyed
`sys:circle:ID:i`, so a round is held once however often the night is run (docs/savings.md#savings-circles).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from campbank.core.enums import State
from campbank.core.errors import InputError, NotFound, RuleError
from campbank.core.money import parse_amount
from campbank.core.text import clean_name
from campbank.ledger import clock
from campbank.ledger.actions.states import transition
from campbank.ledger.people import acting_account, bank_account, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, keys
from campbank.ledger.store import savings as store
from campbank.ledger.store.batch import NewTransaction, write_processed
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import keyed
from campbank.ledger.store.tables import CircleMemberRow, CircleRow, Transaction
from campbank.rules.base import Person, RuleContext
from campbank.rules.circle_round import RULE as ROUND
from campbank.rules.savings import Circle, SavingsFacts, require_part

MAX_NAME = 60


def create(db: Database, actor: Actor, name: str, members: Sequence[str], contribution: object, start: object, *,
           now: datetime | None = None) -> int:
    """Set up a circle (manager); `members` in the order of the rounds that pay them. Returns its number."""

    def work(session: Session) -> int:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_CIRCLES)
        season = current_season(session)
        require_part(season, "circles")
        circle_name = _name(name)
        if not isinstance(members, (list, tuple)) or len(members) < 2:
            raise InputError("a circle needs at least two members", field="members")
        if len(members) > season.circles.max_members:
            raise InputError(f"at most {season.circles.max_members} members this season", field="members")
        if len(set(members)) != len(members):
            raise InputError("lists a member twice", field="members")
        found = store.student_ids(session, members)
        for username in members:
            if username not in found:
                raise InputError(f"{username!r} is not a student", field="members")
            if not found[username][1]:
                raise InputError(f"{username!r} is deactivated", field="members")
        amount = parse_amount(contribution, field="contribution", limit=season.circles.max_contribution)
        first = _day(start)
        last = first + timedelta(days=len(members) - 1)
        if first < season.first_day or last > season.last_day:
            raise InputError(f"its rounds would run {first} to {last}, outside the season ({season.first_day} to "
                             f"{season.last_day})", field="start")
        at = now or clock.now()
        assert account.id is not None
        row = CircleRow(name=circle_name, contribution=amount, start=first, members=len(members),
                        created_by_id=account.id, created_at=at)
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add_all([CircleMemberRow(circle_id=row.id, position=i, account_id=found[username][0])
                         for i, username in enumerate(members, start=1)])
        audit.record(session, "circle.created", actor_id=account.id, target=f"circle:{row.id}", at=at,
                     name=circle_name, members=list(members), contribution=amount, start=first.isoformat())
        return row.id

    return db.write(work)


def void(db: Database, actor: Actor, circle_id: int, *, reason: str = "", now: datetime | None = None) -> int:
    """Void a circle (manager): every round held stops counting, and no more are held. Returns the rounds
    reversed."""

    def work(session: Session) -> int:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_CIRCLES)
        row = session.get(CircleRow, circle_id)
        if row is None:
            raise NotFound(f"there is no circle #{circle_id}", field="circle")
        if row.voided_at is not None:
            raise RuleError(f"circle #{circle_id} is already void", field="circle")
        at = now or clock.now()
        held = held_rounds(session, circle_id)
        why = reason or f"circle #{circle_id} voided"
        for txn in held:
            if txn.state == State.PROCESSED:
                transition(session, txn, State.DECLINED, actor_id=account.id, at=at, reason=why)
        row.voided_at = at
        row.voided_by_id = account.id
        session.add(row)
        audit.record(session, "circle.voided", actor_id=account.id, target=f"circle:{circle_id}", at=at,
                     rounds=[t.id for t in held], reason=reason)
        return sum(1 for t in held if t.state == State.DECLINED)

    return db.write(work)


def held_rounds(session: Session, circle_id: int) -> list[Transaction]:
    """The circle's round transactions, round 1 first."""
    prefix = keys.system_key("circle", circle_id) + ":"
    return sorted(keyed.under(session, ROUND.type, prefix),
                  key=lambda t: int((t.idempotency_key or "0").rsplit(":", 1)[1]))


def hold_rounds(session: Session, due: Sequence[Circle], day: date, *, now: datetime) -> list[int]:
    """Inside a write: hold each circle's round for `day` that was not held yet, all written at once (the
    rounds of a night are many small transactions); returns the new transactions' ids, in circle order."""
    season = current_season(session)
    bank = person_of(bank_account(session))
    people = member_people(session, [m for circle in due for m in circle.members])
    items = []
    for circle in due:
        number = circle.round_on(day)
        key = keys.circle_round(circle.id, number or 0)
        if number is None or session.exec(select(Transaction.id).where(Transaction.idempotency_key == key)).first():
            continue
        ctx = RuleContext(season=season, day=day, creator=bank, people=people, savings=SavingsFacts(circle=circle))
        entries = ROUND.build({}, ctx)
        assert bank.id is not None
        items.append(NewTransaction(
            ROUND.type, bank.id, day, f"{circle.name}: round {number} of {len(circle.members)}",
            {"type": ROUND.type, "circle": circle.id, "round": number, "date": day.isoformat()}, key,
            [(people[line.receiver].id, line.amount, line.money_type, line.description) for line in entries.money]))
    return write_processed(session, items, at=now)


def member_people(session: Session, usernames: Sequence[str]) -> dict[str, Person]:
    """Circle members as the journal needs to name them."""
    return {username: Person(id=account_id, username=username, role="student", full_name=username, squad=None,
                             grade=None, active=active, balance=0)
            for username, (account_id, active) in store.student_ids(session, usernames).items()}


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("a circle needs a name", field="name")
    return clean_name(value, field="name", max_length=MAX_NAME)  # the one input filter (docs/security.md)


def _day(value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{value!r} is not a date written YYYY-MM-DD", field="start") from None

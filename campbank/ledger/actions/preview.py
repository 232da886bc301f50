"""What a payload would post, without writing: each recipient's entries and balance, for a confirm dialog.

`preview` runs every check `posting.post_in` runs — who may create the type, the idempotency key, the
known fields, the date, the description, the rule's own validation and the time-block clash check — with
posting's own helpers, in a read session, and returns the entries instead of recording them. For an alter
(`alter_of`), it also checks that the actor may alter that transaction, and sees the camp as the alter
would: the old transaction's entries no longer count (its clashes, counters and money are left out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import event
from sqlalchemy.orm import with_loader_criteria
from sqlmodel import Session, col, select

from campbank.core.enums import TRANSITIONS, State
from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.ledger.actions import posting, savings_posting
from campbank.ledger.actions.clashes import check_clashes
from campbank.ledger.people import acting_account, load_people, usernames_in
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, CounterEntry, MoneyEntry, Transaction
from campbank.ledger.transactions import load_transaction
from campbank.rules import rule_for
from campbank.rules.base import Entries, Person, RuleContext


@dataclass(frozen=True)
class PreviewLine:
    """One recipient: their money lines (amount, money type, note), counter lines and balance change."""

    username: str
    full_name: str
    squad: str | None
    money: tuple[tuple[int, str, str], ...]
    counters: tuple[tuple[str, int, str | None], ...]
    balance_before: int

    @property
    def amount(self) -> int:
        return sum(amount for amount, _, _ in self.money)

    @property
    def balance_after(self) -> int:
        return self.balance_before + self.amount


@dataclass(frozen=True)
class Preview:
    type: str
    label: str
    day: date
    description: str
    lines: tuple[PreviewLine, ...]
    total: int  # the sum of the money entries, in cents
    alter_of: int | None = None
    duplicate_of: int | None = None  # the idempotency key was already posted as this transaction

    @property
    def recipients(self) -> int:
        return len(self.lines)


def preview(db: Database, actor: Actor, payload: object, *, alter_of: int | None = None) -> Preview:
    """The entries `posting.post` (or `posting.alter` with `alter_of`) would write; raises as they would."""
    with db.session() as session:
        return preview_in(session, actor, payload, alter_of=alter_of)


def preview_in(session: Session, actor: Actor, payload: object, *, alter_of: int | None = None) -> Preview:
    payload = posting._as_object(payload)
    account = acting_account(session, actor)
    old: Transaction | None = None
    if alter_of is not None:
        old = _check_may_alter(session, account, alter_of, payload)
        _hide_transaction(session, alter_of)
        payload.pop("idempotency_key", None)
        payload["type"] = old.type
    rule = rule_for(payload.get("type"))
    posting._check_may_create(account, rule)
    key = posting._idempotency_key(payload)
    duplicate_of = None
    if key is not None and (earlier := posting._earlier_post(session, key, account, payload)) is not None:
        duplicate_of = earlier.id
    season = current_season(session)
    posting._check_known_fields(payload, rule, season)
    day = posting.parse_day(payload.get("date"), season)
    description = posting._description(payload)
    people = load_people(session, usernames_in(payload) | {account.username})
    if old is not None:
        people = _without(session, old, people)
    creator = people[account.username]
    saving = savings_posting.facts_for(session, rule, payload, creator, people)
    people = {**saving.people, **people}
    ctx = RuleContext(season=season, day=day, creator=creator, people=people, savings=saving.facts)
    entries = rule.build(payload, ctx)
    check_clashes(session, season, entries, day, people)
    return Preview(rule.type, rule.label, day, description, _lines(entries, people), entries.total,
                   alter_of=alter_of, duplicate_of=duplicate_of)


def _lines(entries: Entries, people: Mapping[str, Person]) -> tuple[PreviewLine, ...]:
    lines = []
    for username in entries.recipients:
        person = people[username]
        lines.append(PreviewLine(
            username=username,
            full_name=person.full_name,
            squad=person.squad,
            money=tuple((m.amount, m.money_type, m.description) for m in entries.money if m.receiver == username),
            counters=tuple((c.counter_type, c.value, c.block) for c in entries.counters if c.receiver == username),
            balance_before=person.balance,
        ))
    return tuple(lines)


def _check_may_alter(session: Session, account: Account, transaction_id: int, payload: Mapping[str, object]
                     ) -> Transaction:
    """The checks `posting.alter` makes before it substitutes the old transaction."""
    require(account, Action.ALTER_OWN)
    old = load_transaction(session, transaction_id)
    if old.creator_id != account.id:
        raise PermissionDenied(f"#{old.id} was created by someone else; only its creator may alter it")
    if payload.get("type", old.type) != old.type:
        raise InputError(f"must stay {old.type!r}; cancel and post anew to change it", field="type")
    if State.SUBSTITUTED not in TRANSITIONS[State(old.state)]:
        raise RuleError(f"#{old.id} is {old.state}; it cannot become {State.SUBSTITUTED}", field="state")
    return old


def _hide_transaction(session: Session, transaction_id: int) -> None:
    """Make this read session's queries skip one transaction, as if it were already substituted."""

    @event.listens_for(session, "do_orm_execute")
    def hide(state):
        if state.is_select:
            state.statement = state.statement.options(
                with_loader_criteria(Transaction, col(Transaction.id) != transaction_id, include_aliases=True)
            )


def _without(session: Session, old: Transaction, people: dict[str, Person]) -> dict[str, Person]:
    """People as they will be once `old` stops counting: its money and counters taken back."""
    if State(old.state) != State.PROCESSED:
        return people
    by_id = {person.id: person for person in people.values()}
    balance: dict[int, int] = {}
    counters: dict[int, dict[str, int]] = {}
    for entry in session.exec(select(MoneyEntry).where(MoneyEntry.transaction_id == old.id)):
        balance[entry.receiver_id] = balance.get(entry.receiver_id, 0) - entry.amount
        balance[old.creator_id] = balance.get(old.creator_id, 0) + entry.amount
    for entry in session.exec(select(CounterEntry).where(CounterEntry.transaction_id == old.id)):
        mine = counters.setdefault(entry.receiver_id, {})
        mine[entry.counter_type] = mine.get(entry.counter_type, 0) - entry.value
    adjusted = dict(people)
    for person_id, person in by_id.items():
        if person_id not in balance and person_id not in counters:
            continue
        totals = dict(person.counters)
        for counter_type, change in counters.get(person_id, {}).items():
            totals[counter_type] = totals.get(counter_type, 0) + change
        adjusted[person.username] = replace(person, balance=person.balance + balance.get(person_id, 0),
                                            counters=totals)
    return adjusted

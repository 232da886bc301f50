"""What every rule module shares: form fields, the context a rule sees, and the entries it returns.

A rule is pure: it gets the payload and a `RuleContext` (the season, the day, the people the payload
names with their balances and counter totals) and returns `Entries` or raises an error naming the
field. It never touches the database or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from campbank.core.enums import Role
from campbank.core.errors import InputError, RuleError
from campbank.core.money import parse_amount
from campbank.core.season import Season, Setting
from campbank.rules.savings import SavingsFacts

Payload = Mapping[str, Any]


class FieldKind(StrEnum):
    """What a form field holds, so a UI knows which widget to build for it."""

    DATE = "date"
    TEXT = "text"
    CHOICE = "choice"  # one of `choices`
    BLOCK = "block"  # a time block from `choices`
    STUDENT = "student"
    AMOUNT = "amount"
    PER_STUDENT_AMOUNT = "per_student_amount"
    PER_STUDENT_TICK = "per_student_tick"
    PER_STUDENT_NUMBER = "per_student_number"
    PER_STUDENT_PLACE = "per_student_place"
    MARKS = "marks"
    PARTNERS = "partners"  # a list of {"username": ..., "amount": ...}
    COUNT = "count"  # a whole number, such as a loan's instalments


# How each kind of field names people in a payload: one username, a list, or the keys of a map.
_ONE_PERSON = frozenset({FieldKind.STUDENT})
_PEOPLE_LIST = frozenset({FieldKind.PER_STUDENT_TICK})
_PEOPLE_MAP = frozenset({FieldKind.PER_STUDENT_AMOUNT, FieldKind.PER_STUDENT_NUMBER, FieldKind.PER_STUDENT_PLACE})


@dataclass(frozen=True)
class FormField:
    """One field of a rule's form; `kind` tells a UI which widget to build."""

    name: str
    kind: FieldKind
    label: str
    required: bool = True
    choices: tuple[str, ...] = ()
    help: str = ""


def usernames_in(payload: Payload, fields: tuple[FormField, ...]) -> set[str]:
    """Every username the payload names in the given fields (whatever their values hold besides)."""
    names: set[str] = set()
    for form_field in fields:
        value = payload.get(form_field.name)
        if form_field.kind in _ONE_PERSON and isinstance(value, str):
            names.add(value)
        elif form_field.kind in _PEOPLE_LIST and isinstance(value, list):
            names.update(v for v in value if isinstance(v, str))
        elif form_field.kind in _PEOPLE_MAP and isinstance(value, Mapping):
            names.update(k for k in value if isinstance(k, str))
        elif form_field.kind == FieldKind.PARTNERS and isinstance(value, list):
            names.update(p["username"] for p in value
                         if isinstance(p, Mapping) and isinstance(p.get("username"), str))
    return names


@dataclass(frozen=True)
class Person:
    """What a rule may know of someone the payload names."""

    id: int
    username: str
    role: str
    full_name: str
    squad: str | None
    grade: int | None
    active: bool
    balance: int
    counters: Mapping[str, int] = field(default_factory=dict)

    def counter(self, counter_type: str) -> int:
        return self.counters.get(counter_type, 0)


@dataclass(frozen=True)
class RuleContext:
    season: Season
    day: date
    creator: Person
    people: Mapping[str, Person]  # by username: everyone the payload names who exists
    savings: SavingsFacts | None = None  # pockets, loans, funds and circles, for the savings rules
    waiting_out: int = 0  # what the creator's own requests still waiting for approval would take, in cents

    def student(self, username: object, field_name: str) -> Person:
        """The active student called `username`, or an error naming the field."""
        if not isinstance(username, str) or not username.strip():
            raise InputError("must be a username", field=field_name)
        person = self.people.get(username)
        if person is None:
            raise InputError(f"no user called {username!r}", field=field_name)
        if person.role != Role.STUDENT:
            raise InputError(f"{username!r} is not a student", field=field_name)
        if not person.active:
            raise InputError(f"{username!r} is deactivated", field=field_name)
        return person


@dataclass(frozen=True)
class MoneyLine:
    """`amount` cents to `receiver` (negative: the receiver pays), taken from the creator."""

    receiver: str
    amount: int
    money_type: str
    description: str = ""


@dataclass(frozen=True)
class CounterLine:
    receiver: str
    counter_type: str
    value: int
    block: str | None = None


@dataclass(frozen=True)
class Entries:
    money: tuple[MoneyLine, ...] = ()
    counters: tuple[CounterLine, ...] = ()

    @property
    def recipients(self) -> tuple[str, ...]:
        seen = dict.fromkeys([*(m.receiver for m in self.money), *(c.receiver for c in self.counters)])
        return tuple(seen)

    @property
    def total(self) -> int:
        return sum(m.amount for m in self.money)


class Rule:
    """The base of every transaction type. Subclasses set the class attributes and `build`."""

    type: ClassVar[str]
    label: ClassVar[str]
    creator_roles: ClassVar[frozenset[str]] = frozenset({Role.STAFF, Role.MANAGER})
    # A student's request waits in `created` for staff; everything else is processed at once.
    needs_approval: ClassVar[bool] = False
    # Types the ledger makes itself (tax, study fines): never accepted from `post` or a form.
    system_only: ClassVar[bool] = False
    made_by: ClassVar[str] = ""
    # What the type needs from every season, checked when a season file is loaded:
    money_types: ClassVar[tuple[str, ...]] = ()  # money types it writes itself
    time_blocks: ClassVar[tuple[str, ...]] = ()  # time blocks it names
    block_prefix: ClassVar[str | None] = None  # its form offers the blocks named PREFIX…; one at least
    offers_money_types: ClassVar[bool] = False  # its form offers the season's money types of form = TYPE
    settings: ClassVar[tuple[Setting, ...]] = ()  # its own numbers, in the season's [rules.TYPE] table
    # Set for types that the general cancel must leave alone, saying what undoes them instead.
    cancel_instead: ClassVar[str | None] = None
    # The part of the season it belongs to ("pockets", "loans", …): the ledger hands it `SavingsFacts`.
    savings_part: ClassVar[str | None] = None

    def fields(self, season: Season) -> tuple[FormField, ...]:
        raise NotImplementedError

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        raise NotImplementedError


class AmountPerStudent(Rule):
    """The shape shared by money, fines and purchases: a kind chosen from the season's types for this
    form, and an amount per student; `sign` +1 pays the students, -1 charges them."""

    kind_field: ClassVar[str]
    kind_label: ClassVar[str]
    amount_label: ClassVar[str]
    sign: ClassVar[int] = 1
    offers_money_types = True

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField(self.kind_field, FieldKind.CHOICE, self.kind_label,
                      choices=tuple(season.types_for_form(self.type))),
            FormField("amounts", FieldKind.PER_STUDENT_AMOUNT, self.amount_label),
        )

    def kind_and_amounts(self, payload: Payload, ctx: RuleContext) -> tuple[str, list[tuple[Person, int]]]:
        kind = require_choice(payload, self.kind_field, ctx.season.types_for_form(self.type))
        if ctx.season.group_of(kind) == "technical" and ctx.creator.role == Role.STAFF:
            # the bank's own types (the initial grant): a manager may post one to put a mistake right
            raise InputError(f"{kind!r} is the bank's own money type: only a manager may post it",
                             field=self.kind_field)
        return kind, amounts_by_student(payload, ctx)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        kind, rows = self.kind_and_amounts(payload, ctx)
        return Entries(money=tuple(MoneyLine(person.username, self.sign * amount, kind) for person, amount in rows))


# Helpers shared by the rule modules ------------------------------------------------------------


def require_choice(payload: Payload, key: str, choices: Mapping[str, object] | tuple[str, ...]) -> str:
    value = payload.get(key)
    if value is None or value == "":
        raise InputError("is required", field=key)
    if not isinstance(value, str) or value not in choices:  # a list or dict is not hashable: no TypeError
        raise InputError(f"{value!r} is not one of: {', '.join(choices)}", field=key)
    return str(value)


def blocks_starting(season: Season, prefix: str) -> tuple[str, ...]:
    """The season's time blocks whose names start with `prefix` (`seminar_`, `fac_`), in season order."""
    return tuple(name for name in season.time_blocks if name.startswith(prefix))


def amounts_by_student(
    payload: Payload, ctx: RuleContext, *, key: str = "amounts"
) -> list[tuple[Person, int]]:
    """The `{username: amount}` map, each amount ≥ 0.01 and within the season's limit, in roster order."""
    raw = payload.get(key)
    if not isinstance(raw, Mapping) or not raw:
        raise InputError("must list at least one student with an amount", field=key)
    rows = []
    for username, text in raw.items():
        person = ctx.student(username, f"{key}.{username}")
        amount = parse_amount(text, field=f"{key}.{username}", limit=ctx.season.amount_limit)
        rows.append((person, amount))
    return roster_order(rows, key=lambda row: row[0])


def student_list(payload: Payload, ctx: RuleContext, key: str, *, required: bool = True) -> list[Person]:
    """A list of distinct active students, in roster order."""
    raw = payload.get(key, [])
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise InputError("must be a list of usernames", field=key)
    if required and not raw:
        raise InputError("must name at least one student", field=key)
    seen: set[str] = set()
    people = []
    for username in raw:
        person = ctx.student(username, key)
        if person.username in seen:
            raise InputError(f"{person.username!r} is listed twice", field=key)
        seen.add(person.username)
        people.append(person)
    return roster_order(people)


def roster_order(items, key=lambda person: person):
    """Squad, then surname, then username: the order of group forms and of split tie-breaks."""
    return sorted(items, key=lambda item: _roster_key(key(item)))


def _roster_key(person: Person) -> tuple[str, str, str]:
    return (person.squad or "", person.full_name.casefold(), person.username)


def refuse(message: str, *, field: str | None = None) -> RuleError:
    return RuleError(message, field=field)

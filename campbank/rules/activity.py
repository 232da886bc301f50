"""`activity`: prizes for a sport, evening or day event, and book certificates for first places.

Payload: `activity_type` ∈ {sport_activity, evening_activity, day_activity}, `places: {username: 1..4}`
(4 = took part) and optionally `certificates: [username]`. Prizes come from the season (docs/rules.md#activity):

- sport_activity: each person gets `sport_prizes[place − 1]` (classic 20, 15, 10, 5@), whatever the
  number of people sharing the place.
- evening_activity / day_activity: places 1–3 only; place 4 pays nothing (no money line). A place held
  by one person pays `event_single_prizes[place − 1]` (classic 20, 15, 10@); a place held by k > 1 people
  (a team) pays `event_team_prizes[place − 1]` (classic 120, 100, 80@) split among them exactly with
  `split_budget` and equal weights: each gets ⌊prize / k⌋ cents and the left-over cents go one each to the
  team members first in roster order (squad, surname). E.g. 100@ among 3: 33.34, 33.33, 33.33.

The money type is the activity type. Certificates: every listed student must be in `places`, and only a
first place earns one; a first-place student who was paid gets `book_certificate` +`activity_certificate`
(cents of @ that only buy books; classic 50@).
"""

from __future__ import annotations

from collections.abc import Mapping

from campbank.core.counters import Counter
from campbank.core.errors import InputError, RuleError
from campbank.core.money import split_budget
from campbank.core.season import Season
from campbank.rules.base import (
    CounterLine,
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Person,
    Rule,
    RuleContext,
    require_choice,
    roster_order,
    student_list,
)

ACTIVITY_TYPES = ("sport_activity", "evening_activity", "day_activity")
SPORT = "sport_activity"
PLACES = (1, 2, 3, 4)
TOOK_PART = 4
CERTIFICATE_COUNTER = Counter.BOOK_CERTIFICATE


def places_by_student(payload: Payload, ctx: RuleContext) -> list[tuple[Person, int]]:
    """The `{username: place}` map, each place a whole number 1..4, in roster order."""
    raw = payload.get("places")
    if not isinstance(raw, Mapping) or not raw:
        raise InputError("must give at least one student a place", field="places")
    rows = []
    for username, place in raw.items():
        field = f"places.{username}"
        person = ctx.student(username, field)
        if isinstance(place, bool) or not isinstance(place, int) or place not in PLACES:
            raise InputError(f"{place!r} is not a place: write 1, 2 or 3, or 4 for took part", field=field)
        rows.append((person, place))
    return roster_order(rows, key=lambda row: row[0])


class Activity(Rule):
    type = "activity"
    label = "Activity"
    money_types = ("sport_activity", "day_activity", "evening_activity")

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("activity_type", FieldKind.CHOICE, "Activity", choices=ACTIVITY_TYPES),
            FormField("date", FieldKind.DATE, "Date", required=False, help="Defaults to today"),
            FormField("places", FieldKind.PER_STUDENT_PLACE, "Place per student", help="1, 2, 3, or 4 = took part"),
            FormField(
                "certificates",
                FieldKind.PER_STUDENT_TICK,
                "Book certificate",
                required=False,
                help="Only a first place earns one",
            ),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        activity_type = require_choice(payload, "activity_type", ACTIVITY_TYPES)
        rows = places_by_student(payload, ctx)
        season = ctx.season
        paid: dict[str, int] = {}
        money: list[MoneyLine] = []
        if activity_type == SPORT:
            for person, place in rows:
                paid[person.username] = season.sport_prizes[place - 1]
                money.append(MoneyLine(person.username, paid[person.username], activity_type, f"place {place}"))
        else:
            for place in PLACES[:-1]:
                holders = [person for person, held in rows if held == place]
                if len(holders) == 1:
                    shares = [season.event_single_prizes[place - 1]]
                    note = f"place {place}"
                elif holders:
                    shares = split_budget(season.event_team_prizes[place - 1], [1] * len(holders))
                    note = f"place {place}, team of {len(holders)}"
                else:
                    continue
                for person, share in zip(holders, shares, strict=True):
                    paid[person.username] = share
                    money.append(MoneyLine(person.username, share, activity_type, note))
        money = [line for line in money if line.amount > 0]
        counters = self._certificates(payload, ctx, {person.username: place for person, place in rows}, paid)
        return Entries(money=tuple(money), counters=counters)

    def _certificates(
        self, payload: Payload, ctx: RuleContext, places: dict[str, int], paid: dict[str, int]
    ) -> tuple[CounterLine, ...]:
        listed = student_list(payload, ctx, "certificates", required=False)
        lines = []
        for person in listed:
            place = places.get(person.username)
            if place is None:
                raise InputError(f"{person.username!r} has no place in this activity", field="certificates")
            if place != 1:
                raise InputError(
                    f"{person.username!r} took place {place}; only a first place earns a certificate",
                    field="certificates",
                )
            if paid.get(person.username, 0) <= 0:
                raise RuleError(
                    f"{person.username!r} was not paid for the first place, so earns no certificate",
                    field="certificates",
                )
            value = ctx.season.activity_certificate
            if value > 0:
                lines.append(CounterLine(person.username, CERTIFICATE_COUNTER, value))
        return tuple(lines)


RULE = Activity()

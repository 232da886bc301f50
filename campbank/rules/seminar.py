"""`seminar`: a student gives a seminar in one of the season's `seminar_N` blocks; others attend it.

Payload: `block` (a time block named `seminar_…`), `speaker` (a student), `attendees` (students, may be
empty, never the speaker) and `marks` {criterion: mark} with every criterion of `season.seminar_criteria`,
each mark among that criterion's allowed values (whole numbers, not true/false).

mark = the sum of the criteria marks. The speaker gets `seminar_pass` +1 in the block and money of type
`seminar_pass_reward` from the season's formula (`season.seminar_reward`):

- piecewise: `per_good_point · mark` when mark > 0, else `per_bad_point · mark` (a bad seminar costs
  money; classic: 5·mark / 10·mark);
- linear: `(mark + linear_offset) / linear_span · linear_maximum` computed exactly and rounded to the
  nearest cent, halves up (flat-tax season: (mark + 5) / 24 · 80).

A reward of exactly 0 writes no money line. Each attendee gets `seminar_attend` +1 in the block. The
ledger refuses the whole transaction when any of these blocks clashes with the person's day.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from campbank.core.counters import Counter
from campbank.core.errors import InputError
from campbank.core.season import Season, SeminarReward
from campbank.rules.base import (
    CounterLine,
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Rule,
    RuleContext,
    blocks_starting,
    require_choice,
    student_list,
)

BLOCK_PREFIX = "seminar_"


class Seminar(Rule):
    type = "seminar"
    label = "Seminar"
    money_types = ("seminar_pass_reward",)
    block_prefix = BLOCK_PREFIX

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("block", FieldKind.BLOCK, "Time block", choices=blocks_starting(season, BLOCK_PREFIX)),
            FormField("speaker", FieldKind.STUDENT, "Speaker"),
            FormField("attendees", FieldKind.PER_STUDENT_TICK, "Attendees", required=False,
                      help="Students who listened (not the speaker)"),
            FormField("marks", FieldKind.MARKS, "Marks", choices=tuple(season.seminar_criteria)),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        season = ctx.season
        block = require_choice(payload, "block", blocks_starting(season, BLOCK_PREFIX))
        speaker = ctx.student(payload.get("speaker"), "speaker")
        attendees = student_list(payload, ctx, "attendees", required=False)
        if any(person.username == speaker.username for person in attendees):
            raise InputError(f"{speaker.username!r} is the speaker and cannot also attend", field="attendees")
        mark = sum(read_marks(payload.get("marks"), season.seminar_criteria).values())
        reward = seminar_reward(mark, season.seminar_reward)
        money: tuple[MoneyLine, ...] = ()
        if reward:
            money = (MoneyLine(speaker.username, reward, "seminar_pass_reward", f"seminar mark {mark}"),)
        counters = (
            CounterLine(speaker.username, Counter.SEMINAR_PASS, 1, block),
            *(CounterLine(person.username, Counter.SEMINAR_ATTEND, 1, block) for person in attendees),
        )
        return Entries(money=money, counters=counters)


def read_marks(raw: object, criteria: Mapping[str, tuple[int, ...]]) -> dict[str, int]:
    """Every criterion's mark, checked against its allowed values; errors name `marks.<criterion>`."""
    if not isinstance(raw, Mapping):
        raise InputError(f"must give a mark for each of: {', '.join(criteria)}", field="marks")
    for name in raw:
        if name not in criteria:
            raise InputError(
                f"{name!r} is not a criterion; the criteria are {', '.join(criteria)}", field=f"marks.{name}"
            )
    marks: dict[str, int] = {}
    for name, allowed in criteria.items():
        field = f"marks.{name}"
        if name not in raw:
            raise InputError("is missing: every criterion needs a mark", field=field)
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"must be a whole number, one of {_listed(allowed)}", field=field)
        if value not in allowed:
            raise InputError(f"{value} is not allowed; choose one of {_listed(allowed)}", field=field)
        marks[name] = value
    return marks


def seminar_reward(mark: int, reward: SeminarReward) -> int:
    """The speaker's reward in cents for `mark` (negative: the speaker pays)."""
    if reward.formula == "linear":
        exact = Fraction(mark + reward.linear_offset, reward.linear_span) * reward.linear_maximum
        return math.floor(exact + Fraction(1, 2))  # nearest cent, halves up
    if mark > 0:
        return reward.per_good_point * mark
    return reward.per_bad_point * mark


def _listed(allowed: tuple[int, ...]) -> str:
    return ", ".join(str(v) for v in allowed)


RULE = Seminar()

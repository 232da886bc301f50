"""`workout`: the morning workout's attendees share the season's workout budget.

Payload: `attendees` (n ≥ 1 students). Each gets `workout` +1 in the `workout` block and money of type
`workout_reward`:

- when the budget covers the minimum share for everyone (`workout_budget ≥ n · workout_min_share`),
  the budget is shared exactly (docs/rules.md#splitting-a-budget): each exact share `budget / n` is
  rounded down to the cent and the cents left over go one each to the largest remainders — all
  remainders are equal here, so to the first attendees in roster order (squad, surname); the shares add
  up to the budget exactly;
- otherwise each attendee gets `workout_min_share`.

Classic numbers: max(1, 25/n) @ each — 1 attendee 25@, 3 attendees 8.34 + 8.33 + 8.33, 30 attendees 1@ each.
"""

from __future__ import annotations

from campbank.core.counters import Counter
from campbank.core.money import split_budget
from campbank.core.season import Season
from campbank.rules.base import (
    CounterLine,
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Rule,
    RuleContext,
    student_list,
)

BLOCK = "workout"  # a block every season must define (see `time_blocks`)


class Workout(Rule):
    type = "workout"
    label = "Morning workout"
    money_types = ("workout_reward",)
    time_blocks = (BLOCK,)

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("attendees", FieldKind.PER_STUDENT_TICK, "Attendees"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        attendees = student_list(payload, ctx, "attendees")  # roster order: the split's tie-break
        shares = workout_shares(len(attendees), ctx.season)
        return Entries(
            money=tuple(
                MoneyLine(p.username, share, "workout_reward")
                for p, share in zip(attendees, shares, strict=True)
                if share
            ),
            counters=tuple(CounterLine(p.username, Counter.WORKOUT, 1, BLOCK) for p in attendees),
        )


def workout_shares(n: int, season: Season) -> list[int]:
    """Each of n attendees' share in cents, in roster order."""
    budget, minimum = season.workout_budget, season.workout_min_share
    if budget >= n * minimum:
        return split_budget(budget, [1] * n)
    return [minimum] * n


RULE = Workout()

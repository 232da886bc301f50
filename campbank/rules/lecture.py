"""`lecture`: who came to the day's lecture and who missed it.

Payload: `attendees` and `absentees` (students; at least one of the two lists non-empty, nobody in
both). Each attendee gets `lecture_attend` +1 in the `lecture` block. Each absentee gets
`lecture_miss` +1 (without a block: they were not there) and pays a fine of money type `lecture_miss`:

    fine = lecture_fine_base + lecture_fine_step · k

where k is the absentee's `lecture_miss` total already counted (classic: 10 + 20·k, so the first miss
costs 10@, the third 50@).
"""

from __future__ import annotations

from campbank.core.counters import Counter
from campbank.core.errors import InputError
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

BLOCK = "lecture"  # a block every season must define (see `time_blocks`)


class Lecture(Rule):
    type = "lecture"
    label = "Lecture"
    money_types = ("lecture_miss",)
    time_blocks = (BLOCK,)

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("attendees", FieldKind.PER_STUDENT_TICK, "Attended", required=False),
            FormField("absentees", FieldKind.PER_STUDENT_TICK, "Missed (fined)", required=False),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        attendees = student_list(payload, ctx, "attendees", required=False)
        absentees = student_list(payload, ctx, "absentees", required=False)
        if not attendees and not absentees:
            raise InputError("name at least one student who attended or missed the lecture", field="attendees")
        present = {p.username for p in attendees}
        both = [p.username for p in absentees if p.username in present]
        if both:
            raise InputError(
                f"{', '.join(map(repr, both))} cannot both attend and miss the lecture", field="absentees"
            )
        season = ctx.season
        money = []
        counters = [CounterLine(p.username, Counter.LECTURE_ATTEND, 1, BLOCK) for p in attendees]
        for person in absentees:
            missed = person.counter(Counter.LECTURE_MISS)
            fine = season.lecture_fine_base + season.lecture_fine_step * missed
            money.append(MoneyLine(person.username, -fine, "lecture_miss", f"missed lecture #{missed + 1}"))
            counters.append(CounterLine(person.username, Counter.LECTURE_MISS, 1))
        return Entries(money=tuple(money), counters=tuple(counters))


RULE = Lecture()

"""`fac_attend`: students attended a facultative in one of the season's `fac_N` blocks.

Payload: `block` (a time block named `fac_…`) and `attendees` (at least one student). Each attendee
gets `fac_attend` +1 in the block; no money moves. The ledger refuses the whole transaction when the
block clashes with an attendee's day (e.g. fac_1 11:15–12:15 after seminar_1 11:15–11:50).
"""

from __future__ import annotations

from campbank.core.counters import Counter
from campbank.core.season import Season
from campbank.rules.base import (
    CounterLine,
    Entries,
    FieldKind,
    FormField,
    Payload,
    Rule,
    RuleContext,
    blocks_starting,
    require_choice,
    student_list,
)

BLOCK_PREFIX = "fac_"


class FacAttend(Rule):
    type = "fac_attend"
    label = "Facultative attendance"
    block_prefix = BLOCK_PREFIX

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("block", FieldKind.BLOCK, "Time block", choices=blocks_starting(season, BLOCK_PREFIX)),
            FormField("attendees", FieldKind.PER_STUDENT_TICK, "Attendees"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        block = require_choice(payload, "block", blocks_starting(ctx.season, BLOCK_PREFIX))
        attendees = student_list(payload, ctx, "attendees")
        return Entries(counters=tuple(CounterLine(p.username, Counter.FAC_ATTEND, 1, block) for p in attendees))


RULE = FacAttend()

"""`dining_services`: a dining duty's budget shared among the students who did it.

Payload: `duty` ∈ {potato, serving, bread_cut} and `attendees: [username]` (n ≥ 1). Formula
(docs/rules.md#dining_services): each attendee gets `season.dining_budget / n` (classic 60@ / n), money
type = the duty.

The split is exact (`split_budget`, equal weights): each share is ⌊budget / n⌋ cents and the cents left
over go one each to the attendees first in roster order (squad, surname), so the shares add up to the
budget to the cent. E.g. 7 attendees: 6000 = 7 · 857 + 1, so the first gets 8.58@ and six get 8.57@.
"""

from __future__ import annotations

from campbank.core.money import split_budget
from campbank.core.season import Season
from campbank.rules.base import (
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Rule,
    RuleContext,
    require_choice,
    student_list,
)

DUTIES = ("potato", "serving", "bread_cut")


class DiningServices(Rule):
    type = "dining_services"
    label = "Dining duty"
    money_types = DUTIES

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("duty", FieldKind.CHOICE, "Duty", choices=DUTIES),
            FormField("date", FieldKind.DATE, "Date", required=False, help="Defaults to today"),
            FormField("attendees", FieldKind.PER_STUDENT_TICK, "On duty"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        duty = require_choice(payload, "duty", DUTIES)
        attendees = student_list(payload, ctx, "attendees")
        shares = split_budget(ctx.season.dining_budget, [1] * len(attendees))
        return Entries(
            money=tuple(
                MoneyLine(person.username, share, duty, f"dining duty, {len(attendees)} on duty")
                for person, share in zip(attendees, shares, strict=True)
                if share > 0
            )
        )


RULE = DiningServices()

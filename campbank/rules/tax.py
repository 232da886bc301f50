"""`tax`: the daily tax, charged to every active student by the bank (only from `campbank tax run`).

Day d = date − first_day + 1; the amount comes from the season's schedule (classic: 0, 5, 7, … 25;
later seasons a flat 20). A date outside the schedule charges nothing. Balances may go negative.
"""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.errors import InputError
from campbank.core.season import Season
from campbank.rules.base import (
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Rule,
    RuleContext,
    roster_order,
)


class Tax(Rule):
    type = "tax"
    label = "Daily tax"
    money_types = ("tax",)
    creator_roles = frozenset({Role.MANAGER})
    system_only = True
    made_by = "`campbank tax run`"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("date", FieldKind.DATE, "Day"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        """`ctx.people` holds every student to charge: the ledger passes all active students."""
        amount = ctx.season.tax_for(ctx.day)
        if amount is None:
            raise InputError(f"{ctx.day} is outside the season's tax schedule", field="date")
        if amount == 0:
            return Entries()
        students = [p for p in ctx.people.values() if p.role == Role.STUDENT and p.active]
        day = ctx.season.day_number(ctx.day)
        return Entries(
            money=tuple(
                MoneyLine(person.username, -amount, "tax", f"tax for day {day}") for person in roster_order(students)
            )
        )


RULE = Tax()

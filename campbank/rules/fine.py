"""`fine`: each listed student pays an amount for a chosen fine type."""

from __future__ import annotations

from campbank.ledger.season_model import Season
from campbank.rules.base import (
    Entries,
    FormField,
    MoneyLine,
    Payload,
    Rule,
    RuleContext,
    amounts_by_student,
    require_choice,
)


class Fine(Rule):
    type = "fine"
    label = "Fine"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("fine_type", "choice", "Fine type", choices=tuple(season.types_for_form(self.type))),
            FormField("amounts", "per_student_amount", "Fine per student"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        fine_type = require_choice(payload, "fine_type", ctx.season.types_for_form(self.type))
        return Entries(
            money=tuple(
                MoneyLine(person.username, -amount, fine_type)
                for person, amount in amounts_by_student(payload, ctx)
            )
        )


RULE = Fine()

"""`purchase`: each listed student pays the price of what they bought."""

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


class Purchase(Rule):
    type = "purchase"
    label = "Purchase"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField(
                "purchase_type", "choice", "Purchase type", choices=tuple(season.types_for_form(self.type))
            ),
            FormField("amounts", "per_student_amount", "Price per student"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        purchase_type = require_choice(payload, "purchase_type", ctx.season.types_for_form(self.type))
        return Entries(
            money=tuple(
                MoneyLine(person.username, -price, purchase_type)
                for person, price in amounts_by_student(payload, ctx)
            )
        )


RULE = Purchase()

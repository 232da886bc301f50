"""`general_money`: pay each listed student an amount of a chosen money type (help, olympiads, rewards)."""

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


class GeneralMoney(Rule):
    type = "general_money"
    label = "Money"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("money_type", "choice", "Money type", choices=tuple(season.types_for_form(self.type))),
            FormField("amounts", "per_student_amount", "Amount per student"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        money_type = require_choice(payload, "money_type", ctx.season.types_for_form(self.type))
        return Entries(
            money=tuple(
                MoneyLine(person.username, amount, money_type)
                for person, amount in amounts_by_student(payload, ctx)
            )
        )


RULE = GeneralMoney()

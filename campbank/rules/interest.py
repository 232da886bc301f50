"""`interest`: a day's interest on the savings pockets, paid by the bank (only the nightly run makes it).

For each date D the run processes, each open savings pocket earns floor(min(B, max_balance) × rate / 100)
cents, where B is its balance from counted entries dated on or before D and rate is
`savings.daily_rate_percent` (docs/savings.md#interest). A pocket that earns nothing gets no line.
"""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.season import Season
from campbank.rules.base import Entries, FieldKind, FormField, MoneyLine, Payload, Rule, RuleContext
from campbank.rules.savings import facts_of, interest, require_part


class Interest(Rule):
    type = "interest"
    label = "Interest"
    creator_roles = frozenset({Role.MANAGER})
    system_only = True
    made_by = "the nightly run (`campbank tax run`)"
    savings_part = "savings"
    cancel_instead = "interest is paid by the nightly run and stays"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("date", FieldKind.DATE, "Day"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        require_part(ctx.season, "savings")
        rules = ctx.season.savings
        day = ctx.season.day_number(ctx.day)
        lines = []
        for pocket, balance in facts_of(ctx.savings).interest_bases.items():
            earned = interest(balance, rules.daily_rate_percent, rules.max_balance)
            if earned > 0:
                lines.append(MoneyLine(pocket, earned, "interest", f"interest for day {day}"))
        return Entries(money=tuple(lines))


RULE = Interest()

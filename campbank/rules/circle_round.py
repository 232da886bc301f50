"""`circle_round`: one round of a savings circle, made by the nightly run on its day.

Round i (on start + i − 1) charges the contribution c to every member and pays k·c to member i, in one
transaction created by the bank (whose net is zero). Over the k rounds every member pays k·c and
receives k·c once: each ends where they started (docs/savings.md#savings-circles).
"""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.errors import RuleError
from campbank.core.season import Season
from campbank.rules.base import Entries, FieldKind, FormField, MoneyLine, Payload, Rule, RuleContext
from campbank.rules.savings import facts_of


class CircleRound(Rule):
    type = "circle_round"
    label = "Savings circle round"
    creator_roles = frozenset({Role.MANAGER})
    system_only = True
    made_by = "the nightly run (`campbank tax run`)"
    savings_part = "circles"
    cancel_instead = "a circle's rounds are reversed together by voiding the circle (`campbank circles void`)"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("date", FieldKind.DATE, "Day"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        circle = facts_of(ctx.savings).circle
        assert circle is not None
        number = circle.round_on(ctx.day)
        if number is None:
            raise RuleError(f"circle #{circle.id} holds no round on {ctx.day}", field="date")
        k, c = len(circle.members), circle.contribution
        what = f"circle #{circle.id}, round {number} of {k}"
        lines = [MoneyLine(member, -c, "circle", what) for member in circle.members]
        lines.append(MoneyLine(circle.members[number - 1], k * c, "circle", f"{what}: your turn"))
        return Entries(money=tuple(lines))


RULE = CircleRound()

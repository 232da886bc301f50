"""`fund_refund`: every contribution to a fund handed back exactly, in one transaction (the nightly run
at a deadline missed, or staff cancelling the fund). The fund's account is the creator, so it ends at
zero; each contributor gets back the sum of their counted contributions."""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.season import Season
from campbank.rules.base import Entries, FieldKind, FormField, MoneyLine, Payload, Rule, RuleContext
from campbank.rules.savings import facts_of


class FundRefund(Rule):
    type = "fund_refund"
    label = "Fund refunded"
    creator_roles = frozenset({Role.STAFF, Role.MANAGER})
    system_only = True
    made_by = "the nightly run at a fund's deadline, or a fund's cancelling"
    savings_part = "funds"
    cancel_instead = "a fund's refund stays"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("fund", FieldKind.COUNT, "Fund"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        facts = facts_of(ctx.savings)
        assert facts.fund is not None
        what = f"refund from fund #{facts.fund.id}"
        return Entries(money=tuple(MoneyLine(username, amount, "fund", what)
                                   for username, amount in sorted(facts.contributions.items()) if amount > 0))


RULE = FundRefund()

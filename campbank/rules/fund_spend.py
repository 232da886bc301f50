"""`fund_spend`: a fund that reached its target pays its whole total to the bank, as a purchase for the
goal (staff, with `campbank funds spend` or the funds section; audited). The fund's account is the
creator, so it ends at zero."""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.season import Season
from campbank.rules.base import Entries, FieldKind, FormField, MoneyLine, Payload, Rule, RuleContext
from campbank.rules.savings import facts_of, require_part


class FundSpend(Rule):
    type = "fund_spend"
    label = "Fund spent"
    creator_roles = frozenset({Role.STAFF, Role.MANAGER})
    system_only = True
    made_by = "a fund's spending (`campbank funds spend`)"
    savings_part = "funds"
    cancel_instead = "a fund's spending stays; what it bought is settled by staff"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("fund", FieldKind.COUNT, "Fund"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        require_part(ctx.season, "funds")
        facts = facts_of(ctx.savings)
        assert facts.fund is not None
        return Entries(money=(MoneyLine(facts.bank, facts.fund.total, "fund", f"fund #{facts.fund.id} spent"),))


RULE = FundSpend()

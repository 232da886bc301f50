"""`fund_contribution`: a student puts money from the main pocket into an open fund, at once.

The fund must be open and its deadline not past; a fund for one squad takes only that squad's students.
The amount lies between 0.01 and both the main pocket's balance and what the fund still needs to reach
its target. Staff may cancel a contribution while the fund is open (docs/savings.md#funds).
"""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.errors import InputError, RuleError
from campbank.core.money import format_amount, parse_amount
from campbank.core.season import Season
from campbank.rules.base import Entries, FieldKind, FormField, MoneyLine, Payload, Rule, RuleContext
from campbank.rules.savings import facts_of, require_part


class FundContribution(Rule):
    type = "fund_contribution"
    label = "Fund contribution"
    creator_roles = frozenset({Role.STUDENT})
    savings_part = "funds"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("fund", FieldKind.COUNT, "Fund", help="the fund's number"),
            FormField("amount", FieldKind.AMOUNT, "Amount"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        require_part(ctx.season, "funds")
        fund = facts_of(ctx.savings).fund
        sign = ctx.season.currency_sign
        if fund is None:
            raise InputError(f"there is no fund {payload.get('fund')!r}", field="fund")
        if fund.state != "open":
            raise RuleError(f"fund #{fund.id} is {fund.state}; it takes no more money", field="fund")
        if ctx.day > fund.deadline:
            raise RuleError(f"fund #{fund.id} closed on {fund.deadline}", field="fund")
        if fund.squad is not None and ctx.creator.squad != fund.squad:
            raise RuleError(f"fund #{fund.id} is for {fund.squad} only", field="fund")
        amount = parse_amount(payload.get("amount"), field="amount", limit=ctx.season.amount_limit)
        needed = fund.target - fund.total
        if needed <= 0:
            raise RuleError(f"fund #{fund.id} has reached its target", field="fund")
        if amount > needed:
            raise RuleError(f"is more than the {format_amount(needed, sign)} fund #{fund.id} still needs",
                            field="amount")
        if amount > ctx.creator.balance:
            raise RuleError(f"is more than your main pocket's balance of "
                            f"{format_amount(ctx.creator.balance, sign)}", field="amount")
        return Entries(money=(MoneyLine(fund.account, amount, "fund", f"to fund #{fund.id}"),))


RULE = FundContribution()

"""`loan_repay`: a student repays part or all of their open loan early, from the main pocket.

The amount lies between 0.01 and the outstanding amount (and the main pocket's balance). It removes
instalments from the last one backwards: the nightly run then charges only what is left of each
(docs/savings.md#early-repayment).
"""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.errors import RuleError
from campbank.core.money import format_amount, parse_amount
from campbank.core.season import Season
from campbank.rules.base import Entries, FieldKind, FormField, MoneyLine, Payload, Rule, RuleContext
from campbank.rules.savings import facts_of, require_part


class LoanRepay(Rule):
    type = "loan_repay"
    label = "Loan repayment"
    creator_roles = frozenset({Role.STUDENT})
    savings_part = "loans"
    cancel_instead = "a repayment stays; a manager may write off what is left of the loan"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("amount", FieldKind.AMOUNT, "Amount"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        require_part(ctx.season, "loans")
        facts = facts_of(ctx.savings)
        loan = facts.loan
        sign = ctx.season.currency_sign
        if loan is None:
            raise RuleError("you have no open loan to repay", field="amount")
        if loan.state == "waiting":
            raise RuleError(f"your loan #{loan.id} is not granted yet: it waits for a second manager",
                            field="amount")
        amount = parse_amount(payload.get("amount"), field="amount", limit=ctx.season.amount_limit)
        if amount > loan.outstanding:
            raise RuleError(f"is more than the {format_amount(loan.outstanding, sign)} outstanding on loan "
                            f"#{loan.id}", field="amount")
        if amount > ctx.creator.balance:
            raise RuleError(f"is more than your main pocket's balance of "
                            f"{format_amount(ctx.creator.balance, sign)}", field="amount")
        return Entries(money=(MoneyLine(facts.bank, amount, "loan_repayment", f"early repayment, loan #{loan.id}"),))


RULE = LoanRepay()

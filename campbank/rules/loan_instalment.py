"""`loan_instalment`: the loan instalments due on a day, charged by the bank (only the nightly run makes it).

Instalment k of a loan is due on the loan's date + k days. What is charged is what early repayments have
left of it (`savings.remaining_instalments`); an instalment they removed entirely charges nothing. The
main pocket may go negative, as with the tax.
"""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.season import Season
from campbank.rules.base import Entries, FieldKind, FormField, MoneyLine, Payload, Rule, RuleContext
from campbank.rules.savings import facts_of


class LoanInstalment(Rule):
    type = "loan_instalment"
    label = "Loan instalments"
    creator_roles = frozenset({Role.MANAGER})
    system_only = True
    made_by = "the nightly run (`campbank tax run`)"
    savings_part = "loans"
    cancel_instead = "instalments are charged by the nightly run and stay; a manager may write off a loan"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("date", FieldKind.DATE, "Day"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        lines = [MoneyLine(due.borrower, -due.amount, "loan_repayment",
                           f"instalment {due.number} of {due.of}, loan #{due.loan_id}")
                 for due in facts_of(ctx.savings).instalments if due.amount > 0]
        return Entries(money=tuple(lines))


RULE = LoanInstalment()

"""`loan`: the bank lends a student P, repaid by n daily instalments (staff or managers, as the season says).

P ≤ `loans.max_amount`, 1 ≤ n ≤ `loans.max_instalments`, one open loan per student, and the last
instalment due within the season. The bank credits P to the main pocket. Total due
T = P + floor(P × interest_percent / 100), split into n instalments exactly (ties to the earlier one);
instalment k is due on the loan's date + k days and charged by the nightly run (docs/savings.md#loans).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from campbank.core.enums import Role
from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.core.money import format_amount, parse_amount
from campbank.core.season import Season
from campbank.rules.base import (
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Person,
    Rule,
    RuleContext,
)
from campbank.rules.savings import facts_of, require_part, schedule, total_due


@dataclass(frozen=True)
class LoanTerms:
    borrower: Person
    principal: int
    instalments: int
    total_due: int
    schedule: tuple[int, ...]


class Loan(Rule):
    type = "loan"
    label = "Loan"
    savings_part = "loans"
    cancel_instead = "a loan is cancelled by a manager before its first instalment (`campbank loans cancel`)"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("borrower", FieldKind.STUDENT, "Borrower"),
            FormField("amount", FieldKind.AMOUNT, "Amount"),
            FormField("instalments", FieldKind.COUNT, "Instalments",
                      help=f"1 to {season.loans.max_instalments}, one a day from the day after"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        terms = loan_terms(payload, ctx)
        sign = ctx.season.currency_sign
        what = (f"loan: {format_amount(terms.total_due, sign)} due in {terms.instalments} "
                f"instalment{'s' if terms.instalments != 1 else ''}")
        return Entries(money=(MoneyLine(terms.borrower.username, terms.principal, "loan", what),))


def loan_terms(payload: Payload, ctx: RuleContext) -> LoanTerms:
    """The checked terms of a loan payload, with its schedule."""
    season = ctx.season
    require_part(season, "loans")
    if season.loans.granted_by == "manager" and ctx.creator.role != Role.MANAGER:
        raise PermissionDenied("this season's loans are granted by managers only")
    borrower = ctx.student(payload.get("borrower"), "borrower")
    principal = parse_amount(payload.get("amount"), field="amount", limit=season.loans.max_amount)
    count = instalment_count(payload.get("instalments"), season.loans.max_instalments)
    open_loan = facts_of(ctx.savings).loan
    if open_loan is not None and open_loan.state == "waiting":
        raise RuleError(f"{borrower.username} already has loan #{open_loan.id}, waiting for a second manager",
                        field="borrower")
    if open_loan is not None:
        raise RuleError(f"{borrower.username} already has an open loan #{open_loan.id} with "
                        f"{format_amount(open_loan.outstanding, season.currency_sign)} outstanding", field="borrower")
    last_due = ctx.day + timedelta(days=count)
    if last_due > season.last_day:
        raise RuleError(f"the last instalment would be due on {last_due}, after the season's last day "
                        f"({season.last_day})", field="instalments")
    total = total_due(principal, season.loans.interest_percent)
    return LoanTerms(borrower, principal, count, total, schedule(total, count))


def instalment_count(value: object, maximum: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"must be a whole number from 1 to {maximum}", field="instalments")
    if not 1 <= value <= maximum:
        raise InputError(f"must be from 1 to {maximum}", field="instalments")
    return value


RULE = Loan()

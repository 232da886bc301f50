"""Transaction types: one pure module per type, and the registry that finds a rule by its type name."""

from __future__ import annotations

from campbank.core.errors import InputError
from campbank.rules import (
    activity,
    certificate,
    circle_round,
    dining_services,
    exam,
    fac_attend,
    fac_pass,
    fine,
    fund_contribution,
    fund_refund,
    fund_spend,
    general_money,
    interest,
    lab,
    lecture,
    loan,
    loan_instalment,
    loan_repay,
    p2p,
    pocket_move,
    purchase,
    seminar,
    study_fine,
    tax,
    workout,
)
from campbank.rules.base import Rule

# Every rule module defines RULE; the order is the order forms and lists show the types in.
RULES: tuple[Rule, ...] = (
    general_money.RULE,
    fine.RULE,
    purchase.RULE,
    p2p.RULE,
    exam.RULE,
    activity.RULE,
    lab.RULE,
    dining_services.RULE,
    tax.RULE,
    study_fine.RULE,
    seminar.RULE,
    fac_attend.RULE,
    lecture.RULE,
    workout.RULE,
    fac_pass.RULE,
    certificate.RULE,
    # savings and credit (docs/savings.md)
    pocket_move.RULE,
    loan.RULE,
    loan_repay.RULE,
    fund_contribution.RULE,
    interest.RULE,
    loan_instalment.RULE,
    circle_round.RULE,
    fund_spend.RULE,
    fund_refund.RULE,
)

REGISTRY: dict[str, Rule] = {rule.type: rule for rule in RULES}


def rule_for(type_name: object) -> Rule:
    if not isinstance(type_name, str) or not type_name:
        raise InputError("is required", field="type")
    try:
        return REGISTRY[type_name]
    except KeyError:
        raise InputError(
            f"{type_name!r} is not a transaction type; known: {', '.join(sorted(REGISTRY))}", field="type"
        ) from None

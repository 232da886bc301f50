"""Transaction types: one pure module per type, found here by name."""

from __future__ import annotations

from campbank.ledger.errors import InputError
from campbank.rules import fine, general_money, p2p, purchase
from campbank.rules.base import Rule

REGISTRY: dict[str, Rule] = {
    module.RULE.type: module.RULE for module in (general_money, fine, purchase, p2p)
}


def rule_for(type_name: object) -> Rule:
    if not isinstance(type_name, str) or not type_name:
        raise InputError("is required", field="type")
    try:
        return REGISTRY[type_name]
    except KeyError:
        raise InputError(
            f"{type_name!r} is not a transaction type; known: {', '.join(sorted(REGISTRY))}", field="type"
        ) from None

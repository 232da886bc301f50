"""Transaction types: one pure module per type, found here by name."""

from __future__ import annotations

from importlib import import_module

from campbank.ledger.errors import InputError
from campbank.rules.base import Rule

# One module per transaction type; each defines RULE.
RULE_MODULES = (
    "general_money",
    "fine",
    "purchase",
    "p2p",
    "exam",
    "activity",
    "lab",
    "dining_services",
    "tax",
    "study_fine",
    "seminar",
    "fac_attend",
    "lecture",
    "workout",
    "fac_pass",
    "certificate",
)

REGISTRY: dict[str, Rule] = {
    rule.type: rule for rule in (import_module(f"campbank.rules.{name}").RULE for name in RULE_MODULES)
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

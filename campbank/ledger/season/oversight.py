"""The season's `[oversight]` table: the limits above which a staff transaction waits for a second manager.

    [oversight]
    enabled = true                    # false (or no table at all): nothing ever waits
    second_approval_above = 200       # one amount above this (a payment or a fine) waits
    total_above = 3000                # a transaction moving more than this in all waits
    daily_budget_per_staff = 5000     # issuing more than this in one day waits

Each limit is optional; an enabled table names at least one. See docs/oversight.md.
"""

from __future__ import annotations

from campbank.core.season import Oversight
from campbank.ledger.season.validate import Table

LIMITS = ("second_approval_above", "total_above", "daily_budget_per_staff")


def parse_oversight(top: Table) -> Oversight:
    if not top.has("oversight"):
        return Oversight()
    table = top.table("oversight")
    table.keys(["enabled"], LIMITS)
    enabled = table.data["enabled"]
    if not isinstance(enabled, bool):
        raise table.error("enabled", "must be true or false")
    limits = {key: table.amount(key, minimum=1) if table.has(key) else None for key in LIMITS}
    if enabled and all(limit is None for limit in limits.values()):
        raise table.error("enabled", f"is true but no limit is given: set one of {', '.join(LIMITS)}")
    return Oversight(enabled=enabled, **limits)

"""The savings-and-credit sections of a season file: `[pockets]`, `[savings]`, `[loans]`, `[funds]`,
`[circles]` (docs/savings.md#the-season).

Each section is optional and switched on by `enabled = true`; a section that is absent or says
`enabled = false` turns its part off, and its other keys may then be left out (when written, they are
still checked). Every bound below keeps the sums a part can make inside 64-bit integers: no entry it
writes can be larger than `MAX_ENTRY` cents.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from campbank.core.money import format_amount
from campbank.core.season import CircleRules, FundRules, LoanRules, MoneyType, PocketRules, SavingsRules
from campbank.ledger.season.validate import Table

SECTIONS = ("pockets", "savings", "loans", "funds", "circles")
GRANTED_BY = ("staff", "manager")
MAX_ENTRY = 100_000_000 * 100  # cents: the largest single entry any part may write
MAX_GOALS = 20
MAX_INSTALMENTS = 366  # one a day: a season is at most 366 days
MAX_MEMBERS = 366  # one round a day
MAX_PERCENT = 100
_PERCENT = re.compile(r"^\d{1,3}(\.\d{1,4})?$")

# The money types each part writes: a season that switches the part on must name them.
MONEY_TYPES = {
    "pockets": ("pocket",),
    "savings": ("pocket", "interest"),
    "loans": ("loan", "loan_repayment"),
    "funds": ("fund",),
    "circles": ("circle",),
}


def parse_sections(top: Table, amount_limit: int, money_types: dict[str, MoneyType]) -> dict[str, Any]:
    """The five parts as keyword arguments of `Season`, each off when its section is absent."""
    parts: dict[str, Any] = {}
    for name, parse in (("pockets", _pockets), ("savings", _savings), ("loans", _loans), ("funds", _funds),
                        ("circles", _circles)):
        if not top.has(name):
            continue
        table = top.table(name)
        rules = parse(table, amount_limit)
        if rules.enabled:
            _check_money_types(table, name, money_types)
        parts[name] = rules
    if parts.get("savings", SavingsRules()).enabled and not parts.get("pockets", PocketRules()).enabled:
        raise top.table("savings").error("enabled", "a savings pocket is a pocket: switch [pockets] on too "
                                                    "(enabled = true)")
    return parts


def _enabled(table: Table, required: list[str]) -> bool:
    """Read `enabled`; when it is true every key of the section is required, else only `enabled`."""
    keys = ["enabled", *required]
    if "enabled" not in table.data:
        table.keys(keys)
    value = table.data["enabled"]
    if not isinstance(value, bool):
        raise table.error("enabled", "must be true or false")
    table.keys(keys if value else ["enabled"], [] if value else required)
    return value


def _pockets(table: Table, amount_limit: int) -> PocketRules:
    enabled = _enabled(table, ["max_goals"])
    goals = table.count("max_goals", maximum=MAX_GOALS) if table.has("max_goals") else 0
    return PocketRules(enabled=enabled, max_goals=goals)


def _savings(table: Table, amount_limit: int) -> SavingsRules:
    enabled = _enabled(table, ["daily_rate_percent", "max_balance"])
    rate = _percent(table, "daily_rate_percent") if table.has("daily_rate_percent") else Fraction(0)
    cap = _amount(table, "max_balance", MAX_ENTRY) if table.has("max_balance") else 0
    return SavingsRules(enabled=enabled, daily_rate_percent=rate, max_balance=cap)


def _loans(table: Table, amount_limit: int) -> LoanRules:
    enabled = _enabled(table, ["granted_by", "max_amount", "max_instalments", "interest_percent"])
    return LoanRules(
        enabled=enabled,
        granted_by=table.choice("granted_by", GRANTED_BY) if table.has("granted_by") else "manager",
        max_amount=_amount(table, "max_amount", amount_limit) if table.has("max_amount") else 0,
        max_instalments=(table.count("max_instalments", minimum=1, maximum=MAX_INSTALMENTS)
                         if table.has("max_instalments") else 0),
        interest_percent=_percent(table, "interest_percent") if table.has("interest_percent") else Fraction(0),
    )


def _funds(table: Table, amount_limit: int) -> FundRules:
    enabled = _enabled(table, ["max_target"])
    return FundRules(enabled=enabled,
                     max_target=_amount(table, "max_target", MAX_ENTRY) if table.has("max_target") else 0)


def _circles(table: Table, amount_limit: int) -> CircleRules:
    enabled = _enabled(table, ["max_members", "max_contribution"])
    members = table.count("max_members", minimum=2, maximum=MAX_MEMBERS) if table.has("max_members") else 0
    contribution = _amount(table, "max_contribution", amount_limit) if table.has("max_contribution") else 0
    if members * contribution > MAX_ENTRY:
        raise table.error("max_contribution", f"× max_members could pay one member more than "
                                              f"{format_amount(MAX_ENTRY, sign='')} in a round; lower either")
    return CircleRules(enabled=enabled, max_members=members, max_contribution=contribution)


def _amount(table: Table, key: str, maximum: int) -> int:
    cents = table.amount(key, minimum=1)
    if cents > maximum:
        raise table.error(key, f"must be at most {format_amount(maximum, sign='')}")
    return cents


def _percent(table: Table, key: str) -> Fraction:
    """A percentage written as a decimal string ("1.5") or a whole number, kept exactly."""
    value = table.data[key]
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        hint = f' (write it in quotes: "{value}")' if isinstance(value, float) else ""
        raise table.error(key, 'must be a percentage such as "1.5"' + hint)
    text = str(value).strip()
    if not _PERCENT.match(text):
        raise table.error(key, f"{text!r} is not a percentage such as \"1.5\" (at most 4 decimals)")
    percent = Fraction(text)
    if percent > MAX_PERCENT:
        raise table.error(key, f"must be at most {MAX_PERCENT}")
    return percent


def _check_money_types(table: Table, part: str, money_types: dict[str, MoneyType]) -> None:
    for code in MONEY_TYPES[part]:
        if code not in money_types:
            raise table.error("enabled", f"needs the money type {code!r} in [money_types]: the {part} part "
                                         "writes it")

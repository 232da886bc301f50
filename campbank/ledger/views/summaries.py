"""What the reports share: exact summaries of integer cents, the permission check, squads in order.

Means, medians and standard deviations are computed exactly (with fractions) and rounded once, to the
nearest cent, halves away from zero; no floating point touches an amount.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import isqrt

from sqlalchemy import text
from sqlmodel import Session

from campbank.core.season import Season
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store.tables import Account

NO_SQUAD = "No squad"
DANGER = "danger"
WARNING = "warning"


@dataclass(frozen=True)
class Summary:
    """Sum, mean and population standard deviation of a column, in cents (None when it is empty)."""

    count: int
    total: int
    mean: int | None
    std_dev: int | None


def authorise(session: Session, viewer: Actor, action: Action) -> Account:
    """The viewer's account as it is now, if its role allows `action` (else PermissionDenied)."""
    account = acting_account(session, viewer)
    require(account, action)
    return account


def round_cents(value: Fraction) -> int:
    """The nearest whole cent; a half cent goes away from zero."""
    sign = -1 if value < 0 else 1
    return sign * int(abs(value) + Fraction(1, 2))


def exact_mean(values: Sequence[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def mean_of(values: Sequence[int]) -> int | None:
    exact = exact_mean(values)
    return None if exact is None else round_cents(exact)


def median_of(values: Sequence[int]) -> int | None:
    """The middle value; with an even count, the mean of the two middle values (rounded to the cent)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return round_cents(Fraction(ordered[middle - 1] + ordered[middle], 2))


def std_dev_of(values: Sequence[int]) -> int | None:
    """The population standard deviation, sqrt(Σ(x − mean)² / n), rounded to the nearest cent."""
    if not values:
        return None
    n, total = len(values), sum(values)
    # Σ(x − mean)² / n = (n·Σx² − (Σx)²) / n², in integers: exact, and fast for ten thousand students
    variance = Fraction(n * sum(x * x for x in values) - total * total, n * n)
    return _rounded_sqrt(variance)


def _rounded_sqrt(value: Fraction) -> int:
    """round(√value) for a non-negative fraction, exactly."""
    root = isqrt(value.numerator * value.denominator) // value.denominator  # floor(√value)
    while (root + 1) ** 2 <= value:  # guard the floor against any off-by-one
        root += 1
    return root + 1 if value >= (Fraction(2 * root + 1, 2)) ** 2 else root


def summarize(values: Iterable[int]) -> Summary:
    items = list(values)
    return Summary(len(items), sum(items), mean_of(items), std_dev_of(items))


def flag_of(season: Season, balance: int) -> str:
    """"danger" at or below the season's danger level, "warning" below its warning level, else ""."""
    if balance <= season.balance_danger:
        return DANGER
    if balance < season.balance_warning:
        return WARNING
    return ""


def squad_order(season: Season, squads: Iterable[str | None]) -> list[str | None]:
    """The season's squads in its own order, then any others alphabetically, then "no squad" (None)."""
    present = set(squads)
    known = [s for s in season.squads if s in present]
    others = sorted((s for s in present if s is not None and s not in season.squads), key=str.casefold)
    return known + others + ([None] if None in present else [])


def squad_label(squad: str | None) -> str:
    return squad if squad else NO_SQUAD


# What a student received: on their own account, and on their pockets (interest), but not a move
# between their own pockets (docs/savings.md).
_EARNED = text(
    """
    SELECT COALESCE(o.username, a.username), m.money_type, SUM(m.amount)
      FROM money_entry m
      JOIN txn t ON t.id = m.transaction_id
      JOIN account a ON a.id = m.receiver_id
      LEFT JOIN pocket p ON p.account_id = a.id
      LEFT JOIN account o ON o.id = p.owner_id
     WHERE t.state = 'processed' AND m.amount > 0 AND a.role IN ('student', 'pocket') AND m.money_type != 'pocket'
     GROUP BY 1, m.money_type
    """
)


def earned_by_group(session: Session, season: Season) -> dict[str, dict[str, int]]:
    """Per student username: the positive counted money entries they received, summed per report group."""
    earned: dict[str, dict[str, int]] = {}
    for username, money_type, amount in session.execute(_EARNED):
        groups = earned.setdefault(username, {})
        group = season.group_of(money_type)
        groups[group] = groups.get(group, 0) + int(amount)
    return earned

"""Money in integer cents: parsing with clear refusals, formatting with the season's sign, exact splits.

Floating point never touches an amount: input is parsed as a decimal string and kept as whole cents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from campbank.core.errors import InputError

CENTS = 100
DEFAULT_LIMIT = 100_000 * CENTS
# Bounds that keep every sum the ledger makes inside SQLite's 64-bit integers (docs/security-guards.md,
# "Amounts"): a season's amount limit, and so every amount it names, is at most MAX_AMOUNT_LIMIT; no single
# entry the ledger writes (a rule may compute more than the limit, e.g. an exam's pool or the n-th lecture
# fine) is larger than MAX_ENTRY. A camp of up to 10^8 entries then never sums past
# 10^8 x 10^10 = 10^18 < 2^63 - 1 (about 9.22 x 10^18), journal reversals included (2 x 2 rows an entry).
MAX_AMOUNT_LIMIT = 10_000_000 * CENTS  # 10,000,000.00: a hundred times the classic season's limit
MAX_ENTRY = 100_000_000 * CENTS  # 100,000,000.00
_AMOUNT = re.compile(r"^[+-]?(\d+)(?:\.(\d{1,2}))?$")


def parse_amount(
    text: object,
    *,
    field: str = "amount",
    limit: int | None = DEFAULT_LIMIT,
    minimum: int | None = 1,
) -> int:
    """Parse `12`, `12.5` or `12.50` into cents; refuse anything else with the field and the reason.

    A JSON number arrives as an int or, read exactly, as a Decimal with at most 2 decimals; a float never.

    `minimum` and `limit` are in cents (inclusive); None switches a bound off.
    """
    if isinstance(text, bool):
        raise InputError("must be an amount such as 12 or 12.50, not true/false", field=field)
    if isinstance(text, int):
        text = str(text)
    elif isinstance(text, Decimal):  # a JSON number read exactly (never through a float)
        exponent = text.as_tuple().exponent
        if not text.is_finite() or not isinstance(exponent, int):
            raise InputError(f"{text} is not a number of money", field=field)
        if exponent < -2:
            raise InputError(f"{text} has more than 2 decimals", field=field)
        text = format(text, "f")
    elif isinstance(text, float):
        raise InputError(
            "must be written as a string or integer such as \"12.50\", not a floating-point number",
            field=field,
        )
    if not isinstance(text, str):
        raise InputError("must be an amount such as 12 or 12.50", field=field)
    cleaned = text.strip()
    if not cleaned:
        raise InputError("is blank; enter an amount such as 12 or 12.50", field=field)
    match = _AMOUNT.match(cleaned)
    if not match:
        raise InputError(_why_not_amount(cleaned), field=field)
    whole, frac = match.group(1), (match.group(2) or "")
    if len(whole) > 15:
        raise InputError("is far too large", field=field)
    cents = int(whole) * CENTS + int(frac.ljust(2, "0") or 0)
    if cleaned.startswith("-"):
        cents = -cents
    if minimum is not None and cents < minimum:
        raise InputError(f"must be at least {format_amount(minimum, sign='')}", field=field)
    if limit is not None and cents > limit:
        raise InputError(f"must not exceed {format_amount(limit, sign='')}", field=field)
    return cents


def _why_not_amount(text: str) -> str:
    lowered = text.lower()
    if lowered.lstrip("+-") in {"nan", "inf", "infinity"}:
        return f"{text!r} is not a number of money"
    if re.match(r"^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$", lowered):
        return f"{text!r} uses an exponent; write the amount in full, such as 1200"
    if re.match(r"^[+-]?\d+\.\d{3,}$", text):
        return f"{text!r} has more than 2 decimals"
    if "," in text:
        return f"{text!r} uses a comma; write the decimal point as '.'"
    return f"{text!r} is not an amount such as 12 or 12.50"


def format_amount(cents: int, sign: str = "@") -> str:
    """`12345` -> `123.45@`; negative amounts keep their minus sign in front."""
    prefix = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), CENTS)
    return f"{prefix}{whole}.{frac:02d}{sign}"


def cents_to_str(cents: int) -> str:
    """The plain two-decimal string used in JSON and CSV exports: `-5.00`."""
    return format_amount(cents, sign="")


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(cents) / CENTS


def split_budget(budget: int, weights: Sequence[Fraction | int]) -> list[int]:
    """Share `budget` cents in proportion to `weights`, exactly.

    Each exact share is rounded down to the cent; the cents left over go one each to the largest
    remainders, ties going to the earlier position (roster order). The shares always add up to the
    budget exactly, unless every weight is zero, in which case nobody gets anything.
    """
    if budget < 0:
        raise ValueError("budget must not be negative")
    fractions = [Fraction(w) for w in weights]
    if any(w < 0 for w in fractions):
        raise ValueError("weights must not be negative")
    total = sum(fractions, Fraction(0))
    if total == 0:
        return [0] * len(fractions)
    exact = [budget * w / total for w in fractions]
    shares = [int(share) for share in exact]  # floor: shares are non-negative
    left_over = budget - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for index in by_remainder[:left_over]:
        shares[index] += 1
    return shares

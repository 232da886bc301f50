"""Keys of the ledger's own scheduled transactions: `sys:KIND:…`, a namespace no payload's key can take.

The nightly run and the savings actions key each transaction they make, and look the key up under the
write lock before making it, so a run repeated, run twice at once, or re-run after a crash makes each one
once: the interest of a day (`sys:interest:2018-08-07`), the loan instalments of a day (`sys:loan:…`), a
circle's round (`sys:circle:3:2`), a fund's refund or spending (`sys:fund:4:refund`).
"""

from __future__ import annotations

from datetime import date

SYSTEM = "sys:"


def system_key(kind: str, *parts: object) -> str:
    """A key of the ledger's own: `sys:KIND:PART:…`."""
    return ":".join([SYSTEM + kind, *(str(part) for part in parts)])


def interest_day(day: date) -> str:
    return system_key("interest", day.isoformat())


def instalments_day(day: date) -> str:
    return system_key("loan", day.isoformat())


def circle_round(circle_id: int, round_number: int) -> str:
    return system_key("circle", circle_id, round_number)


def fund_closing(fund_id: int, how: str) -> str:
    """`how` is "spend" or "refund": a fund is closed once, one way."""
    return system_key("fund", fund_id, how)

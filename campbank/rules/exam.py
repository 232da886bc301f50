"""`exam`: a pool shared among the students who sat an exam, in proportion to the square root of the score.

Payload: `scores: {username: score}`; a score is a non-negative integer or decimal (a JSON number or a
numeric string such as "7.5"). Formula (docs/rules.md#exam), with the numbers from the season:

    N    = the number of students given a score (zeros included)
    pool = season.exam_pool_per_student · N                      (classic: 80@ · N)
    S    = Σ √max(0, s)
    a student with s > 0 gets  pool · √s / S ;  with s = 0 nothing.
    S = 0 (every score zero): nobody is paid, and the transaction has no entries.

The split is exact (`split_budget`): each share is rounded down to the cent and the cents left over go one
each to the largest remainders, ties in roster order (squad, surname), so the shares add up to the pool to
the cent. √s is computed with 50 significant digits and used as an exact fraction; a perfect square gives
an exact root (scores 1, 4, 9 weigh exactly 1, 2, 3). Money type `exam`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Context, Decimal
from fractions import Fraction

from campbank.core.errors import InputError
from campbank.core.money import split_budget
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
    roster_order,
)

MONEY_TYPE = "exam"
SQRT_DIGITS = 50
MAX_SCORE = Decimal(10) ** 9  # no exam has more points; keeps the arithmetic small
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_score(value: object, *, field: str) -> Decimal:
    """A non-negative integer or decimal, as a number or a numeric string; anything else is refused."""
    if isinstance(value, bool):
        raise InputError("must be a score such as 7 or 7.5, not true/false", field=field)
    if isinstance(value, int):
        score = Decimal(value)
    elif isinstance(value, Decimal):
        score = value
    elif isinstance(value, float):
        score = Decimal(repr(value))  # "nan" and "inf" become Decimal NaN and Infinity, refused below
    elif isinstance(value, str):
        text = value.strip()
        if not _NUMBER.match(text):
            raise InputError(f"{value!r} is not a score such as 7 or 7.5", field=field)
        score = Decimal(text)
    else:
        raise InputError("must be a score such as 7 or 7.5", field=field)
    if not score.is_finite():
        raise InputError("must be a finite number", field=field)
    if score < 0:
        raise InputError("must not be negative", field=field)
    if score > MAX_SCORE:
        raise InputError(f"must not exceed {MAX_SCORE}", field=field)
    return score


def sqrt_weight(score: Decimal) -> Fraction:
    """√score to 50 significant digits, as an exact fraction (exact for perfect squares)."""
    return Fraction(score.sqrt(Context(prec=SQRT_DIGITS)))


class Exam(Rule):
    type = "exam"
    label = "Exam"
    money_types = (MONEY_TYPE,)

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField(
                "scores",
                FieldKind.PER_STUDENT_NUMBER,
                "Score per student",
                help="A score of 0 counts towards the pool but earns nothing",
            ),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        raw = payload.get("scores")
        if not isinstance(raw, Mapping) or not raw:
            raise InputError("must give at least one student a score", field="scores")
        rows: list[tuple[Person, Decimal]] = []
        for username, value in raw.items():
            field = f"scores.{username}"
            person = ctx.student(username, field)
            rows.append((person, parse_score(value, field=field)))
        rows = roster_order(rows, key=lambda row: row[0])
        pool = ctx.season.exam_pool_per_student * len(rows)
        scored = [(person, score) for person, score in rows if score > 0]
        if not scored:  # S = 0: nobody is paid
            return Entries()
        shares = split_budget(pool, [sqrt_weight(score) for _, score in scored])
        return Entries(
            money=tuple(
                MoneyLine(person.username, share, MONEY_TYPE, f"exam score {score}")
                for (person, score), share in zip(scored, shares, strict=True)
                if share > 0
            )
        )


RULE = Exam()

"""Money (docs/rules.md#money): parsing refusals that name the field and the reason, formatting, exact splits."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campbank.core.errors import InputError
from campbank.core.money import (
    DEFAULT_LIMIT,
    cents_to_decimal,
    cents_to_str,
    format_amount,
    parse_amount,
    split_budget,
)

# --- parse_amount: accepted -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        (12, 1200),
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("12.05", 1205),
        ("0.01", 1),
        ("  3 ", 300),
        ("\t7.1\n", 710),
        ("+4", 400),
        ("007", 700),
        ("100000", DEFAULT_LIMIT),  # the limit itself is allowed
        (Decimal("1.50"), 150),  # a JSON number read exactly (never a float)
        (Decimal("12.5"), 1250),
    ],
)
def test_parse_accepts(text, cents):
    assert parse_amount(text) == cents


def test_parse_bounds_can_be_switched_off_and_negatives_then_parse():
    assert parse_amount("-5", minimum=None) == -500
    assert parse_amount("-0.05", minimum=None) == -5
    assert parse_amount("0", minimum=0) == 0
    assert parse_amount("250000", limit=None) == 25_000_000
    assert parse_amount("3", minimum=300, limit=300) == 300


# --- parse_amount: refused, each naming the field and why -------------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1.234", "more than 2 decimals"),
        ("0.001", "more than 2 decimals"),
        ("12.5000", "more than 2 decimals"),
        ("NaN", "not a number"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("-Infinity", "not a number"),
        ("1e3", "exponent"),
        ("1E3", "exponent"),
        ("2.5e1", "exponent"),
        ("", "blank"),
        ("   ", "blank"),
        ("12,50", "comma"),
        ("1,5", "comma"),
        (12.5, "floating-point"),
        (12.0, "floating-point"),
        (float("nan"), "floating-point"),
        (True, "true/false"),
        (False, "true/false"),
        (None, "amount such as"),
        (Decimal("1.505"), "more than 2 decimals"),  # a JSON number read exactly: at most two decimals
        (Decimal("Infinity"), "not a number of money"),
        (["1"], "amount such as"),
        ("twelve", "not an amount"),
        ("12.", "not an amount"),
        ("1 000", "not an amount"),
        ("12@", "not an amount"),
        ("100000.01", "must not exceed 100000.00"),
        (10_000_001, "must not exceed"),
        ("9" * 16, "far too large"),
        ("0", "at least 0.01"),
        ("0.00", "at least 0.01"),
        ("-5", "at least 0.01"),
        (-1, "at least 0.01"),
    ],
)
def test_parse_refuses_with_field_and_reason(text, why):
    with pytest.raises(InputError) as info:
        parse_amount(text, field="amounts.s1")
    error = info.value
    assert error.field == "amounts.s1"
    assert why in error.message
    assert str(error).startswith("amounts.s1: ")


def test_parse_uses_the_given_limit_and_minimum():
    with pytest.raises(InputError, match=r"must not exceed 50\.00") as info:
        parse_amount("50.01", field="amount", limit=5000)
    assert info.value.field == "amount"
    with pytest.raises(InputError, match=r"at least 1\.00"):
        parse_amount("0.99", field="amount", minimum=100)


@given(st.integers(min_value=1, max_value=DEFAULT_LIMIT))
def test_parse_round_trips_the_formatted_amount(cents):
    assert parse_amount(cents_to_str(cents)) == cents
    assert parse_amount(f"  {format_amount(cents, sign='')} ") == cents


# --- formatting ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00@"),
        (1, "0.01@"),
        (10, "0.10@"),
        (12345, "123.45@"),
        (-1, "-0.01@"),
        (-12345, "-123.45@"),
        (-100, "-1.00@"),
        (10_000_000, "100000.00@"),
    ],
)
def test_format_amount(cents, text):
    assert format_amount(cents) == text


def test_format_uses_the_given_sign_and_exports_use_none():
    assert format_amount(-550, sign=" CB") == "-5.50 CB"
    assert cents_to_str(-500) == "-5.00"
    assert cents_to_str(7) == "0.07"
    assert cents_to_decimal(-1234) == Decimal("-12.34")


# --- split_budget -------------------------------------------------------------------------------------


def test_dining_60_among_7():
    assert split_budget(6000, [1] * 7) == [858] + [857] * 6


def test_largest_remainders_get_the_extra_cents():
    # exact shares 16.666.., 33.333.., 50: the 2/3 remainder gets the one left-over cent
    assert split_budget(100, [1, 2, 3]) == [17, 33, 50]
    # exact: 10/7 = 1.428.., 20/7 = 2.857.., 40/7 = 5.714..: two cents left; remainders .857 and .714 win
    assert split_budget(10, [1, 2, 4]) == [1, 3, 6]
    # the largest remainder wins even when it stands last
    assert split_budget(1, [1, 3]) == [0, 1]


def test_ties_go_to_the_earlier_position():
    assert split_budget(2, [1, 1, 1]) == [1, 1, 0]
    assert split_budget(1, [1, 1, 1, 1]) == [1, 0, 0, 0]
    # every remainder is one half: the three left-over cents go to the first three places
    assert split_budget(5, [3, 1, 1, 1, 1, 3]) == [2, 1, 1, 0, 0, 1]


def test_split_special_cases():
    assert split_budget(0, [1, 2]) == [0, 0]
    assert split_budget(500, [0, 0]) == [0, 0]  # nobody to pay: nobody is paid
    assert split_budget(500, []) == []
    assert split_budget(500, [0, 1, 0]) == [0, 500, 0]
    assert split_budget(7, [Fraction(1, 3), Fraction(2, 3)]) == [2, 5]
    with pytest.raises(ValueError):
        split_budget(-1, [1])
    with pytest.raises(ValueError):
        split_budget(100, [1, -1])


weights_strategy = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10_000),
        st.fractions(min_value=0, max_value=100, max_denominator=1000),
    ),
    min_size=1,
    max_size=40,
).filter(lambda ws: any(w != 0 for w in ws))


@given(budget=st.integers(min_value=0, max_value=10_000_000), weights=weights_strategy)
def test_split_always_sums_exactly_and_follows_largest_remainders(budget, weights):
    shares = split_budget(budget, weights)
    assert len(shares) == len(weights)
    assert sum(shares) == budget
    total = sum(Fraction(w) for w in weights)
    exact = [budget * Fraction(w) / total for w in weights]
    floors = [e.numerator // e.denominator for e in exact]
    extra = [s - f for s, f in zip(shares, floors, strict=True)]
    assert all(e in (0, 1) for e in extra), "each share is its exact share rounded down, or one cent more"
    for i, w in enumerate(weights):
        if w == 0:
            assert shares[i] == 0
    remainder = [e - f for e, f in zip(exact, floors, strict=True)]
    winners = [i for i, e in enumerate(extra) if e]
    losers = [i for i, e in enumerate(extra) if not e]
    for i in winners:
        for j in losers:
            assert (remainder[i], -i) > (remainder[j], -j), (
                f"position {i} got an extra cent over position {j} without a larger remainder or an earlier place"
            )


@given(budget=st.integers(min_value=0, max_value=1_000_000), n=st.integers(min_value=1, max_value=500))
def test_equal_weights_differ_by_at_most_a_cent_and_earlier_places_get_more(budget, n):
    shares = split_budget(budget, [1] * n)
    assert sum(shares) == budget
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True), "the extra cents go to the first places in roster order"

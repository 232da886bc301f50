"""`fac_pass`: each student paid the amount given, with `fac_pass` +1."""

from __future__ import annotations

import pytest

from campbank.core.errors import InputError
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.fac_pass import RULE


def payload(amounts, **extra):
    return {"type": "fac_pass", "amounts": amounts, **extra}


def test_registered_with_its_form(season):
    assert REGISTRY["fac_pass"] is RULE
    (field,) = RULE.fields(season)
    assert (field.name, field.kind) == ("amounts", "per_student_amount")


def test_each_gets_the_amount_and_a_pass(season, make_ctx, lines):
    money_of, counters_of = lines
    entries = RULE.build(payload({"cat": "12.5", "ann": 30, "bob": "0.01"}), make_ctx(season))
    assert money_of(entries) == {"ann": 3000, "bob": 1, "cat": 1250}
    assert {m.money_type for m in entries.money} == {"fac_pass_reward"}
    assert [m.receiver for m in entries.money] == ["ann", "bob", "cat"]  # roster order
    assert counters_of(entries) == {(u, "fac_pass"): (1, None) for u in ("ann", "bob", "cat")}


@pytest.mark.parametrize(("amount", "message"), [
    ("1.005", "more than 2 decimals"),
    ("0", "at least 0.01"),
    ("0.00", "at least 0.01"),
    ("-5", "at least 0.01"),
    ("100000.01", "must not exceed 100000.00"),
    ("1e3", "exponent"),
    ("NaN", "not a number"),
    ("", "blank"),
    (12.5, "floating-point"),
    (True, "true/false"),
])
def test_bad_amounts_are_refused_naming_the_student(season, make_ctx, amount, message):
    with pytest.raises(InputError, match=message) as caught:
        RULE.build(payload({"ann": "5", "bob": amount}), make_ctx(season))
    assert caught.value.field == "amounts.bob"


def test_the_limit_comes_from_the_season(season, make_ctx, lines):
    from dataclasses import replace

    money_of, _ = lines
    assert money_of(RULE.build(payload({"ann": "100000"}), make_ctx(season))) == {"ann": 10_000_000}
    with pytest.raises(InputError, match=r"must not exceed 50\.00"):
        RULE.build(payload({"ann": "50.01"}), make_ctx(replace(season, amount_limit=5000)))


@pytest.mark.parametrize(("amounts", "field"), [
    ({}, "amounts"),
    (None, "amounts"),
    (["ann"], "amounts"),
    ({"zed": 5}, "amounts.zed"),
    ({"teacher": 5}, "amounts.teacher"),
    ({"gone": 5}, "amounts.gone"),
])
def test_people_must_be_active_students(season, make_ctx, amounts, field):
    with pytest.raises(InputError) as caught:
        RULE.build(payload(amounts), make_ctx(season))
    assert caught.value.field == field


# --------------------------------------------------------------------------- through the ledger


def test_posted_through_the_ledger(camp):
    grant = camp.season.initial_grant
    posted = camp.post(payload({"ann": "12.50", "bob": "20"}, date="2018-08-08"))
    assert (posted.recipients, posted.total) == (2, 3250)
    assert camp.balance("ann") == grant + 1250
    assert camp.balance("bob") == grant + 2000
    assert camp.counters("ann") == camp.counters("bob") == {"fac_pass": 1}
    assert camp.counters("cat") == {}
    assert camp.balance("teacher") == -3250
    assert verify_file(camp.db.path).ok


def test_three_decimals_write_nothing(camp):
    before = camp.transaction_count()
    with pytest.raises(InputError) as caught:
        camp.post(payload({"ann": "12.505"}, date="2018-08-08"))
    assert caught.value.field == "amounts.ann"
    assert camp.transaction_count() == before

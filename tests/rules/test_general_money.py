"""`general_money`: pay listed students an amount of a chosen money type; the bank's own types (the
initial grant) are for a manager only, whoever asks (form, `post`, the API)."""

from __future__ import annotations

import pytest
from fixtures_ledger import actor_named, balance, camp
from fixtures_pure import both_seasons, context, money_of, person

from campbank.core.errors import InputError
from campbank.ledger.actions.posting import post
from campbank.rules.general_money import RULE

MANAGER = person("boss", "Boss Bella", role="manager", balance=0, id=101)


def build(season, money_type, amounts, creator=None):  # type: ignore[no-untyped-def]
    payload = {"type": "general_money", "money_type": money_type, "amounts": amounts}
    return RULE.build(payload, context(season, creator=creator) if creator else context(season))


@both_seasons
def test_staff_pay_a_money_type_of_the_form(season):
    kind = next(code for code, t in season.types_for_form("general_money").items() if t.group != "technical")
    assert money_of(build(season, kind, {"ivanov": "2.50", "petrov": 1})) == {"ivanov": 2_50, "petrov": 1_00}


@both_seasons
def test_the_initial_grant_is_refused_to_staff_and_allowed_to_a_manager(season):
    with pytest.raises(InputError, match="only a manager") as refused:
        build(season, "initial", {"ivanov": 10})
    assert refused.value.field == "money_type"
    assert money_of(build(season, "initial", {"ivanov": 10}, creator=MANAGER)) == {"ivanov": 10_00}


def test_staff_posting_an_initial_grant_writes_nothing(db):  # type: ignore[no-untyped-def]
    teacher = camp(db, "ivanov")
    before = balance(db, "ivanov")
    payload = {"type": "general_money", "money_type": "initial", "date": "2018-08-09",
               "amounts": {"ivanov": "500"}}
    with pytest.raises(InputError, match="only a manager"):
        post(db, teacher, payload)
    assert balance(db, "ivanov") == before
    post(db, actor_named(db, "manager"), payload)  # a manager putting a mistake right
    assert balance(db, "ivanov") == before + 500_00

"""`lab`: exactly two different students, each paid their own amount, each a lab pass, each told the partner."""

from __future__ import annotations

import pytest
from fixtures_ledger import balance, camp, row
from fixtures_pure import SEASONS, both_seasons, context, counters_of, money_of

from campbank.core.errors import InputError
from campbank.ledger.actions.posting import post
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.lab import RULE


def build(season, partners):  # type: ignore[no-untyped-def]
    return RULE.build({"type": "lab", "partners": partners}, context(season))


@both_seasons
def test_two_partners_each_get_their_amount_and_a_lab_pass(season):
    entries = build(season, [{"username": "petrov", "amount": "12.50"}, {"username": "ivanov", "amount": 10}])
    assert money_of(entries) == {"petrov": 12_50, "ivanov": 10_00}
    assert {m.money_type for m in entries.money} == {"lab_pass_reward"}
    assert counters_of(entries) == {("petrov", "lab_pass"): 1, ("ivanov", "lab_pass"): 1}
    descriptions = {m.receiver: m.description for m in entries.money}
    assert descriptions == {"petrov": "lab with Ivanov Ivan", "ivanov": "lab with Petrov Petr"}


@pytest.mark.parametrize(
    "partners",
    [
        [{"username": "ivanov", "amount": 10}],
        [],
        [{"username": "ivanov", "amount": 10}, {"username": "petrov", "amount": 10},
         {"username": "sidorov", "amount": 10}],
        [{"username": "ivanov", "amount": 10}, {"username": "ivanov", "amount": 5}],
        [{"username": "ivanov", "amount": 10}, {"username": "petrov"}],
        [{"username": "ivanov", "amount": 10}, {"amount": 10}],
        [{"username": "ivanov", "amount": 10}, {"username": "petrov", "amount": 10, "grade": 5}],
        [{"username": "ivanov", "amount": 10}, "petrov"],
        [{"username": "ivanov", "amount": 10}, {"username": "teacher", "amount": 10}],
        [{"username": "ivanov", "amount": 10}, {"username": "retired", "amount": 10}],
        [{"username": "ivanov", "amount": 10}, {"username": "nobody", "amount": 10}],
        {"ivanov": 10, "petrov": 10},
        None,
    ],
    ids=["one", "none", "three", "same-twice", "no-amount", "no-username", "extra-key", "not-an-object",
         "staff", "deactivated", "unknown", "a-map", "missing"],
)
@both_seasons
def test_anything_but_two_different_students_is_refused(season, partners):
    with pytest.raises(InputError) as caught:
        build(season, partners)
    assert caught.value.field == "partners"


@pytest.mark.parametrize("amount", ["0", "-5", "1.005", "nan", True, 1.5, "", 100_001])
@both_seasons
def test_a_bad_amount_is_refused_naming_the_partner(season, amount):
    with pytest.raises(InputError) as caught:
        build(season, [{"username": "ivanov", "amount": 10}, {"username": "petrov", "amount": amount}])
    assert caught.value.field == "partners.petrov"


def test_form_fields_and_registry():
    assert REGISTRY["lab"] is RULE
    kinds = {f.name: f.kind for f in RULE.fields(SEASONS["classic"])}
    assert kinds == {"date": "date", "partners": "partners"}


def test_lab_through_the_ledger(db):  # type: ignore[no-untyped-def]
    teacher = camp(db, "ivanov", "petrov")
    posted = post(db, teacher, {"type": "lab", "date": "2018-08-07", "partners": [
        {"username": "ivanov", "amount": "15"}, {"username": "petrov", "amount": "12.5"}]})
    assert posted.total == 27_50 and posted.recipients == 2
    assert balance(db, "ivanov") == 120_00 + 15_00
    assert balance(db, "petrov") == 120_00 + 12_50
    assert row(db, "ivanov").counters["lab_pass"] == 1
    assert row(db, "petrov").counters["lab_pass"] == 1
    assert balance(db, "teacher") == -27_50
    assert verify_file(db.path).ok
    with pytest.raises(InputError) as caught:
        post(db, teacher, {"type": "lab", "date": "2018-08-07", "partners": [{"username": "ivanov", "amount": 5}]})
    assert caught.value.field == "partners"

"""`dining_services`: the dining budget (60@) shared exactly among the students on duty."""

from __future__ import annotations

import pytest
from fixtures_ledger import balance, camp
from fixtures_pure import SEASONS, both_seasons, context, money_of, person

from campbank.core.errors import InputError
from campbank.ledger.actions.posting import post
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.dining_services import RULE


def build(season, duty, attendees, *extra):  # type: ignore[no-untyped-def]
    return RULE.build({"type": "dining_services", "duty": duty, "attendees": attendees}, context(season, *extra))


@pytest.mark.parametrize("duty", ["potato", "serving", "bread_cut"])
@both_seasons
def test_seven_on_duty_share_60_as_8_58_and_six_times_8_57(season, duty):
    assert season.dining_budget == 60_00
    attendees = ["adams", "zaitsev", "volkov", "smirnov", "sidorov", "petrov", "ivanov"]
    entries = build(season, duty, attendees)
    # 6000 = 7 · 857 + 1: the left-over cent goes to the first in roster order (ivanov, Squad 1).
    assert money_of(entries) == {"ivanov": 8_58, "petrov": 8_57, "sidorov": 8_57, "smirnov": 8_57,
                                 "volkov": 8_57, "zaitsev": 8_57, "adams": 8_57}
    assert entries.total == 60_00
    assert {m.money_type for m in entries.money} == {duty}


@both_seasons
def test_one_two_and_three_on_duty(season):
    assert money_of(build(season, "potato", ["petrov"])) == {"petrov": 60_00}
    assert money_of(build(season, "potato", ["petrov", "ivanov"])) == {"ivanov": 30_00, "petrov": 30_00}
    assert money_of(build(season, "potato", ["petrov", "ivanov", "adams"])) == {
        "ivanov": 20_00, "petrov": 20_00, "adams": 20_00}


@both_seasons
def test_eleven_on_duty_add_up_to_60(season):
    extra = tuple(person(f"k{i:02d}", f"Kid {i:02d}", squad="Squad 4") for i in range(11))
    entries = build(season, "serving", [p.username for p in extra], *extra)
    # 6000 / 11 = 545.45…: 11 · 545 = 5995, 5 cents left over to the first five in roster order.
    assert [m.amount for m in entries.money] == [5_46] * 5 + [5_45] * 6
    assert [m.receiver for m in entries.money] == [f"k{i:02d}" for i in range(11)]
    assert entries.total == 60_00


@both_seasons
def test_bad_duty_or_attendees_are_refused(season):
    for bad in (None, "", "washing", ["potato"]):
        with pytest.raises(InputError) as caught:
            build(season, bad, ["ivanov"])
        assert caught.value.field == "duty"
    for bad in ([], None, "ivanov", ["ivanov", "ivanov"], ["teacher"], ["retired"], ["nobody"], [3]):
        with pytest.raises(InputError) as caught:
            build(season, "potato", bad)
        assert caught.value.field == "attendees"


def test_form_fields_and_registry():
    assert REGISTRY["dining_services"] is RULE
    kinds = {f.name: f.kind for f in RULE.fields(SEASONS["classic"])}
    assert kinds == {"duty": "choice", "date": "date", "attendees": "per_student_tick"}


def test_dining_through_the_ledger(db):  # type: ignore[no-untyped-def]
    teacher = camp(db)
    attendees = ["adams", "zaitsev", "volkov", "smirnov", "sidorov", "petrov", "ivanov"]
    posted = post(db, teacher, {"type": "dining_services", "duty": "potato", "date": "2018-08-08",
                                "attendees": attendees})
    assert posted.total == 60_00 and posted.recipients == 7
    assert balance(db, "ivanov") == 120_00 + 8_58
    assert [balance(db, u) for u in attendees[:-1]] == [120_00 + 8_57] * 6
    assert balance(db, "teacher") == -60_00
    assert verify_file(db.path).ok

"""`lecture`: attendance, and the growing fine for each miss (docs/rules.md#lecture: −(10 + 20·k))."""

from __future__ import annotations

import pytest

from campbank.core.errors import InputError
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.lecture import RULE


def payload(attendees=("ann", "bob"), absentees=("cat", "dan"), **extra):
    return {"type": "lecture", "attendees": list(attendees), "absentees": list(absentees), **extra}


def test_registered_with_its_form(season):
    assert REGISTRY["lecture"] is RULE
    fields = {f.name: f for f in RULE.fields(season)}
    assert list(fields) == ["attendees", "absentees"]
    assert {f.kind for f in fields.values()} == {"per_student_tick"}


def test_attendees_count_and_absentees_pay_more_for_each_miss(season, make_ctx, lines):
    money_of, counters_of = lines
    ctx = make_ctx(season, counters={"cat": {"lecture_miss": 2}, "dan": {"lecture_attend": 4}})
    entries = RULE.build(payload(), ctx)
    # cat already missed 2: 10 + 20·2 = 50@; dan never missed: 10@.
    assert money_of(entries) == {"cat": -5000, "dan": -1000}
    assert {m.receiver: (m.money_type, m.description) for m in entries.money} == {
        "cat": ("lecture_miss", "missed lecture #3"),
        "dan": ("lecture_miss", "missed lecture #1"),
    }
    assert counters_of(entries) == {
        ("ann", "lecture_attend"): (1, "lecture"),
        ("bob", "lecture_attend"): (1, "lecture"),
        ("cat", "lecture_miss"): (1, None),  # no block: they were not there
        ("dan", "lecture_miss"): (1, None),
    }


def test_the_fine_numbers_come_from_the_season(season, make_ctx, lines):
    from dataclasses import replace

    money_of, _ = lines
    changed = replace(season, lecture_fine_base=700, lecture_fine_step=300)
    ctx = make_ctx(changed, counters={"cat": {"lecture_miss": 3}})
    assert money_of(RULE.build(payload((), ("cat",)), ctx)) == {"cat": -1600}


def test_only_attendees_or_only_absentees(season, make_ctx, lines):
    money_of, counters_of = lines
    only_present = RULE.build({"type": "lecture", "attendees": ["ann"]}, make_ctx(season))
    assert money_of(only_present) == {}
    assert counters_of(only_present) == {("ann", "lecture_attend"): (1, "lecture")}
    only_absent = RULE.build({"type": "lecture", "absentees": ["ann"], "attendees": []}, make_ctx(season))
    assert money_of(only_absent) == {"ann": -1000}


@pytest.mark.parametrize("body", [{}, {"attendees": [], "absentees": []}, {"attendees": None}])
def test_somebody_must_be_named(season, make_ctx, body):
    with pytest.raises(InputError) as caught:
        RULE.build({"type": "lecture", **body}, make_ctx(season))
    assert caught.value.field == "attendees"


def test_a_student_cannot_both_attend_and_miss(season, make_ctx):
    with pytest.raises(InputError) as caught:
        RULE.build(payload(("ann", "bob"), ("cat", "bob")), make_ctx(season))
    assert caught.value.field == "absentees"
    assert "'bob'" in caught.value.message
    assert "'ann'" not in caught.value.message and "'cat'" not in caught.value.message


@pytest.mark.parametrize(("changes", "field"), [
    ({"absentees": ["teacher"]}, "absentees"),
    ({"attendees": ["teacher"]}, "attendees"),
    ({"absentees": ["cat", "cat"]}, "absentees"),
    ({"attendees": ["zed"]}, "attendees"),
    ({"absentees": ["gone"]}, "absentees"),
    ({"absentees": "cat"}, "absentees"),
])
def test_people_must_be_active_students_listed_once(season, make_ctx, changes, field):
    with pytest.raises(InputError) as caught:
        RULE.build({**payload(), **changes}, make_ctx(season))
    assert caught.value.field == field


# --------------------------------------------------------------------------- through the ledger


def test_posted_through_the_ledger(camp):
    grant = camp.season.initial_grant
    first = camp.post(payload(["ann"], ["bob", "cat"], date="2018-08-07"))
    assert (first.recipients, first.total) == (3, -2000)
    second = camp.post(payload(["ann", "cat"], ["bob"], date="2018-08-08"))
    assert second.total == -3000  # bob's second miss: 10 + 20·1
    third = camp.post(payload([], ["bob"], date="2018-08-09"))
    assert third.total == -5000  # bob's third miss: 10 + 20·2 = 50@
    assert camp.balance("bob") == grant - 1000 - 3000 - 5000
    assert camp.counters("bob") == {"lecture_miss": 3}
    assert camp.balance("cat") == grant - 1000
    assert camp.counters("cat") == {"lecture_miss": 1, "lecture_attend": 1}
    assert camp.balance("ann") == grant
    assert camp.counters("ann") == {"lecture_attend": 2}
    assert camp.balance("teacher") == 9000 + 1000  # the creator receives the fines
    assert verify_file(camp.db.path).ok

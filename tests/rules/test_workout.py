"""`workout`: the budget shared exactly, or the minimum share each (docs/rules.md#workout: max(1, 25/n) @)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from campbank.core.errors import InputError
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.workout import RULE, workout_shares


def payload(attendees, **extra):
    return {"type": "workout", "attendees": list(attendees), **extra}


def test_registered_with_its_form(season):
    assert REGISTRY["workout"] is RULE
    (field,) = RULE.fields(season)
    assert (field.name, field.kind) == ("attendees", "per_student_tick")


def test_one_attendee_gets_the_whole_budget(season, make_ctx, lines):
    money_of, counters_of = lines
    entries = RULE.build(payload(["cat"]), make_ctx(season))
    assert money_of(entries) == {"cat": 2500}
    assert entries.money[0].money_type == "workout_reward"
    assert counters_of(entries) == {("cat", "workout"): (1, "workout")}


def test_three_share_25_exactly_the_extra_cent_to_the_first_in_roster_order(season, make_ctx, lines):
    money_of, counters_of = lines
    entries = RULE.build(payload(["cat", "bob", "ann"]), make_ctx(season))
    # 2500 / 3 = 833.33…: 833 each, the one cent left goes to ann (Squad 1, Adams) first in roster order.
    assert money_of(entries) == {"ann": 834, "bob": 833, "cat": 833}
    assert entries.total == 2500
    assert counters_of(entries) == {(u, "workout"): (1, "workout") for u in ("ann", "bob", "cat")}


def test_left_over_cents_follow_roster_order(season, make_ctx, lines, crowd):
    money_of, _ = lines
    people = crowd(24)
    entries = RULE.build(payload(p.username for p in people), make_ctx(season, *people))
    # 2500 / 24 = 104.1666…: 104 each and 4 cents left, to the first four of Squad 1 by surname.
    paid = money_of(entries)
    assert {u for u, amount in paid.items() if amount == 105} == {"s04", "s08", "s12", "s16"}
    assert sorted(paid.values()) == [104] * 20 + [105] * 4
    assert entries.total == 2500


def test_twenty_five_get_one_each(season, make_ctx, lines, crowd):
    money_of, _ = lines
    people = crowd(25)
    entries = RULE.build(payload(p.username for p in people), make_ctx(season, *people))
    assert set(money_of(entries).values()) == {100}
    assert entries.total == 2500


def test_thirty_still_get_the_minimum_of_one_each(season, make_ctx, lines, crowd):
    money_of, counters_of = lines
    people = crowd(30)
    entries = RULE.build(payload(p.username for p in people), make_ctx(season, *people))
    assert money_of(entries) == {p.username: 100 for p in people}
    assert entries.total == 3000  # more than the budget: max(1, 25/30) = 1@ each
    assert len(counters_of(entries)) == 30


def test_the_numbers_come_from_the_season(classic):
    assert workout_shares(30, replace(classic, workout_min_share=50)) == [84] * 10 + [83] * 20
    assert workout_shares(3, replace(classic, workout_budget=1000)) == [334, 333, 333]
    assert workout_shares(11, replace(classic, workout_budget=1000)) == [100] * 11


@pytest.mark.parametrize(("attendees", "message"), [
    ([], "at least one"),
    (["ann", "bob", "ann"], "listed twice"),
    (["ann", "zed"], "no user called 'zed'"),
    (["ann", "teacher"], "'teacher' is not a student"),
    (["gone"], "deactivated"),
])
def test_refusals(season, make_ctx, attendees, message):
    with pytest.raises(InputError, match=message) as caught:
        RULE.build(payload(attendees), make_ctx(season))
    assert caught.value.field == "attendees"


# --------------------------------------------------------------------------- through the ledger


def test_posted_through_the_ledger(camp):
    grant = camp.season.initial_grant
    posted = camp.post(payload(["cat", "bob", "ann"], date="2018-08-08"))
    assert (posted.recipients, posted.total) == (3, 2500)
    assert [camp.balance(u) for u in ("ann", "bob", "cat")] == [grant + 834, grant + 833, grant + 833]
    assert camp.counters("ann") == camp.counters("bob") == camp.counters("cat") == {"workout": 1}
    assert camp.balance("teacher") == -2500
    assert verify_file(camp.db.path).ok

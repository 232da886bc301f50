"""`seminar`: worked examples of docs/rules.md#seminar under both seasons (piecewise and linear reward)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from campbank.core.errors import InputError
from campbank.core.season import SeminarReward
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.seminar import RULE, seminar_reward

# Marks summing to a given total (criteria of docs/rules.md#seminar; the two shipped seasons share them).
WORST = {"topic_match": -1, "knowledge": -1, "logic": -1, "disclosure": -1, "oratory": 0,
         "illustrations": 0, "originality": 0, "discussion": 0, "discretion": -1}  # -5
BEST = {"topic_match": 1, "knowledge": 3, "logic": 3, "disclosure": 3, "oratory": 1,
        "illustrations": 2, "originality": 1, "discussion": 2, "discretion": 3}  # 19
SEVEN = {"topic_match": 1, "knowledge": 2, "logic": 1, "disclosure": 1, "oratory": 1,
         "illustrations": 1, "originality": 0, "discussion": 0, "discretion": 0}  # 7
ZERO = dict.fromkeys(BEST, 0)
ONE = {**ZERO, "oratory": 1}


def payload(marks=SEVEN, *, block="seminar_2", speaker="ann", attendees=("bob", "cat"), **extra):
    return {"type": "seminar", "block": block, "speaker": speaker, "attendees": list(attendees),
            "marks": dict(marks), **extra}


def test_registered_with_its_form(season):
    assert REGISTRY["seminar"] is RULE
    fields = {f.name: f for f in RULE.fields(season)}
    assert list(fields) == ["block", "speaker", "attendees", "marks"]
    assert fields["block"].kind == "block"
    assert fields["block"].choices == ("seminar_1", "seminar_2", "seminar_3")
    assert fields["speaker"].kind == "student"
    assert fields["attendees"].kind == "per_student_tick"
    assert fields["marks"].kind == "marks"
    assert fields["marks"].choices == tuple(season.seminar_criteria)


def test_the_example_marks_sum_as_intended():
    assert [sum(m.values()) for m in (WORST, BEST, SEVEN, ZERO, ONE)] == [-5, 19, 7, 0, 1]


# (marks, mark, piecewise cents, linear cents)
EXAMPLES = [
    (WORST, -5, -5000, 0),  # a bad seminar costs 50@ (piecewise); linear pays (0/24)·80 = 0
    (BEST, 19, 9500, 8000),  # 5·19 = 95@; (24/24)·80 = 80@
    (SEVEN, 7, 3500, 4000),  # 5·7 = 35@; (12/24)·80 = 40@
    (ONE, 1, 500, 2000),  # 5@; (6/24)·80 = 20@
    (ZERO, 0, 0, 1667),  # 10·0 = 0; (5/24)·80 = 16.666… -> 16.67@
]


@pytest.mark.parametrize(("marks", "mark", "piecewise", "linear"), EXAMPLES, ids=lambda v: str(v))
def test_reward_worked_examples(season, make_ctx, lines, marks, mark, piecewise, linear):
    money_of, counters_of = lines
    expected = {"piecewise": piecewise, "linear": linear}[season.seminar_reward.formula]
    entries = RULE.build(payload(marks), make_ctx(season))
    assert money_of(entries) == ({"ann": expected} if expected else {})
    if expected:
        (line,) = entries.money
        assert line.money_type == "seminar_pass_reward"
        assert line.description == f"seminar mark {mark}"
    assert counters_of(entries) == {
        ("ann", "seminar_pass"): (1, "seminar_2"),
        ("bob", "seminar_attend"): (1, "seminar_2"),
        ("cat", "seminar_attend"): (1, "seminar_2"),
    }


def test_formula_per_season(classic, flat):
    assert classic.seminar_reward.formula == "piecewise"
    assert flat.seminar_reward.formula == "linear"


def test_linear_reward_rounds_to_the_nearest_cent_halves_up():
    reward = SeminarReward("linear", linear_offset=0, linear_span=4, linear_maximum=2)
    assert [seminar_reward(m, reward) for m in (-3, -1, 1, 2, 3, 5)] == [-1, 0, 1, 1, 2, 3]
    flat_like = SeminarReward("linear")  # (mark + 5) / 24 · 80@
    assert [seminar_reward(m, flat_like) for m in range(-5, 20)][:4] == [0, 333, 667, 1000]


def test_reward_numbers_come_from_the_season(classic, make_ctx, lines):
    money_of, _ = lines
    season = replace(classic, seminar_reward=replace(classic.seminar_reward, per_good_point=700,
                                                     per_bad_point=200))
    assert money_of(RULE.build(payload(SEVEN), make_ctx(season))) == {"ann": 4900}
    assert money_of(RULE.build(payload(WORST), make_ctx(season))) == {"ann": -1000}


def test_nobody_attending_is_fine(season, make_ctx, lines):
    _, counters_of = lines
    entries = RULE.build(payload(attendees=()), make_ctx(season))
    assert counters_of(entries) == {("ann", "seminar_pass"): (1, "seminar_2")}
    no_key = payload()
    del no_key["attendees"]
    assert counters_of(RULE.build(no_key, make_ctx(season))) == {("ann", "seminar_pass"): (1, "seminar_2")}


def refused(season, make_ctx, body) -> InputError:
    with pytest.raises(InputError) as caught:
        RULE.build(body, make_ctx(season))
    return caught.value


def test_a_criterion_missing(season, make_ctx):
    marks = dict(SEVEN)
    del marks["discussion"]
    error = refused(season, make_ctx, payload(marks))
    assert error.field == "marks.discussion"
    assert "missing" in error.message


@pytest.mark.parametrize(("criterion", "value"), [("oratory", 2), ("knowledge", 4), ("topic_match", -2),
                                                  ("illustrations", -1)])
def test_a_mark_out_of_range(season, make_ctx, criterion, value):
    error = refused(season, make_ctx, payload({**SEVEN, criterion: value}))
    assert error.field == f"marks.{criterion}"
    assert str(value) in error.message


@pytest.mark.parametrize("value", [True, False, 1.0, "1", None, [1]])
def test_a_mark_that_is_not_a_whole_number(season, make_ctx, value):
    error = refused(season, make_ctx, payload({**SEVEN, "oratory": value}))
    assert error.field == "marks.oratory"


def test_an_unknown_criterion(season, make_ctx):
    error = refused(season, make_ctx, payload({**SEVEN, "charisma": 1}))
    assert error.field == "marks.charisma"
    assert "not a criterion" in error.message


@pytest.mark.parametrize("marks", [None, [], "7", 7])
def test_marks_must_be_a_map(season, make_ctx, marks):
    body = payload()
    body["marks"] = marks
    assert refused(season, make_ctx, body).field == "marks"


def test_the_speaker_among_the_attendees(season, make_ctx):
    error = refused(season, make_ctx, payload(attendees=("bob", "ann")))
    assert error.field == "attendees"
    assert "'ann'" in error.message


@pytest.mark.parametrize("block", ["fac_1", "lecture", "workout", "seminar_9", "", None, ["seminar_1"]])
def test_the_block_must_be_a_seminar_block(season, make_ctx, block):
    assert refused(season, make_ctx, payload(block=block)).field == "block"


@pytest.mark.parametrize(("changes", "field"), [
    ({"speaker": "teacher"}, "speaker"),  # staff
    ({"speaker": "zed"}, "speaker"),  # unknown
    ({"speaker": "gone"}, "speaker"),  # deactivated
    ({"speaker": None}, "speaker"),
    ({"attendees": ["bob", "teacher"]}, "attendees"),
    ({"attendees": ["bob", "zed"]}, "attendees"),
    ({"attendees": ["bob", "cat", "bob"]}, "attendees"),  # listed twice
    ({"attendees": "bob"}, "attendees"),
])
def test_people_must_be_active_students_listed_once(season, make_ctx, changes, field):
    assert refused(season, make_ctx, {**payload(), **changes}).field == field


# --------------------------------------------------------------------------- through the ledger


def test_posted_through_the_ledger(camp):
    grant = camp.season.initial_grant
    good = {"piecewise": 3500, "linear": 4000}[camp.season.seminar_reward.formula]
    posted = camp.post(payload(SEVEN, date="2018-08-08", description="Knots"))
    assert (posted.state, posted.recipients, posted.total) == ("processed", 3, good)
    assert camp.balance("ann") == grant + good
    assert camp.counters("ann") == {"seminar_pass": 1}
    assert camp.counters("bob") == camp.counters("cat") == {"seminar_attend": 1}
    assert camp.balance("bob") == camp.balance("cat") == grant
    assert camp.balance("teacher") == -good

    bad = {"piecewise": -5000, "linear": 0}[camp.season.seminar_reward.formula]
    posted = camp.post(payload(WORST, speaker="bob", attendees=["ann"], block="seminar_3", date="2018-08-08"))
    assert posted.total == bad
    assert camp.balance("bob") == grant + bad  # a bad seminar costs 50@ in the classic season
    assert camp.counters("bob") == {"seminar_attend": 1, "seminar_pass": 1}
    assert camp.counters("ann") == {"seminar_pass": 1, "seminar_attend": 1}
    assert camp.balance("teacher") == -good - bad
    assert verify_file(camp.db.path).ok


def test_the_ledger_refuses_keys_the_form_does_not_have(camp):
    with pytest.raises(InputError) as caught:
        camp.post(payload(date="2018-08-08", score=7))
    assert caught.value.field == "score"
    assert camp.counters("ann") == {}

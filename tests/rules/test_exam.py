"""`exam`: pool = 80@ · N shared ∝ √score, exactly, under both season files; and through the real ledger."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from fixtures_ledger import balance, camp
from fixtures_pure import SEASONS, both_seasons, context, money_of

from campbank.core.errors import InputError
from campbank.ledger.actions.posting import post
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.exam import RULE, parse_score, sqrt_weight


def build(season, scores):  # type: ignore[no-untyped-def]
    return RULE.build({"type": "exam", "scores": scores}, context(season))


@both_seasons
def test_scores_0_1_4_9_share_320_in_proportion_0_1_2_3(season):
    assert season.exam_pool_per_student == 80_00
    entries = build(season, {"ivanov": 0, "petrov": 1, "sidorov": 4, "smirnov": 9})
    # N = 4: pool 320@. S = 0 + 1 + 2 + 3 = 6. Exact: 0, 53.333…, 106.666…, 160.
    # Floors 0 + 5333 + 10666 + 16000 = 31999; the one cent left goes to the largest remainder (.666…: sidorov).
    assert money_of(entries) == {"petrov": 53_33, "sidorov": 106_67, "smirnov": 160_00}
    assert entries.total == 320_00
    assert {m.money_type for m in entries.money} == {"exam"}
    assert "ivanov" not in entries.recipients  # a zero score counts in N but earns nothing


@both_seasons
def test_all_zero_scores_pay_nobody(season):
    entries = build(season, {"ivanov": 0, "petrov": "0", "sidorov": "0.00"})
    assert entries.money == () and entries.counters == ()


@both_seasons
def test_equal_remainders_go_in_roster_order_not_payload_order(season):
    # N = 4, pool 320@; three equal scores: 106.666… each, floors 3 · 10666 = 31998, 2 cents left over.
    # Roster order: ivanov (Squad 1), volkov (Squad 2), adams (Squad 3): the first two get a cent.
    entries = build(season, {"adams": 5, "volkov": 5, "ivanov": 5, "petrov": 0})
    assert money_of(entries) == {"ivanov": 106_67, "volkov": 106_67, "adams": 106_66}
    assert entries.total == 320_00


@both_seasons
def test_decimal_scores_as_numbers_or_strings(season):
    # √2.25 = 1.5 and √1 = 1: N = 2, pool 160@ shared 1.5 : 1 -> 96@ and 64@.
    for score in ("2.25", 2.25, " 2.250 "):
        assert money_of(build(season, {"ivanov": score, "petrov": "1"})) == {"ivanov": 96_00, "petrov": 64_00}


@both_seasons
def test_irrational_roots_still_add_up_exactly(season):
    scores = {"ivanov": 2, "petrov": 3, "sidorov": 5, "smirnov": "7.5", "volkov": 11, "zaitsev": 0}
    entries = build(season, scores)
    pool = 80_00 * 6
    assert entries.total == pool
    roots = {name: float(Decimal(str(s)).sqrt()) for name, s in scores.items()}
    total = sum(roots.values())
    for name, share in money_of(entries).items():
        assert abs(share - pool * roots[name] / total) < 1  # within a cent of the exact share


@both_seasons
def test_one_student_gets_the_whole_pool_of_one(season):
    assert money_of(build(season, {"ivanov": 3})) == {"ivanov": 80_00}


@pytest.mark.parametrize(
    "bad",
    [-1, "-0.5", -0.5, "nan", float("nan"), float("inf"), "Infinity", True, False, "abc", "", "1e3", None,
     [1], {"a": 1}, "1,5", 10**12],
)
@both_seasons
def test_bad_scores_are_refused_naming_the_student(season, bad):
    with pytest.raises(InputError) as caught:
        build(season, {"ivanov": 4, "petrov": bad})
    assert caught.value.field == "scores.petrov"


@both_seasons
def test_scores_must_name_active_students(season):
    for who in ("nobody", "teacher", "retired"):
        with pytest.raises(InputError) as caught:
            build(season, {who: 1})
        assert caught.value.field == f"scores.{who}"
    for empty in ({}, None, [], "ivanov"):
        with pytest.raises(InputError) as caught:
            build(season, empty)
        assert caught.value.field == "scores"


def test_parse_score_and_exact_roots():
    assert parse_score(" 7.50 ", field="s") == Decimal("7.50")
    assert parse_score(0, field="s") == 0
    assert parse_score("-0", field="s") == 0
    assert sqrt_weight(Decimal(9)) == 3
    assert sqrt_weight(Decimal("0.25")) == Fraction(1, 2)


def test_form_fields_and_registry():
    assert REGISTRY["exam"] is RULE
    (scores,) = RULE.fields(SEASONS["classic"])
    assert (scores.name, scores.kind) == ("scores", "per_student_number")


def test_exam_through_the_ledger(db):  # type: ignore[no-untyped-def]
    teacher = camp(db, "ivanov", "petrov", "sidorov", "smirnov")
    posted = post(db, teacher, {"type": "exam", "date": "2018-08-10",
                                "scores": {"ivanov": 0, "petrov": "1", "sidorov": 4, "smirnov": 9.0}})
    assert posted.state == "processed" and posted.total == 320_00 and posted.recipients == 3
    assert balance(db, "ivanov") == 120_00
    assert balance(db, "petrov") == 120_00 + 53_33
    assert balance(db, "sidorov") == 120_00 + 106_67
    assert balance(db, "smirnov") == 120_00 + 160_00
    assert balance(db, "teacher") == -320_00
    assert verify_file(db.path).ok

"""`activity`: sport prizes, single and team event prizes split exactly, and certificates for first places."""

from __future__ import annotations

import pytest
from fixtures_ledger import balance, camp, row
from fixtures_pure import SEASONS, both_seasons, context, counters_of, money_of

from campbank.core.errors import InputError
from campbank.ledger.actions.posting import post
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.activity import RULE


def build(season, activity_type, places, certificates=None):  # type: ignore[no-untyped-def]
    payload = {"type": "activity", "activity_type": activity_type, "places": places}
    if certificates is not None:
        payload["certificates"] = certificates
    return RULE.build(payload, context(season))


@pytest.mark.parametrize("event", ["evening_activity", "day_activity"])
@both_seasons
def test_single_winners_of_places_1_to_3_get_20_15_10_and_place_4_nothing(season, event):
    entries = build(season, event, {"ivanov": 1, "petrov": 2, "sidorov": 3, "smirnov": 4})
    assert money_of(entries) == {"ivanov": 20_00, "petrov": 15_00, "sidorov": 10_00}
    assert {m.money_type for m in entries.money} == {event}
    assert "smirnov" not in entries.recipients
    assert entries.counters == ()


@both_seasons
def test_a_team_of_three_in_second_place_shares_100_exactly(season):
    # 100@ / 3 = 33.333…: floors 3 · 3333 = 9999, the left-over cent to the first in roster order.
    entries = build(season, "evening_activity", {"volkov": 2, "smirnov": 2, "ivanov": 2})
    assert money_of(entries) == {"ivanov": 33_34, "smirnov": 33_33, "volkov": 33_33}
    assert entries.total == 100_00
    assert all("team of 3" in m.description for m in entries.money)


@both_seasons
def test_teams_and_singles_in_one_event(season):
    entries = build(
        season,
        "day_activity",
        {"ivanov": 1, "petrov": 2, "sidorov": 2, "smirnov": 3, "volkov": 3, "zaitsev": 3, "adams": 4},
    )
    # place 1 alone: 20@; place 2, team of 2: 100@ -> 50 + 50; place 3, team of 3: 80@ -> 26.67, 26.67, 26.66.
    assert money_of(entries) == {
        "ivanov": 20_00, "petrov": 50_00, "sidorov": 50_00,
        "smirnov": 26_67, "volkov": 26_67, "zaitsev": 26_66,
    }
    assert entries.total == 20_00 + 100_00 + 80_00


@both_seasons
def test_a_team_in_first_place_shares_120(season):
    entries = build(season, "evening_activity", {"ivanov": 1, "petrov": 1, "sidorov": 1, "smirnov": 1, "adams": 1})
    assert money_of(entries) == {"ivanov": 24_00, "petrov": 24_00, "sidorov": 24_00, "smirnov": 24_00,
                                 "adams": 24_00}


@both_seasons
def test_sport_pays_each_person_20_15_10_5(season):
    entries = build(season, "sport_activity", {"ivanov": 1, "petrov": 2, "sidorov": 3, "smirnov": 4, "volkov": 1})
    assert money_of(entries) == {"ivanov": 20_00, "volkov": 20_00, "petrov": 15_00, "sidorov": 10_00,
                                 "smirnov": 5_00}
    assert {m.money_type for m in entries.money} == {"sport_activity"}


@pytest.mark.parametrize("bad", [0, 5, -1, "1", 1.0, 2.5, True, None, [1]])
@both_seasons
def test_a_place_outside_1_to_4_is_refused(season, bad):
    with pytest.raises(InputError) as caught:
        build(season, "sport_activity", {"ivanov": 1, "petrov": bad})
    assert caught.value.field == "places.petrov"


@both_seasons
def test_bad_activity_type_and_places(season):
    for bad in (None, "", "concert", ["sport_activity"]):
        with pytest.raises(InputError) as caught:
            build(season, bad, {"ivanov": 1})
        assert caught.value.field == "activity_type"
    for bad in ({}, None, ["ivanov"]):
        with pytest.raises(InputError) as caught:
            build(season, "sport_activity", bad)
        assert caught.value.field == "places"
    for who in ("nobody", "teacher", "retired"):
        with pytest.raises(InputError) as caught:
            build(season, "sport_activity", {who: 1})
        assert caught.value.field == f"places.{who}"


@pytest.mark.parametrize("event", ["evening_activity", "day_activity", "sport_activity"])
@both_seasons
def test_a_first_place_winner_marked_for_a_certificate_gets_50_of_certificates(season, event):
    assert season.activity_certificate == 50_00
    entries = build(season, event, {"ivanov": 1, "petrov": 2}, certificates=["ivanov"])
    assert counters_of(entries) == {("ivanov", "book_certificate"): 50_00}
    assert money_of(entries)["ivanov"] == 20_00  # the prize is paid as well
    assert entries.counters[0].block is None


@both_seasons
def test_every_marked_member_of_a_winning_team_gets_a_certificate(season):
    entries = build(season, "evening_activity", {"ivanov": 1, "petrov": 1, "sidorov": 1},
                    certificates=["petrov", "ivanov"])
    assert counters_of(entries) == {("ivanov", "book_certificate"): 50_00, ("petrov", "book_certificate"): 50_00}
    assert money_of(entries) == {"ivanov": 40_00, "petrov": 40_00, "sidorov": 40_00}


@both_seasons
def test_a_certificate_for_a_second_place_is_refused(season):
    with pytest.raises(InputError) as caught:
        build(season, "evening_activity", {"ivanov": 1, "petrov": 2}, certificates=["ivanov", "petrov"])
    assert caught.value.field == "certificates"
    assert "only a first place" in caught.value.message


@both_seasons
def test_a_certificate_for_someone_without_a_place_is_refused(season):
    for listed in (["sidorov"], ["nobody"], ["ivanov", "ivanov"], "ivanov"):
        with pytest.raises(InputError) as caught:
            build(season, "evening_activity", {"ivanov": 1}, certificates=listed)
        assert caught.value.field == "certificates"


@both_seasons
def test_no_certificates_is_fine(season):
    for empty in (None, []):
        assert build(season, "sport_activity", {"ivanov": 1}, certificates=empty).counters == ()


def test_form_fields_and_registry():
    assert REGISTRY["activity"] is RULE
    kinds = {f.name: f.kind for f in RULE.fields(SEASONS["classic"])}
    assert kinds == {"activity_type": "choice", "date": "date", "places": "per_student_place",
                     "certificates": "per_student_tick"}


def test_activity_through_the_ledger(db):  # type: ignore[no-untyped-def]
    teacher = camp(db, "ivanov", "petrov", "sidorov", "smirnov", "volkov")
    posted = post(db, teacher, {
        "type": "activity", "activity_type": "evening_activity", "date": "2018-08-12",
        "places": {"ivanov": 1, "petrov": 2, "sidorov": 2, "smirnov": 2, "volkov": 4},
        "certificates": ["ivanov"],
    })
    assert posted.total == 120_00 and posted.recipients == 4
    assert balance(db, "ivanov") == 120_00 + 20_00
    assert row(db, "ivanov").certificates == 50_00
    assert [balance(db, u) for u in ("petrov", "sidorov", "smirnov")] == [120_00 + 33_34, 120_00 + 33_33,
                                                                          120_00 + 33_33]
    assert balance(db, "volkov") == 120_00
    assert balance(db, "teacher") == -120_00
    assert verify_file(db.path).ok
    with pytest.raises(InputError) as caught:
        post(db, teacher, {"type": "activity", "activity_type": "sport_activity", "date": "2018-08-12",
                           "places": {"ivanov": 5}})
    assert caught.value.field == "places.ivanov"

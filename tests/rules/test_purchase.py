"""`purchase`: goods, services and auctions cost money; for books, certificates pay first."""

from __future__ import annotations

import pytest
from fixtures_ledger import balance, camp, row
from fixtures_pure import SEASONS, both_seasons, context, counters_of, money_of, person

from campbank.core.errors import InputError
from campbank.ledger.actions.posting import post
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.purchase import RULE


def build(season, purchase_type, amounts, *extra):  # type: ignore[no-untyped-def]
    return RULE.build({"type": "purchase", "purchase_type": purchase_type, "amounts": amounts},
                      context(season, *extra))


def with_certificates(username: str, full_name: str, cents: int):  # type: ignore[no-untyped-def]
    return person(username, full_name, counters={"book_certificate": cents})


@pytest.mark.parametrize("kind", ["goods", "service", "auction"])
@both_seasons
def test_goods_services_and_auctions_cost_money_even_with_certificates(season, kind):
    rich = with_certificates("ivanov", "Ivanov Ivan", 100_00)
    entries = build(season, kind, {"ivanov": "12.50", "petrov": 3}, rich)
    assert money_of(entries) == {"ivanov": -12_50, "petrov": -3_00}
    assert {m.money_type for m in entries.money} == {kind}
    assert entries.counters == ()


@both_seasons
def test_books_with_30_of_certificates_for_50_spend_them_all_and_20_of_money(season):
    entries = build(season, "books", {"ivanov": 50}, with_certificates("ivanov", "Ivanov Ivan", 30_00))
    assert counters_of(entries) == {("ivanov", "book_certificate"): -30_00}
    assert money_of(entries) == {"ivanov": -20_00}
    assert entries.money[0].money_type == "books"
    assert "30.00" in entries.money[0].description


@both_seasons
def test_books_with_60_of_certificates_for_50_spend_50_of_them_and_no_money(season):
    entries = build(season, "books", {"ivanov": 50}, with_certificates("ivanov", "Ivanov Ivan", 60_00))
    assert counters_of(entries) == {("ivanov", "book_certificate"): -50_00}
    assert entries.money == ()


@both_seasons
def test_books_with_exactly_enough_certificates_cost_no_money(season):
    entries = build(season, "books", {"ivanov": "50.00"}, with_certificates("ivanov", "Ivanov Ivan", 50_00))
    assert counters_of(entries) == {("ivanov", "book_certificate"): -50_00}
    assert entries.money == ()


@both_seasons
def test_books_without_certificates_cost_money_only(season):
    entries = build(season, "books", {"petrov": 50})
    assert money_of(entries) == {"petrov": -50_00}
    assert entries.counters == ()
    assert entries.money[0].description == ""


@both_seasons
def test_books_for_several_students_each_with_their_own_certificates(season):
    entries = build(
        season, "books", {"ivanov": 50, "petrov": 50, "sidorov": 50},
        with_certificates("ivanov", "Ivanov Ivan", 30_00), with_certificates("petrov", "Petrov Petr", 60_00),
    )
    assert counters_of(entries) == {("ivanov", "book_certificate"): -30_00,
                                    ("petrov", "book_certificate"): -50_00}
    assert money_of(entries) == {"ivanov": -20_00, "sidorov": -50_00}


@both_seasons
def test_bad_purchase_type_or_amounts_are_refused(season):
    for bad in (None, "", "sweets", ["books"]):
        with pytest.raises(InputError) as caught:
            build(season, bad, {"ivanov": 5})
        assert caught.value.field == "purchase_type"
    for bad in ("0", "-5", "nan", 2.5):
        with pytest.raises(InputError) as caught:
            build(season, "books", {"ivanov": bad})
        assert caught.value.field == "amounts.ivanov"


def test_form_fields_and_registry():
    assert REGISTRY["purchase"] is RULE
    fields = {f.name: f for f in RULE.fields(SEASONS["classic"])}
    assert fields["purchase_type"].choices == ("goods", "books", "service", "auction")
    assert fields["amounts"].kind == "per_student_amount"


def give_certificates(db, teacher, usernames):  # type: ignore[no-untyped-def]
    """Certificates through a `certificate` transaction if there is one, else a first place at an event."""
    if "certificate" in REGISTRY:
        post(db, teacher, {"type": "certificate", "date": "2018-08-09", "certificates": usernames})
    else:
        post(db, teacher, {"type": "activity", "activity_type": "sport_activity", "date": "2018-08-09",
                           "places": dict.fromkeys(usernames, 1), "certificates": usernames})


def test_books_through_the_ledger(db):  # type: ignore[no-untyped-def]
    teacher = camp(db, "ivanov", "petrov")
    give_certificates(db, teacher, ["ivanov", "petrov"])
    give_certificates(db, teacher, ["petrov"])
    ivanov, petrov = row(db, "ivanov"), row(db, "petrov")
    value = ivanov.certificates
    assert value == (30_00 if "certificate" in REGISTRY else 50_00)
    assert petrov.certificates == 2 * value
    price = value + 20_00  # more than ivanov's certificates, less than petrov's
    post(db, teacher, {"type": "purchase", "purchase_type": "books", "date": "2018-08-10",
                       "amounts": {"ivanov": str(price // 100), "petrov": str(price // 100)}})
    assert row(db, "ivanov").certificates == 0
    assert balance(db, "ivanov") == ivanov.balance - 20_00
    assert row(db, "petrov").certificates == 2 * value - price
    assert balance(db, "petrov") == petrov.balance
    assert verify_file(db.path).ok

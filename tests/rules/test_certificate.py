"""`certificate`: checked students get a book certificate worth the season's value; no money."""

from __future__ import annotations

from dataclasses import replace

import pytest

from campbank.core.errors import InputError
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.certificate import RULE


def payload(students, **extra):
    return {"type": "certificate", "certificates": list(students), **extra}


def test_registered_with_its_form(season):
    assert REGISTRY["certificate"] is RULE
    (field,) = RULE.fields(season)
    assert (field.name, field.kind) == ("certificates", "per_student_tick")


def test_each_gets_the_seasons_certificate_value(season, make_ctx, lines):
    money_of, counters_of = lines
    entries = RULE.build(payload(["cat", "ann"]), make_ctx(season))
    assert season.certificate_value == 3000  # 30@ in both shipped files
    assert money_of(entries) == {}
    assert counters_of(entries) == {("ann", "book_certificate"): (3000, None),
                                     ("cat", "book_certificate"): (3000, None)}


def test_the_value_comes_from_the_season(season, make_ctx, lines):
    _, counters_of = lines
    entries = RULE.build(payload(["bob"]), make_ctx(replace(season, certificate_value=4550)))
    assert counters_of(entries) == {("bob", "book_certificate"): (4550, None)}


@pytest.mark.parametrize(("students", "message"), [
    ([], "at least one"),
    (["ann", "ann"], "listed twice"),
    (["zed"], "no user called 'zed'"),
    (["teacher"], "'teacher' is not a student"),
    (["gone"], "deactivated"),
])
def test_refusals(season, make_ctx, students, message):
    with pytest.raises(InputError, match=message) as caught:
        RULE.build(payload(students), make_ctx(season))
    assert caught.value.field == "certificates"


# --------------------------------------------------------------------------- through the ledger


def test_posted_through_the_ledger(camp):
    grant = camp.season.initial_grant
    posted = camp.post(payload(["ann", "bob"], date="2018-08-08"))
    assert (posted.recipients, posted.total) == (2, 0)
    camp.post(payload(["ann"], date="2018-08-09"))
    assert camp.row("ann").certificates == 6000
    assert camp.row("bob").certificates == 3000
    assert camp.counters("cat") == {}
    assert camp.balance("ann") == camp.balance("bob") == grant
    assert camp.balance("teacher") == 0
    assert verify_file(camp.db.path).ok

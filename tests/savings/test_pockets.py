"""Pockets and interest through the ledger: money set aside stays the student's, charges take the main
pocket only, every balance sums to zero, and the nightly run pays interest once per date."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import DAY, GRANT, dump, fine, money, query, txn_state
from savings_support import assert_sound, main, night, pocket, pockets_of, total_of

from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.ledger.actions import nightly, pockets, states
from campbank.ledger.actions.posting import post
from campbank.ledger.views.accounts import account_balance
from campbank.ledger.views.students import student_list


def test_a_move_sets_money_aside_and_the_balance_shown_is_main_plus_pockets(savings):
    s1 = savings.actor("s1")
    pockets.open_pocket(savings.db, s1, "savings")
    pockets.open_pocket(savings.db, s1, "goal", "Bike", target="50")
    pockets.move(savings.db, s1, "main", "savings", "40", date=DAY)
    pockets.move(savings.db, s1, "savings", "Bike", "15.50", date=DAY)
    path = savings.path
    assert (main(path, "s1"), pockets_of(path, "s1")) == (GRANT - 4_000, {"savings": 2_450, "Bike": 1_550})
    assert total_of(path, "s1") == GRANT
    row = account_balance(savings.db, s1, "s1")
    assert (row.balance, row.main, row.saved) == (GRANT, GRANT - 4_000, 4_000)
    listed = {r.username: r for r in student_list(savings.db, savings.actor("t1"))}
    assert (listed["s1"].balance, listed["s1"].saved) == (GRANT, 4_000)
    assert "~pocket" not in " ".join(listed)  # a pocket's account is never listed as a student
    assert_sound(path)


def test_tax_fines_and_purchases_charge_the_main_pocket_only_and_it_may_go_negative(savings):
    s2 = savings.actor("s2")
    pockets.open_pocket(savings.db, s2, "savings")
    pockets.move(savings.db, s2, "main", "savings", "110", date=DAY)
    post(savings.db, savings.actor("t1"), fine({"s2": "25"}))
    night(savings, "2018-08-07")  # the savings season taxes a flat 20@ a day
    path = savings.path
    assert main(path, "s2") == GRANT - 11_000 - 2_500 - 2_000
    assert main(path, "s2") < 0
    assert pocket(path, "s2", "savings") >= 11_000  # untouched by the charges
    with pytest.raises(RuleError, match=r"balance of -35.00@"):
        pockets.move(savings.db, s2, "main", "savings", "1", date=DAY)
    assert_sound(path)


def test_opening_pockets_is_limited_and_names_are_checked(savings):
    s1 = savings.actor("s1")
    pockets.open_pocket(savings.db, s1, "savings")
    with pytest.raises(RuleError, match="already have a savings pocket"):
        pockets.open_pocket(savings.db, s1, "savings")
    for name in ("Bike", "Auction", "Books"):
        pockets.open_pocket(savings.db, s1, "goal", name)
    with pytest.raises(RuleError, match="3 goal pockets, the most"):
        pockets.open_pocket(savings.db, s1, "goal", "Fourth")
    with pytest.raises(RuleError, match="already have a pocket called 'bike'"):
        pockets.open_pocket(savings.db, savings.actor("s1"), "goal", "bike")
    s2 = savings.actor("s2")
    for name, words in (("", "needs a name"), ("Main", "every student has"), ("x\x1b[31m", "control characters"),
                        ("y" * 41, "at most 40")):
        with pytest.raises(InputError, match=words):
            pockets.open_pocket(savings.db, s2, "goal", name)
    with pytest.raises(InputError, match="not a kind of pocket"):
        pockets.open_pocket(savings.db, s2, "envelope", "x")
    with pytest.raises(PermissionDenied, match="only a student has pockets"):
        pockets.open_pocket(savings.db, savings.actor("t1"), "savings")


def test_a_pocket_closes_only_when_empty(savings):
    s3 = savings.actor("s3")
    pockets.open_pocket(savings.db, s3, "goal", "Bike")
    pockets.move(savings.db, s3, "main", "Bike", "5", date=DAY)
    with pytest.raises(RuleError, match=r"holds 5.00@; move it out first"):
        pockets.close_pocket(savings.db, s3, "bike")
    pockets.move(savings.db, s3, "Bike", "main", "5", date=DAY)
    pockets.close_pocket(savings.db, s3, "bike")
    assert pockets_of(savings.path, "s3") == {}
    pockets.open_pocket(savings.db, s3, "goal", "Bike")  # the name is free again
    with pytest.raises(InputError, match="no pocket called 'main' to close"):
        pockets.close_pocket(savings.db, s3, "main")
    assert_sound(savings.path)


def test_staff_may_cancel_a_move_unless_the_money_has_moved_on(savings):
    s4 = savings.actor("s4")
    pockets.open_pocket(savings.db, s4, "savings")
    pockets.open_pocket(savings.db, s4, "goal", "Bike")
    first = pockets.move(savings.db, s4, "main", "savings", "30", date=DAY)
    second = pockets.move(savings.db, s4, "main", "savings", "10", date=DAY)
    pockets.move(savings.db, s4, "savings", "Bike", "25", date=DAY)
    with pytest.raises(PermissionDenied):
        states.cancel(savings.db, s4, second.id, reason="mistake")  # the student cannot: moves are done at once
    states.cancel(savings.db, savings.actor("t1"), second.id, reason="by mistake")
    assert (pocket(savings.path, "s4", "savings"), main(savings.path, "s4")) == (500, GRANT - 3_000)
    before = dump(savings.path)
    with pytest.raises(RuleError, match=r"would leave a pocket at -25.00"):
        states.cancel(savings.db, savings.actor("t1"), first.id, reason="mistake")
    assert dump(savings.path) == before and txn_state(savings.db, first.id) == "processed"
    assert_sound(savings.path)


def test_interest_for_a_day_counts_entries_dated_on_or_before_it_is_capped_and_rounded_down(savings):
    db = savings.db
    pockets.open_pocket(db, savings.actor("s1"), "savings")
    pockets.open_pocket(db, savings.actor("s2"), "savings")
    pockets.open_pocket(db, savings.actor("s3"), "savings")
    post(db, savings.manager, money({"s2": "300"}))  # so s2 can save over the cap
    pockets.move(db, savings.actor("s1"), "main", "savings", "100", date="2018-08-07")
    pockets.move(db, savings.actor("s2"), "main", "savings", "350", date="2018-08-07")
    pockets.move(db, savings.actor("s3"), "main", "savings", "10.01", date="2018-08-07")
    pockets.move(db, savings.actor("s3"), "main", "savings", "50", date="2018-08-08")  # not yet on the 7th
    [_tax, interest, *_rest] = night(savings, "2018-08-07")
    assert (interest.step, interest.outcome, interest.count) == ("interest", nightly.DONE, 3)
    assert pocket(savings.path, "s1", "savings") == 10_000 + 150  # 1.5% of 100@
    assert pocket(savings.path, "s2", "savings") == 35_000 + 300  # only 200@ earns
    assert pocket(savings.path, "s3", "savings") == 1_001 + 5_000 + 15  # 0.15015@ is 0.15@; the 50@ came later
    assert interest.total == 150 + 300 + 15
    rows = query(savings.path, "SELECT idempotency_key, creator_id = (SELECT id FROM account WHERE username = 'bank') "
                               "FROM txn WHERE type = 'interest'")
    assert rows == [("sys:interest:2018-08-07", 1)]
    again = night(savings, "2018-08-07")
    assert [(r.step, r.outcome) for r in again[1:]] == [("interest", nightly.ALREADY),
                                                        ("instalments", nightly.NOTHING),
                                                        ("circles", nightly.NOTHING), ("funds", nightly.NOTHING)]
    assert pocket(savings.path, "s1", "savings") == 10_150
    [_tax, next_day, *_] = night(savings, "2018-08-08")
    assert pocket(savings.path, "s1", "savings") == 10_150 + 152  # 101.50@ × 1.5% = 1.5225@
    assert next_day.count == 3
    assert_sound(savings.path)


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(savings):
    pockets.open_pocket(savings.db, savings.actor("s1"), "savings")
    pockets.move(savings.db, savings.actor("s1"), "main", "savings", "100", date="2018-08-07")
    before = dump(savings.path)
    results = night(savings, "2018-08-07", dry_run=True)
    assert dump(savings.path) == before
    assert results[0].outcome == "would charge" and (results[1].outcome, results[1].total) == (nightly.WOULD, 150)
    assert results[1].describe("@") == "interest: would have paid 1.50@ to 1 savings pocket"


def test_a_season_without_savings_refuses_with_a_clear_message_and_its_night_has_only_the_tax(camp):
    with pytest.raises(RuleError, match="savings are not part of this season"):
        pockets.open_pocket(camp.db, camp.actor("s1"), "savings")
    with pytest.raises(RuleError, match="pockets are not part of this season"):
        pockets.open_pocket(camp.db, camp.actor("s1"), "goal", "Bike")
    with pytest.raises(RuleError, match="pockets are not part of this season"):
        post(camp.db, camp.actor("s1"), {"type": "pocket_move", "from": "main", "to": "main", "amount": "1",
                                         "date": DAY})
    results = nightly.run(camp.db, camp.manager, day=date(2018, 8, 7))
    assert len(results) == 1 and results[0].outcome == "charged"

"""Funds and savings circles through the ledger: a fund spent at its target or refunded to the cent, and a
circle of four over four rounds leaving every member where they started, or voided exactly."""

from __future__ import annotations

import pytest
from helpers import GRANT, audit_actions, dump, query
from savings_support import assert_sound, main, night

from campbank.core.errors import InputError, NotFound, PermissionDenied, RuleError
from campbank.ledger.actions import circles, funds, nightly, states
from campbank.ledger.views.savings import circles_overview, funds_overview

DAY = "2018-08-07"


def fund_total(camp, fund_id: int) -> int:  # type: ignore[no-untyped-def]
    return query(camp.path, "SELECT a.balance FROM fund f JOIN account a ON a.id = f.account_id WHERE f.id = ?",
                 (fund_id,))[0][0]


def test_a_fund_missing_its_target_is_refunded_to_the_cent_at_its_deadline(savings):
    fund = funds.open_fund(savings.db, savings.actor("t1"), "Kayak trip", "100", "2018-08-09")
    for who, amount in (("s1", "10.01"), ("s2", "5.33"), ("s3", "0.01"), ("s1", "2.22")):
        funds.contribute(savings.db, savings.actor(who), fund, amount, date=DAY)
    cancelled = funds.contribute(savings.db, savings.actor("s4"), fund, "7", date=DAY)
    states.cancel(savings.db, savings.actor("t2"), cancelled.id, reason="mistake")  # staff may, while open
    assert fund_total(savings, fund) == 1_001 + 533 + 1 + 222
    given = {who: [line.mine for line in funds_overview(savings.db, savings.actor(who)) if line.fund.id == fund]
             for who in ("s1", "s4", "s5")}
    assert given == {"s1": [1_223], "s4": [0], "s5": [0]}  # a cancelled gift is not counted as given
    mains = {who: main(savings.path, who) for who in ("s1", "s2", "s3", "s4")}
    assert [r.outcome for r in night(savings, "2018-08-08") if getattr(r, "step", "") == "funds"] == [nightly.NOTHING]
    [step] = [r for r in night(savings, "2018-08-09") if getattr(r, "step", "") == "funds"]
    assert (step.outcome, step.count, step.total) == (nightly.DONE, 1, 1_757)
    refund = query(savings.path, """
        SELECT a.username, m.amount FROM money_entry m JOIN account a ON a.id = m.receiver_id
          JOIN txn t ON t.id = m.transaction_id WHERE t.type = 'fund_refund' ORDER BY a.username""")
    assert refund == [("s1", 1_223), ("s2", 533), ("s3", 1)]
    tax = 2 * 2_000  # the taxes of the 8th and the 9th
    assert {who: main(savings.path, who) for who in mains} == {
        "s1": mains["s1"] + 1_223 - tax, "s2": mains["s2"] + 533 - tax, "s3": mains["s3"] + 1 - tax,
        "s4": mains["s4"] - tax}
    assert fund_total(savings, fund) == 0
    assert query(savings.path, "SELECT f.state, t.idempotency_key FROM fund f JOIN txn t ON t.id = "
                               "f.closing_transaction_id") == [("refunded", f"sys:fund:{fund}:refund")]
    with pytest.raises(RuleError, match="is refunded; it takes no more money"):
        funds.contribute(savings.db, savings.actor("s2"), fund, "1", date="2018-08-09")
    assert_sound(savings.path)


def test_a_fund_that_reached_its_target_is_spent_once_and_audited(savings):
    fund = funds.open_fund(savings.db, savings.actor("t1"), "Board games", "20", "2018-08-12", squad="Squad 1")
    funds.contribute(savings.db, savings.actor("s1"), fund, "15", date=DAY)
    with pytest.raises(RuleError, match="for Squad 1 only"):
        funds.contribute(savings.db, savings.actor("s2"), fund, "5", date=DAY)
    with pytest.raises(RuleError, match="still needs"):
        funds.contribute(savings.db, savings.actor("s5"), fund, "5.01", date=DAY)
    with pytest.raises(RuleError, match="cannot be spent yet"):
        funds.spend(savings.db, savings.actor("t2"), fund, "two games")
    last = funds.contribute(savings.db, savings.actor("s5"), fund, "5", date=DAY)
    with pytest.raises(InputError, match="say what the fund's money buys"):
        funds.spend(savings.db, savings.actor("t2"), fund, "  ")
    bank = query(savings.path, "SELECT balance FROM account WHERE username = 'bank'")[0][0]
    closed = funds.spend(savings.db, savings.actor("t2"), fund, "Two board games from the camp shop")
    assert (closed.state, closed.total) == ("spent", 2_000)
    assert query(savings.path, "SELECT balance FROM account WHERE username = 'bank'")[0][0] == bank + 2_000
    assert "fund.spent" in audit_actions(savings.db, target=f"fund:{fund}")
    with pytest.raises(RuleError, match="already spent"):
        funds.cancel(savings.db, savings.actor("t1"), fund)
    before = dump(savings.path)
    with pytest.raises(RuleError, match=r"would leave a fund at -5.00"):
        states.cancel(savings.db, savings.actor("t1"), last.id, reason="mistake")
    assert dump(savings.path) == before
    assert_sound(savings.path)


def test_cancelling_a_fund_refunds_everyone_in_one_transaction(savings):
    fund = funds.open_fund(savings.db, savings.actor("t1"), "Trip", "50", "2018-08-20")
    for who in ("s1", "s2", "s3"):
        funds.contribute(savings.db, savings.actor(who), fund, "3.33", date=DAY)
    closed = funds.cancel(savings.db, savings.actor("t2"), fund, reason="trip called off")
    assert (closed.state, closed.total, closed.people) == ("cancelled", 999, 3)
    assert query(savings.path, "SELECT COUNT(*) FROM txn WHERE type = 'fund_refund'") == [(1,)]
    assert [main(savings.path, who) for who in ("s1", "s2", "s3")] == [GRANT] * 3
    empty = funds.open_fund(savings.db, savings.actor("t1"), "Nobody came", "50", "2018-08-20")
    assert funds.cancel(savings.db, savings.actor("t1"), empty).transaction_id is None
    states_seen = {line.fund.id: line.fund.state for line in funds_overview(savings.db, savings.actor("t1"))}
    assert states_seen == {fund: "cancelled", empty: "cancelled"}
    assert_sound(savings.path)


def test_opening_a_fund_is_checked(savings):
    t1 = savings.actor("t1")
    for args, field in ((("", "10", DAY), "name"), (("Trip", "50000.01", DAY), "target"),
                        (("Trip", "10", "2018-09-01"), "deadline"), (("Trip", "10", "soon"), "deadline")):
        with pytest.raises(InputError) as refused:
            funds.open_fund(savings.db, t1, *args)
        assert refused.value.field == field
    with pytest.raises(InputError, match="not one of the season's squads"):
        funds.open_fund(savings.db, t1, "Trip", "10", DAY, squad="Squad 9")
    with pytest.raises(PermissionDenied):
        funds.open_fund(savings.db, savings.actor("s1"), "Trip", "10", DAY)
    with pytest.raises(NotFound):
        funds.spend(savings.db, t1, 99, "x")


def test_a_circle_of_four_over_four_rounds_leaves_every_member_where_they_started(savings):
    members = ["s1", "s2", "s3", "s4"]
    circle = circles.create(savings.db, savings.manager, "Four friends", members, "10", "2018-08-07")
    before = {m: main(savings.path, m) for m in members}
    seen = []
    for day in ("2018-08-07", "2018-08-08", "2018-08-09", "2018-08-10", "2018-08-11"):
        [step] = [r for r in night(savings, day) if getattr(r, "step", "") == "circles"]
        seen.append((step.outcome, step.total))
        if day == "2018-08-08":
            middle = {m: main(savings.path, m) + 2 * 2_000 for m in members}  # taxes of the 7th and 8th
            assert middle == {"s1": before["s1"] + 3_000 - 1_000, "s2": before["s2"] + 3_000 - 1_000,
                              "s3": before["s3"] - 2_000, "s4": before["s4"] - 2_000}
    assert seen == [(nightly.DONE, 4_000)] * 4 + [(nightly.NOTHING, 0)]
    taxes = 5 * 2_000
    assert {m: main(savings.path, m) + taxes for m in members} == before
    keys = [k for (k,) in query(savings.path, "SELECT idempotency_key FROM txn WHERE type = 'circle_round' "
                                              "ORDER BY id")]
    assert keys == [f"sys:circle:{circle}:{i}" for i in range(1, 5)]
    [card] = circles_overview(savings.db, savings.actor("t1"))
    assert (card.held, [r.receiver for r in card.rounds]) == (4, members)
    assert_sound(savings.path)


def test_a_voided_circle_reverses_every_round_exactly_and_holds_no_more(savings):
    members = ["s1", "s2", "s3"]
    circle = circles.create(savings.db, savings.manager, "Three", members, "7.77", "2018-08-07")
    night(savings, "2018-08-07")
    night(savings, "2018-08-08")
    with pytest.raises(PermissionDenied):
        circles.void(savings.db, savings.actor("t1"), circle)
    with pytest.raises(PermissionDenied, match="circles void"):
        round_id = query(savings.path, "SELECT id FROM txn WHERE type = 'circle_round' LIMIT 1")[0][0]
        states.cancel(savings.db, savings.manager, round_id, reason="mistake")
    assert circles.void(savings.db, savings.manager, circle, reason="members left") == 2
    taxes = 3 * 2_000
    night(savings, "2018-08-09")
    assert [main(savings.path, m) + taxes for m in members] == [GRANT] * 3
    assert query(savings.path, "SELECT COUNT(*) FROM txn WHERE type = 'circle_round'") == [(2,)]
    with pytest.raises(RuleError, match="already void"):
        circles.void(savings.db, savings.manager, circle)
    assert_sound(savings.path)


def test_setting_up_a_circle_is_checked(savings):
    manager = savings.manager
    for members, words in ((["s1"], "at least two"), (["s1", "s1"], "twice"), (["s1", "t1"], "not a student"),
                           (["s1", "s2"] * 6, "at most 10")):
        with pytest.raises(InputError, match=words):
            circles.create(savings.db, manager, "C", members, "1", DAY)
    with pytest.raises(InputError, match="outside the season"):
        circles.create(savings.db, manager, "C", ["s1", "s2", "s3"], "1", "2018-08-25")
    with pytest.raises(InputError, match=r"must not exceed 50.00"):
        circles.create(savings.db, manager, "C", ["s1", "s2"], "50.01", DAY)
    with pytest.raises(PermissionDenied):
        circles.create(savings.db, savings.actor("t1"), "C", ["s1", "s2"], "1", DAY)

"""Four eyes: a staff transaction over the season's limits waits in `created` for a second manager.

The camp is the populated test camp (classic season, where oversight is off) with, for most tests, a season
whose `[oversight]` table is switched on with small limits.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from helpers import DAY, audit_actions, audit_details, balance, fine, money, query, txn_state

from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.setup import season_source
from campbank.ledger.actions.states import approve, cancel, reject
from campbank.ledger.actions.users import deactivate
from campbank.ledger.season.in_force import load
from campbank.ledger.verify import verify_file
from campbank.ledger.views.held import held_transactions
from campbank.ledger.views.statistics import market_statistics_in


def with_oversight(camp, *, single: str | None = "200", total: str | None = "3000",
                   daily: str | None = "5000") -> None:
    """Make the classic season, with these limits switched on, the season in force."""
    text = season_source("classic").read_text(encoding="utf-8")
    limits = "\n".join(f"{key} = \"{value}\"" for key, value in (
        ("second_approval_above", single), ("total_above", total), ("daily_budget_per_staff", daily)) if value)
    text = re.sub(r"(?m)^\[oversight\]\nenabled = false\n", f"[oversight]\nenabled = true\n{limits}\n", text)
    assert "enabled = true" in text
    load(camp.db, camp.manager, text, "four-eyes.toml")


def test_the_classic_season_lets_a_big_payment_through(camp):
    posted = post(camp.db, camp.actor("t1"), money({"s1": "5000"}))
    assert posted.state == "processed" and posted.waits == ()
    assert balance(camp.db, "s1") == 12_000 + 500_000


def test_one_amount_above_the_limit_waits_and_counts_nowhere(camp):
    with_oversight(camp)
    before = balance(camp.db, "s1")
    posted = post(camp.db, camp.actor("t1"), money({"s1": "250", "s2": "10"}))
    assert posted.state == "created"
    assert posted.waits == ("one amount is above 200.00@ (250.00@ for Student01 Ann)",)
    assert "waits for a second manager because one amount is above 200.00@" in posted.summary()
    assert balance(camp.db, "s1") == before and txn_state(camp.db, posted.id) == "created"
    assert query(camp.path, "SELECT COUNT(*) FROM journal WHERE transaction_id = ?", (posted.id,)) == [(0,)]
    with camp.db.session() as session:
        stats = market_statistics_in(session, camp.manager)
    assert stats.issued == 5 * 12_000  # the initial grants only
    assert audit_actions(camp.db, f"txn:{posted.id}") == ["txn.created", "oversight.held"]
    assert verify_file(camp.path).ok


def test_a_fine_above_the_limit_waits_too(camp):
    with_oversight(camp)
    posted = post(camp.db, camp.actor("t1"), fine({"s1": "300"}))
    assert posted.state == "created"
    assert posted.waits == ("one amount is above 200.00@ (-300.00@ for Student01 Ann)",)


def test_a_total_above_the_limit_waits(camp):
    with_oversight(camp, single=None, total="500", daily=None)
    posted = post(camp.db, camp.actor("t1"), money({s: "150" for s in camp.students}))
    assert posted.waits == ("it moves 750.00@ in all, above 500.00@",)
    small = post(camp.db, camp.actor("t1"), money({s: "100" for s in camp.students}))
    assert small.state == "processed"


def test_the_daily_budget_counts_what_the_creator_issued_today(camp):
    with_oversight(camp, single=None, total=None, daily="250")
    first = post(camp.db, camp.actor("t1"), money({"s1": "150"}))
    assert first.state == "processed"
    fined = post(camp.db, camp.actor("t1"), fine({"s2": "150"}))  # a fine issues nothing
    assert fined.state == "processed"
    other = post(camp.db, camp.actor("t2"), money({"s1": "150"}))  # another person's budget
    assert other.state == "processed"
    second = post(camp.db, camp.actor("t1"), money({"s3": "150"}))
    assert second.waits == ("t1 would issue 300.00@ today, above the daily budget of 250.00@",)
    third = post(camp.db, camp.actor("t1"), money({"s4": "100"}))  # the waiting one issued nothing yet
    assert third.state == "processed"


def test_a_second_manager_approves_and_the_money_counts(camp):
    with_oversight(camp)
    posted = post(camp.db, camp.actor("t1"), money({"s1": "250"}))
    with pytest.raises(PermissionDenied):
        approve(camp.db, camp.actor("t1"), posted.id)  # its creator
    with pytest.raises(PermissionDenied):
        approve(camp.db, camp.actor("t2"), posted.id)  # staff approve transfers, not held transactions
    assert txn_state(camp.db, posted.id) == "created"
    changed = approve(camp.db, camp.manager, posted.id, reason="checked with the radio club")
    assert (changed.old_state, changed.state) == ("created", "processed")
    assert balance(camp.db, "s1") == 12_000 + 25_000
    assert audit_actions(camp.db, f"txn:{posted.id}") == ["txn.created", "oversight.held", "txn.processed",
                                                           "oversight.approved"]
    assert verify_file(camp.path).ok


def test_a_manager_cannot_approve_their_own_big_payment(camp):
    with_oversight(camp)
    posted = post(camp.db, camp.manager, money({"s1": "250"}))
    assert posted.state == "created"
    with pytest.raises(PermissionDenied, match="a second manager must decide it"):
        approve(camp.db, camp.manager, posted.id)
    approve(camp.db, camp.actor("m1"), posted.id)
    assert txn_state(camp.db, posted.id) == "processed"


def test_rejecting_needs_a_reason_and_declines_it(camp):
    with_oversight(camp)
    posted = post(camp.db, camp.actor("t1"), money({"s1": "250"}))
    with pytest.raises(InputError):
        reject(camp.db, camp.manager, posted.id, reason="  ")
    reject(camp.db, camp.manager, posted.id, reason="too much for one song")
    assert txn_state(camp.db, posted.id) == "declined"
    assert balance(camp.db, "s1") == 12_000
    assert audit_details(camp.db, "oversight.rejected")[-1]["reason"] == "too much for one song"
    with pytest.raises(RuleError, match="already declined"):
        approve(camp.db, camp.actor("m1"), posted.id)


def test_its_creator_may_withdraw_it(camp):
    with_oversight(camp)
    posted = post(camp.db, camp.actor("t1"), money({"s1": "250"}))
    cancel(camp.db, camp.actor("t1"), posted.id, reason="typed one zero too many")
    assert txn_state(camp.db, posted.id) == "declined"
    assert verify_file(camp.path).ok


def test_approval_refuses_when_a_receiver_has_left(camp):
    with_oversight(camp)
    posted = post(camp.db, camp.actor("t1"), money({"s2": "250"}))
    deactivate(camp.db, camp.manager, "s2")
    with pytest.raises(RuleError, match="would now be refused"):
        approve(camp.db, camp.manager, posted.id)
    assert txn_state(camp.db, posted.id) == "created"


def test_approval_refuses_when_the_rule_would_now_make_other_entries(camp):
    """A lecture's fine grows with the lectures already missed: approving an older lecture after a newer
    one would charge the student a different amount than the creator saw."""
    with_oversight(camp, single=None, total="5", daily=None)
    first = post(camp.db, camp.actor("t1"), {"type": "lecture", "date": DAY, "attendees": ["s1"],
                                             "absentees": ["s3"]})
    later_day = (date.fromisoformat(DAY) + timedelta(days=1)).isoformat()
    second = post(camp.db, camp.actor("t1"), {"type": "lecture", "date": later_day, "attendees": ["s1"],
                                              "absentees": ["s3"]})
    assert first.state == second.state == "created"
    approve(camp.db, camp.manager, second.id)
    with pytest.raises(RuleError, match=r"money for s3: posted -10\.00, now -30\.00"):
        approve(camp.db, camp.manager, first.id)
    assert txn_state(camp.db, first.id) == "created"
    assert verify_file(camp.path).ok


def test_the_queue_says_why_each_waits(camp):
    with_oversight(camp)
    posted = post(camp.db, camp.actor("t1"), money({"s1": "250"}, description="Radio prize"))
    lines = held_transactions(camp.db, camp.actor("t2"))
    assert [(h.id, h.creator, h.reasons, h.description) for h in lines] == [
        (posted.id, "t1", ("one amount is above 200.00@ (250.00@ for Student01 Ann)",), "Radio prize")]
    assert lines[0].total == 25_000 and lines[0].recipients == 1
    approve(camp.db, camp.manager, posted.id)
    assert held_transactions(camp.db, camp.manager) == []


def test_a_repeated_post_says_it_still_waits(camp):
    with_oversight(camp)
    payload = money({"s1": "250"}, idempotency_key="radio-1")
    first = post(camp.db, camp.actor("t1"), payload)
    again = post(camp.db, camp.actor("t1"), payload)
    assert again.duplicate and again.id == first.id and again.waits == first.waits

"""Four eyes on loans: a loan is recorded as created by the bank (which lends the money), yet it is the one
who granted it that the season's `[oversight]` limits measure, who may not approve it, and who the queue
names. Until a second manager approves its grant the loan lends nothing and has no instalment due."""

from __future__ import annotations

import pytest
from helpers import GRANT, money, query, txn_state
from savings_support import assert_sound, main, night

from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.ledger.actions import loans, states
from campbank.ledger.actions.posting import post
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.views.held import held_transactions
from campbank.ledger.views.savings import loans_overview, savings_card

GRANTED = "2018-08-07"  # instalments due on the 8th, 9th and 10th


def with_oversight(camp, limits: str) -> None:  # type: ignore[no-untyped-def]
    """The savings season, with the `[oversight]` limits given switched on, as the season in force."""
    text = SEASON_FILES["savings"].read_text(encoding="utf-8") + f"\n[oversight]\nenabled = true\n{limits}\n"
    season_store.load(camp.db, camp.manager, text, "savings-four-eyes.toml")


def loan_of(camp, username: str = "s1"):  # type: ignore[no-untyped-def]
    return savings_card(camp.db, camp.manager, username).loans[0]


def instalments_charged(camp) -> int:  # type: ignore[no-untyped-def]
    return query(camp.path, "SELECT COUNT(*) FROM txn WHERE type = 'loan_instalment'")[0][0]


def test_a_loan_above_the_limit_waits_and_lends_nothing(savings):
    with_oversight(savings, 'second_approval_above = "50"')
    posted = loans.grant(savings.db, savings.actor("t1"), "s1", "100", 3, date=GRANTED)
    assert posted.state == "created"
    assert posted.waits == ("one amount is above 50.00@ (100.00@ for Student01 Ann)",)
    assert main(savings.path, "s1") == GRANT
    card = loan_of(savings)
    assert (card.status, card.loan.outstanding) == ("waiting", 0)
    assert [line.status for line in card.lines] == ["due", "due", "due"]  # the schedule, once approved
    [held] = held_transactions(savings.db, savings.manager)
    assert (held.id, held.creator, held.type) == (posted.id, "t1", "loan")  # who granted it, not the bank
    for day in ("2018-08-08", "2018-08-09"):
        night(savings, day)
    assert instalments_charged(savings) == 0
    assert main(savings.path, "s1") == GRANT - 2 * 2_000  # the flat tax only
    assert_sound(savings.path)


def test_a_waiting_loan_is_the_borrowers_one_loan_and_cannot_be_repaid_or_written_off(savings):
    with_oversight(savings, 'second_approval_above = "50"')
    posted = loans.grant(savings.db, savings.actor("t1"), "s1", "100", 3, date=GRANTED)
    with pytest.raises(RuleError, match="already has loan #1, waiting for a second manager") as refused:
        loans.grant(savings.db, savings.actor("t2"), "s1", "20", 2, date=GRANTED)
    assert refused.value.field == "borrower"
    with pytest.raises(RuleError, match="not granted yet: it waits for a second manager"):
        loans.repay(savings.db, savings.actor("s1"), "10", date=GRANTED)
    with pytest.raises(RuleError, match=f"its grant #{posted.id} waits for a manager other than the one who"):
        loans.write_off(savings.db, savings.manager, loan_of(savings).loan.id, reason="changed my mind")
    assert query(savings.path, "SELECT COUNT(*) FROM txn WHERE state = 'created'") == [(1,)]
    assert_sound(savings.path)


def test_the_one_who_granted_a_waiting_loan_may_withdraw_it(savings):
    with_oversight(savings, 'second_approval_above = "50"')
    posted = loans.grant(savings.db, savings.actor("t1"), "s1", "100", 3, date=GRANTED)
    loan_id = loan_of(savings).loan.id
    with pytest.raises(PermissionDenied):
        loans.cancel(savings.db, savings.actor("t2"), loan_id, reason="not mine to take back")
    closed = loans.cancel(savings.db, savings.actor("t1"), loan_id)  # no reason needed for one's own
    assert (closed.state, closed.amount) == ("cancelled", 0)  # it never lent anything
    assert txn_state(savings.db, posted.id) == "declined"
    assert (loan_of(savings).status, main(savings.path, "s1")) == ("cancelled", GRANT)
    assert held_transactions(savings.db, savings.manager) == []
    again = loans.grant(savings.db, savings.actor("t1"), "s1", "40", 2, date=GRANTED)  # free to borrow
    assert again.state == "processed"
    assert_sound(savings.path)


def test_a_manager_turning_down_a_waiting_loan_by_cancelling_it_says_why(savings):
    with_oversight(savings, 'second_approval_above = "50"')
    loans.grant(savings.db, savings.actor("t1"), "s1", "100", 3, date=GRANTED)
    loan_id = loan_of(savings).loan.id
    with pytest.raises(InputError, match="say why") as refused:
        loans.cancel(savings.db, savings.manager, loan_id)
    assert refused.value.field == "reason"
    loans.cancel(savings.db, savings.manager, loan_id, reason="the counsellor says no")
    assert loan_of(savings).status == "cancelled"
    assert_sound(savings.path)


def test_the_one_who_granted_it_cannot_approve_it_a_second_manager_can(savings):
    with_oversight(savings, 'second_approval_above = "50"')
    posted = loans.grant(savings.db, savings.manager, "s1", "100", 3, date=GRANTED)
    assert posted.state == "created"
    with pytest.raises(PermissionDenied, match="a second manager must decide it"):
        states.approve(savings.db, savings.manager, posted.id)
    states.approve(savings.db, savings.actor("m1"), posted.id, reason="agreed with the counsellor")
    assert txn_state(savings.db, posted.id) == "processed"
    assert main(savings.path, "s1") == GRANT + 10_000
    card = loan_of(savings)
    assert (card.status, card.loan.outstanding) == ("open", 11_000)
    night(savings, "2018-08-08")
    assert instalments_charged(savings) == 1
    assert loan_of(savings).loan.paid == 3_667
    assert_sound(savings.path)


def test_approval_checks_the_loan_again_as_it_would_be_granted_now(savings):
    with_oversight(savings, 'second_approval_above = "50"')
    posted = loans.grant(savings.db, savings.actor("t1"), "s1", "100", 3, date=GRANTED)
    states.approve(savings.db, savings.manager, posted.id)  # staff t1 granted it: the manager is the second pair
    assert [card.status for card in loans_overview(savings.db, savings.manager)] == ["open"]
    assert_sound(savings.path)


def test_a_rejected_grant_leaves_the_loan_declined_and_the_borrower_free_to_borrow(savings):
    with_oversight(savings, 'second_approval_above = "50"')
    posted = loans.grant(savings.db, savings.actor("t1"), "s1", "100", 3, date=GRANTED)
    states.reject(savings.db, savings.manager, posted.id, reason="a loan of 100@ is too much in week one")
    assert (loan_of(savings).status, loan_of(savings).loan.outstanding) == ("declined", 0)
    night(savings, "2018-08-08")
    assert instalments_charged(savings) == 0
    small = loans.grant(savings.db, savings.actor("t1"), "s1", "40", 2, date=GRANTED)
    assert small.state == "processed"
    assert [card.status for card in loans_overview(savings.db, savings.manager)] == ["open", "declined"]
    assert main(savings.path, "s1") == GRANT - 2_000 + 4_000  # the night of the 8th taxed; then the small loan
    assert_sound(savings.path)


def test_loans_count_in_the_daily_budget_of_who_granted_them(savings):
    with_oversight(savings, 'daily_budget_per_staff = "150"')
    first = loans.grant(savings.db, savings.actor("t1"), "s1", "100", 3, date=GRANTED)
    assert first.state == "processed"
    paid = post(savings.db, savings.actor("t1"), money({"s2": "60"}))
    assert paid.waits == ("t1 would issue 160.00@ today, above the daily budget of 150.00@",)
    other = loans.grant(savings.db, savings.actor("t2"), "s3", "100", 3, date=GRANTED)  # another person's budget
    assert other.state == "processed"
    assert_sound(savings.path)

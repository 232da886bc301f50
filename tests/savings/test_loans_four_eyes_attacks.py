"""Four eyes on loans, seen by the one who granted the loan: the ledger treats them as the loan's poster
(the limits, the daily budget, the approval queue), so a loan of theirs that waits for a second manager, and
the reason a manager gives for rejecting it, must reach them as any other held transaction of theirs does:
in their own transactions, with the decision ("say why, so its creator knows", docs/oversight.md).
"""

from __future__ import annotations

from helpers import money

from campbank.ledger.actions import loans, states
from campbank.ledger.actions.posting import post
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.views.my_transactions import my_transactions
from campbank.ledger.views.oversight import transaction_detail

GRANTED = "2018-08-07"


def with_oversight(camp, limits: str) -> None:  # type: ignore[no-untyped-def]
    """The savings season, with the `[oversight]` limits given switched on, as the season in force."""
    text = SEASON_FILES["savings"].read_text(encoding="utf-8") + f"\n[oversight]\nenabled = true\n{limits}\n"
    season_store.load(camp.db, camp.manager, text, "savings-four-eyes.toml")


def held_payment_and_loan(camp):  # type: ignore[no-untyped-def]
    """t1 pays s2 60@ and lends s1 100@, both above the 50@ limit: both wait for a second manager."""
    with_oversight(camp, 'second_approval_above = "50"')
    payment = post(camp.db, camp.actor("t1"), money({"s2": "60"}))
    loan = loans.grant(camp.db, camp.actor("t1"), "s1", "100", 3, date=GRANTED)
    assert (payment.state, loan.state) == ("created", "created")
    assert payment.waits and loan.waits
    return payment, loan


def both_rejected(camp):  # type: ignore[no-untyped-def]
    """`held_payment_and_loan`, both then rejected by the manager, each with its reason."""
    payment, loan = held_payment_and_loan(camp)
    states.reject(camp.db, camp.manager, payment.id, reason="not this week")
    states.reject(camp.db, camp.manager, loan.id, reason="a loan of 100@ is too much in week one")
    return payment, loan


def test_the_granter_finds_their_waiting_loan_among_their_own_transactions(savings):
    payment, loan = held_payment_and_loan(savings)
    mine = {row.id: row.state for row in my_transactions(savings.db, savings.actor("t1"))}
    assert mine.get(payment.id) == "created"
    assert mine.get(loan.id) == "created"


def test_the_granter_reads_why_a_manager_rejected_their_loan(savings):
    payment, loan = both_rejected(savings)
    decided = {row.id: row.decision for row in my_transactions(savings.db, savings.actor("t1"))}
    assert decided.get(payment.id) == "rejected by Manager: not this week"
    assert decided.get(loan.id) == "rejected by Manager: a loan of 100@ is too much in week one"


def test_the_granter_opens_their_rejected_loan_with_the_decision(savings):
    payment, loan = both_rejected(savings)
    paid = transaction_detail(savings.db, savings.actor("t1"), payment.id)
    assert (paid.state, paid.decision) == ("declined", "rejected by Manager: not this week")
    lent = transaction_detail(savings.db, savings.actor("t1"), loan.id)
    assert (lent.state, lent.decision) == ("declined", "rejected by Manager: a loan of 100@ is too much in week one")

"""Savings and credit, pure: the worked examples of every formula (docs/savings.md) and the rules' refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from fixtures_pure import SEASONS, STAFF, STUDENTS, person

from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.core.season import LoanRules
from campbank.rules import loan, loan_instalment, loan_repay, pocket_move
from campbank.rules.base import RuleContext
from campbank.rules.circle_round import RULE as CIRCLE_ROUND
from campbank.rules.fund_contribution import RULE as CONTRIBUTION
from campbank.rules.fund_refund import RULE as REFUND
from campbank.rules.interest import RULE as INTEREST
from campbank.rules.savings import (
    OFF,
    Circle,
    Fund,
    Instalment,
    Loan,
    Pocket,
    SavingsFacts,
    circle_round,
    interest,
    remaining_instalments,
    schedule,
    total_due,
)

SAVINGS = SEASONS["savings"]
DAY = date(2018, 8, 8)
ANN = person("ann", "Ann Adams", balance=5_000, id=1)
BOB = person("bob", "Bob Brown", id=2)


def ctx(creator=ANN, facts=None, season=SAVINGS, people=None, day=DAY) -> RuleContext:
    everyone = {p.username: p for p in (*STUDENTS, ANN, BOB, STAFF, creator)}
    return RuleContext(season=season, day=day, creator=creator, people=people or everyone, savings=facts)


# --- the formulas, worked --------------------------------------------------------------------------


def test_interest_is_rounded_down_and_capped():
    rate, cap = Fraction(3, 2), 20_000  # "1.5" % a day on at most 200@
    assert interest(10_000, rate, cap) == 150  # 100.00@ earns 1.50@
    assert interest(1_001, rate, cap) == 15  # 10.01@ × 1.5% = 0.15015@: rounded down to 0.15@
    assert interest(66, rate, cap) == 0  # 0.99 cents: nothing
    assert interest(20_000, rate, cap) == 300  # at the cap
    assert interest(35_000, rate, cap) == 300  # above it: only 200@ earns
    assert interest(0, rate, cap) == 0 and interest(-500, rate, cap) == 0
    assert interest(12_345, Fraction("0.3333"), 10**9) == 41  # 12345 × 0.3333 / 100 = 41.146…


def test_a_loan_of_100_at_10_percent_in_3_instalments():
    total = total_due(10_000, Fraction(10))
    assert total == 11_000
    assert schedule(total, 3) == (3_667, 3_667, 3_666)  # the left-over cents go to the earlier instalments
    assert total_due(999, Fraction(10)) == 1_098  # 99.9 cents of interest, rounded down to 99
    assert schedule(1_000, 3) == (334, 333, 333)
    assert sum(schedule(12_347, 7)) == 12_347


def test_early_repayment_removes_instalments_from_the_last():
    amounts = (3_667, 3_667, 3_666)
    assert remaining_instalments(amounts, 0) == amounts
    assert remaining_instalments(amounts, 1_000) == (3_667, 3_667, 2_666)
    assert remaining_instalments(amounts, 4_000) == (3_667, 3_333, 0)
    assert remaining_instalments(amounts, 7_333) == (3_667, 0, 0)
    assert remaining_instalments(amounts, 11_000) == (0, 0, 0)


def test_a_circle_of_four_over_four_rounds_nets_zero_for_every_member():
    members = ("ann", "bob", "cid", "dan")
    rounds = [circle_round(members, 1_000, i) for i in range(1, 5)]
    assert rounds[0] == {"ann": 3_000, "bob": -1_000, "cid": -1_000, "dan": -1_000}
    assert all(sum(r.values()) == 0 for r in rounds)
    assert {m: sum(r[m] for r in rounds) for m in members} == dict.fromkeys(members, 0)
    with pytest.raises(InputError):
        circle_round(members, 1_000, 5)


# --- the rules --------------------------------------------------------------------------------------


def pockets_of(main: int = 5_000, savings: int = 2_000, bike: int = 500) -> SavingsFacts:
    return SavingsFacts(pockets={
        "main": Pocket("main", "main", "ann", main),
        "savings": Pocket("savings", "savings", "~pocket:1:1", savings),
        "Bike": Pocket("Bike", "goal", "~pocket:1:2", bike, 3_000),
    })


def test_pocket_moves_pay_and_charge_the_pocket_accounts():
    rule = pocket_move.RULE
    into = rule.build({"from": "main", "to": "savings", "amount": "12.50"}, ctx(facts=pockets_of()))
    assert [(m.receiver, m.amount) for m in into.money] == [("~pocket:1:1", 1_250)]
    out = rule.build({"from": "Savings", "to": "MAIN", "amount": "20"}, ctx(facts=pockets_of()))
    assert [(m.receiver, m.amount) for m in out.money] == [("~pocket:1:1", -2_000)]
    between = rule.build({"from": "bike", "to": "savings", "amount": "5"}, ctx(facts=pockets_of()))
    assert sorted((m.receiver, m.amount) for m in between.money) == [("~pocket:1:1", 500), ("~pocket:1:2", -500)]
    assert between.total == 0  # the main pocket is untouched


@pytest.mark.parametrize(("payload", "field", "words"), [
    ({"from": "main", "to": "savings", "amount": "50.01"}, "amount", "balance of 50.00@"),
    ({"from": "savings", "to": "main", "amount": "20.01"}, "amount", "'savings' pocket's balance"),
    ({"from": "main", "to": "main", "amount": "1"}, "to", "another pocket"),
    ({"from": "main", "to": "Car", "amount": "1"}, "to", "no open pocket called 'Car'"),
    ({"from": "main", "to": "savings", "amount": "0"}, "amount", "at least"),
    ({"from": "", "to": "savings", "amount": "1"}, "from", "must name a pocket"),
])
def test_pocket_moves_refused(payload, field, words):
    with pytest.raises((InputError, RuleError)) as refused:
        pocket_move.RULE.build(payload, ctx(facts=pockets_of()))
    assert refused.value.field == field and words in refused.value.message


def test_a_part_switched_off_says_so():
    classic = SEASONS["classic"]
    with pytest.raises(RuleError, match=OFF["pockets"]):
        pocket_move.RULE.build({"from": "main", "to": "savings", "amount": "1"}, ctx(facts=pockets_of(),
                                                                                     season=classic))
    with pytest.raises(RuleError, match="savings are not part of this season"):
        INTEREST.build({}, ctx(facts=SavingsFacts(), season=classic))
    with pytest.raises(RuleError, match="loans are not part of this season"):
        loan.RULE.build({"borrower": "bob", "amount": "10", "instalments": 2}, ctx(STAFF, SavingsFacts(),
                                                                                  season=classic))


def test_a_loan_pays_the_borrower_and_its_terms_are_checked():
    facts = SavingsFacts()
    entries = loan.RULE.build({"borrower": "bob", "amount": "100", "instalments": 3}, ctx(STAFF, facts))
    assert [(m.receiver, m.amount, m.money_type) for m in entries.money] == [("bob", 10_000, "loan")]
    terms = loan.loan_terms({"borrower": "bob", "amount": "100", "instalments": "3"}, ctx(STAFF, facts))
    assert (terms.total_due, terms.schedule) == (11_000, (3_667, 3_667, 3_666))
    refusals = [
        ({"borrower": "bob", "amount": "150.01", "instalments": 3}, "amount"),
        ({"borrower": "bob", "amount": "100", "instalments": 8}, "instalments"),
        ({"borrower": "bob", "amount": "100", "instalments": 0}, "instalments"),
        ({"borrower": "teacher", "amount": "100", "instalments": 3}, "borrower"),
        ({"borrower": "nobody", "amount": "100", "instalments": 3}, "borrower"),
    ]
    for payload, field in refusals:
        with pytest.raises(InputError) as refused:
            loan.RULE.build(payload, ctx(STAFF, facts))
        assert refused.value.field == field, payload
    late = ctx(STAFF, facts, day=date(2018, 8, 24))  # the last day is 2018-08-26
    with pytest.raises(RuleError, match="after the season's last day"):
        loan.RULE.build({"borrower": "bob", "amount": "100", "instalments": 3}, late)
    open_loan = Loan(7, "bob", DAY, 1_000, 1_100, (550, 550), 0, 0)
    with pytest.raises(RuleError, match=r"already has an open loan #7 with 11.00@ outstanding"):
        loan.RULE.build({"borrower": "bob", "amount": "10", "instalments": 2}, ctx(STAFF, SavingsFacts(loan=open_loan)))


def test_managers_only_when_the_season_says_so():
    managers_only = replace(SAVINGS, loans=replace(SAVINGS.loans, granted_by="manager"))
    assert isinstance(managers_only.loans, LoanRules)
    payload = {"borrower": "bob", "amount": "10", "instalments": 2}
    with pytest.raises(PermissionDenied, match="managers only"):
        loan.RULE.build(payload, ctx(STAFF, SavingsFacts(), season=managers_only))
    manager = person("boss", "Boss Meg", role="manager", id=101)
    assert loan.RULE.build(payload, ctx(manager, SavingsFacts(), season=managers_only)).total == 1_000


def test_repaying_early_is_at_most_what_is_outstanding_and_in_the_main_pocket():
    owing = Loan(3, "ann", DAY, 10_000, 11_000, (3_667, 3_667, 3_666), instalments_paid=3_667, repaid=0)
    facts = SavingsFacts(loan=owing, bank="bank")
    rich = replace(ANN, balance=50_000)
    entries = loan_repay.RULE.build({"amount": "73.33"}, ctx(rich, facts))
    assert [(m.receiver, m.amount, m.money_type) for m in entries.money] == [("bank", 7_333, "loan_repayment")]
    with pytest.raises(RuleError, match=r"73.33@ outstanding"):
        loan_repay.RULE.build({"amount": "73.34"}, ctx(rich, facts))
    with pytest.raises(RuleError, match=r"main pocket's balance of 50.00@"):
        loan_repay.RULE.build({"amount": "60"}, ctx(ANN, facts))
    with pytest.raises(RuleError, match="no open loan"):
        loan_repay.RULE.build({"amount": "1"}, ctx(ANN, SavingsFacts()))


def test_instalments_charge_the_borrowers_main_pockets():
    due = (Instalment(3, "ann", 1, 3, 3_667), Instalment(4, "bob", 2, 2, 1_200))
    entries = loan_instalment.RULE.build({}, ctx(STAFF, SavingsFacts(instalments=due)))
    assert [(m.receiver, m.amount, m.description) for m in entries.money] == [
        ("ann", -3_667, "instalment 1 of 3, loan #3"), ("bob", -1_200, "instalment 2 of 2, loan #4")]


def test_interest_pays_each_savings_pocket_its_days_interest():
    facts = SavingsFacts(interest_bases={"~pocket:1:1": 10_000, "~pocket:2:1": 50_000, "~pocket:3:1": 50})
    entries = INTEREST.build({}, ctx(STAFF, facts))
    assert [(m.receiver, m.amount) for m in entries.money] == [("~pocket:1:1", 150), ("~pocket:2:1", 300)]
    assert all(m.description == "interest for day 3" for m in entries.money)


def test_fund_contributions_are_checked_against_the_fund_and_the_main_pocket():
    fund = Fund(4, "Kayak", "~fund:4", 10_000, date(2018, 8, 10), "Squad 1", 9_000, "open")
    facts = SavingsFacts(fund=fund)
    entries = CONTRIBUTION.build({"fund": 4, "amount": "10"}, ctx(facts=facts))
    assert [(m.receiver, m.amount) for m in entries.money] == [("~fund:4", 1_000)]
    for changed, payload, words in [
        ({}, {"fund": 4, "amount": "10.01"}, "still needs"),
        ({"state": "spent"}, {"fund": 4, "amount": "1"}, "is spent"),
        ({"squad": "Squad 2"}, {"fund": 4, "amount": "1"}, "for Squad 2 only"),
        ({"deadline": date(2018, 8, 7)}, {"fund": 4, "amount": "1"}, "closed on 2018-08-07"),
        ({"total": 0}, {"fund": 4, "amount": "50.01"}, "main pocket's balance of 50.00@"),
    ]:
        with pytest.raises(RuleError, match=words):
            CONTRIBUTION.build(payload, ctx(facts=SavingsFacts(fund=replace(fund, **changed))))


def test_a_refund_hands_back_each_contribution_to_the_cent():
    fund = Fund(4, "Kayak", "~fund:4", 10_000, DAY, None, 1_535, "open")
    facts = SavingsFacts(fund=fund, contributions={"ann": 1_001, "bob": 533, "cid": 1})
    entries = REFUND.build({}, ctx(STAFF, facts))
    assert [(m.receiver, m.amount) for m in entries.money] == [("ann", 1_001), ("bob", 533), ("cid", 1)]
    assert entries.total == fund.total


def test_a_circle_round_charges_everyone_and_pays_the_member_whose_turn_it_is():
    circle = Circle(2, "Four", 1_000, date(2018, 8, 7), ("ann", "bob", "cid", "dan"))
    entries = CIRCLE_ROUND.build({}, ctx(STAFF, SavingsFacts(circle=circle)))  # DAY is round 2
    net: dict[str, int] = {}
    for line in entries.money:
        net[line.receiver] = net.get(line.receiver, 0) + line.amount
    assert net == {"ann": -1_000, "bob": 3_000, "cid": -1_000, "dan": -1_000} and entries.total == 0
    with pytest.raises(RuleError, match="holds no round on 2018-08-11"):
        CIRCLE_ROUND.build({}, ctx(STAFF, SavingsFacts(circle=circle), day=date(2018, 8, 11)))

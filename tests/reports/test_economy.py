"""The economy at a glance: the Gini coefficient by worked examples, then the daily series of a real camp
against the raw ledger and the market statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from helpers import fine, money, p2p, populate

from campbank.core.errors import PermissionDenied
from campbank.core.season import GROUPS
from campbank.ledger import clock
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.states import approve
from campbank.ledger.views.economy import economy, gini
from campbank.ledger.views.statistics import market_statistics_in

# --- the Gini coefficient, worked examples -----------------------------------------------------------


def test_one_student_with_everything_is_three_quarters_among_four():
    # Σ|xi − xj| over the 16 ordered pairs = 6 × 100 = 600; n² = 16; mean 25: 600 / (2 · 16 · 25) = 0.75
    assert gini([0, 0, 0, 100]) == Fraction(3, 4)
    assert gini([0, 0, 0, 10_000]) == Fraction(3, 4)  # units do not matter


def test_equal_balances_are_zero():
    assert gini([500, 500, 500]) == 0
    assert gini([7]) == 0


def test_a_known_uneven_camp():
    # [10, 20, 30, 40]: Σ|xi − xj| over ordered pairs = 2 × (10+20+30+10+20+10) = 200; mean 25; n = 4
    # G = 200 / (2 · 16 · 25) = 0.25
    assert gini([40, 10, 30, 20]) == Fraction(1, 4)


def test_debts_enter_as_they_are_and_no_mean_means_no_figure():
    # [-10, 0, 40]: mean 10; Σ|xi − xj| = 2 × (10 + 50 + 40) = 200; G = 200 / (2 · 9 · 10) = 10/9 > 1
    assert gini([-10, 0, 40]) == Fraction(10, 9)
    assert gini([]) is None and gini([0, 0]) is None and gini([-5, 5]) is None


def brute_force_gini(values: list[int]) -> Fraction:
    n, mean = len(values), Fraction(sum(values), len(values))
    return Fraction(sum(abs(a - b) for a in values for b in values)) / (2 * n * n * mean)


@pytest.mark.parametrize("values", [[1, 2, 3], [5, 0, 0, 9, 9, 1], [100, -20, 35, 35, 7], list(range(1, 40))])
def test_the_sorted_formula_is_the_pairwise_one(values):
    assert gini(values) == brute_force_gini(values)


# --- a camp, day by day ------------------------------------------------------------------------------


def test_the_days_of_a_camp(db):
    with clock.fixed_at(datetime(2018, 8, 9, 8, 0, tzinfo=UTC)):  # everyone arrives the day before
        camp = populate(db, students=5, staff=2, managers=1)
    t1 = camp.actor("t1")
    next_day = datetime(2018, 8, 11, 12, 0, tzinfo=UTC)
    with clock.fixed_at(datetime(2018, 8, 10, 12, 0, tzinfo=UTC)):  # the day of business
        post(camp.db, t1, money({"s1": "30"}))
        post(camp.db, t1, fine({"s2": "125"}))  # s2: 120 - 125 = -5, in danger
        request = post(camp.db, camp.actor("s3"), p2p("s4", "20")).id
        approve(camp.db, t1, request)
    with clock.fixed_at(next_day):
        post(camp.db, t1, money({"s5": "10"}, date="2018-08-11"))
    seen = economy(camp.db, camp.manager, through=date(2018, 8, 11))
    by_day = {d.day: d for d in seen.days}
    last = by_day[date(2018, 8, 11)]
    assert last.students == 5 and last.supply == 5 * 12_000 + 3_000 - 12_500 + 1_000
    with camp.db.session() as session:
        assert last.supply == market_statistics_in(session, camp.manager).total
    business = by_day[date(2018, 8, 10)]
    assert (business.issued, business.charged) == (3_000 + 2_000, 12_500 + 2_000)  # a transfer is both
    assert business.p2p_volume == 2_000
    assert business.velocity == Fraction(2_000, 5 * 12_000 + 3_000 - 12_500)
    assert business.in_danger == 1 and business.danger_share == Fraction(1, 5)
    balances = [12_000 + 3_000, 12_000 - 12_500, 12_000 - 2_000, 12_000 + 2_000, 12_000]
    assert business.gini == gini(balances)
    assert [g.group for g in business.groups] == list(GROUPS)
    assert seen.squads == ("Squad 1", "Squad 2", "Squad 3", "Squad 4")
    squad_1 = [12_000 + 3_000, 12_000]  # s1 and s5
    assert business.gini_by_squad[0] == gini(squad_1) and business.gini_by_squad[1] is None  # s2 alone, in debt
    arrival = by_day[date(2018, 8, 9)]
    assert (arrival.supply, arrival.issued, arrival.gini, arrival.in_danger) == (5 * 12_000, 5 * 12_000, 0, 0)
    assert [d.day for d in seen.days] == [date(2018, 8, 9), date(2018, 8, 10), date(2018, 8, 11)]


def test_students_may_not_see_it(camp):
    with pytest.raises(PermissionDenied):
        economy(camp.db, camp.actor("s1"))

"""Market statistics: worked examples, then the figures of a real camp against the raw ledger."""

from __future__ import annotations

import pytest
from helpers import fine, money, query

from campbank.core.errors import PermissionDenied
from campbank.core.season import GROUPS
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.users import deactivate
from campbank.ledger.season.in_force import current
from campbank.ledger.views.statistics import (
    HistogramBin,
    glance,
    histogram,
    market_statistics,
    nice_width,
)
from campbank.ledger.views.summaries import (
    mean_of,
    median_of,
    round_cents,
    std_dev_of,
    summarize,
)


def stats_of(camp, who: str = "manager"):  # type: ignore[no-untyped-def]
    return market_statistics(camp.db, camp.actor(who))


# --- worked examples of the arithmetic -------------------------------------------------------------


def test_mean_median_and_population_std_dev_of_known_values():
    values = [200, 400, 400, 400, 500, 500, 700, 900]  # mean 5.00, variance 4.00², median (4 + 5) / 2
    assert (mean_of(values), median_of(values), std_dev_of(values)) == (500, 450, 200)
    assert summarize(values).total == 4000 and summarize(values).count == 8
    assert median_of([300, 100, 200]) == 200


def test_halves_of_a_cent_round_away_from_zero():
    assert mean_of([1, 2]) == 2 and median_of([1, 2]) == 2
    assert mean_of([-1, -2]) == -2 and median_of([-2, -1]) == -2
    assert std_dev_of([0, 1]) == 1  # exactly 0.5
    assert std_dev_of([0, 0, 0, 1]) == 0  # 0.433
    assert std_dev_of([0, 10**12]) == 5 * 10**11  # exact, however large
    from fractions import Fraction

    assert round_cents(Fraction(-5, 2)) == -3 and round_cents(Fraction(5, 2)) == 3


def test_empty_columns_have_no_mean():
    assert (mean_of([]), median_of([]), std_dev_of([])) == (None, None, None)
    assert summarize([]).total == 0 and summarize([5]).std_dev == 0


def test_histogram_bins_have_a_round_width_and_hold_everyone():
    values = [-450, 0, 2999, 12000, 20001]  # range 204.51@ / 10 bins -> a 50@ width
    bins = histogram(values, 10)
    assert [(b.low, b.high, b.count) for b in bins] == [
        (-5000, 0, 1), (0, 5000, 2), (5000, 10000, 0), (10000, 15000, 1), (15000, 20000, 0), (20000, 25000, 1)]
    assert histogram([]) == ()
    assert histogram([700, 700]) == (HistogramBin(700, 800, 2),)
    assert [nice_width(x) for x in (1, 100, 101, 250, 499, 501, 2001)] == [100, 100, 200, 500, 500, 1000, 5000]


# --- a camp with known balances --------------------------------------------------------------------


def test_worked_example_through_the_ledger(camp):
    t1 = camp.actor("t1")
    post(camp.db, t1, fine({"s1": "130", "s2": "120", "s3": "90.01"}))
    post(camp.db, t1, money({"s5": "80.01"}))
    stats = stats_of(camp)
    # balances: s1 -10.00, s2 0.00, s3 29.99, s4 120.00, s5 200.01
    assert stats.students == 5
    assert stats.total == 34000
    assert stats.mean == 6800
    assert stats.median == 2999
    assert stats.std_dev == 8035  # sqrt(322834002 / 5) = 8035.35
    assert (stats.minimum, stats.maximum) == (-1000, 20001)
    assert stats.danger == ("s1", "s2")  # <= 0.00
    assert stats.warning == ("s3",)  # < 30.00 and not in danger
    assert (stats.in_danger, stats.in_warning, stats.pending_transfers) == (2, 1, 0)
    groups = {g.group: g for g in stats.by_group}
    assert [g.group for g in stats.by_group] == list(GROUPS)
    assert (groups["technical"].issued, groups["technical"].charged) == (60000, 0)
    assert (groups["fine"].issued, groups["fine"].charged) == (0, 34001)
    assert (groups["activity"].issued, groups["activity"].net) == (8001, 8001)
    assert stats.issued == 68001 and stats.charged == 34001
    assert sum(d.issued for d in stats.by_day) == stats.issued
    assert sum(d.charged for d in stats.by_day) == stats.charged
    assert sum(b.count for b in stats.histogram) == 5
    assert stats.supply[-1].total == stats.total


def test_a_transfer_between_students_is_issued_and_charged_so_the_flows_net_to_the_money(camp):
    from campbank.ledger.actions.states import approve

    request = post(camp.db, camp.actor("s1"), {"type": "p2p", "receiver": "s2", "amount": "15",
                                               "description": "for the cake", "date": "2018-08-10"})
    approve(camp.db, camp.actor("t1"), request.id)
    stats = stats_of(camp)
    p2p = {g.group: g for g in stats.by_group}["p2p"]
    assert (p2p.issued, p2p.charged, p2p.net) == (1500, 1500, 0)
    assert stats.issued - stats.charged == stats.total


def test_a_camp_without_students_or_transactions(db):
    from helpers import actor_of

    stats = market_statistics(db, actor_of(db, "manager"))
    assert (stats.students, stats.total, stats.mean, stats.median, stats.std_dev) == (0, 0, None, None, None)
    assert (stats.minimum, stats.maximum, stats.in_danger, stats.in_warning) == (None, None, 0, 0)
    assert stats.histogram == () and stats.supply == () and stats.by_day == () and stats.by_day_group == ()
    assert all(g.issued == g.charged == 0 for g in stats.by_group)


# --- the market against the raw ledger -------------------------------------------------------------


def test_market_figures_agree_with_the_raw_ledger(market):
    stats = stats_of(market)
    balances = [b for (b,) in query(market.path, "SELECT balance FROM account WHERE role = 'student' AND active = 1")]
    assert stats.students == len(balances) == 8
    assert stats.total == sum(balances)
    assert (stats.minimum, stats.maximum) == (min(balances), max(balances))
    assert stats.pending_transfers == 1
    assert stats.danger == ("s2",) and stats.warning == ("s4",)
    seen = glance(market.db, market.manager)  # the dashboard's cards
    assert (seen.students, seen.total, seen.mean, seen.in_danger, seen.in_warning, seen.pending_transfers) == (
        8, sum(balances), stats.mean, 1, 1, 1)
    with market.db.session() as session:
        season = current(session)
    issued: dict[str, int] = {}
    charged: dict[str, int] = {}
    for money_type, amount in query(market.path, """
            SELECT m.money_type, m.amount FROM money_entry m JOIN txn t ON t.id = m.transaction_id
              JOIN account a ON a.id = m.receiver_id
             WHERE t.state = 'processed' AND a.role = 'student' AND a.active = 1"""):
        group = season.group_of(money_type)
        if amount > 0:
            issued[group] = issued.get(group, 0) + amount
        else:
            charged[group] = charged.get(group, 0) - amount
    for g in stats.by_group:
        assert (g.issued, g.charged) == (issued.get(g.group, 0), charged.get(g.group, 0)), g.group
    assert charged["fine"] == 13000, "the cancelled 50@ fine does not count"
    by_pair = {(f.day, f.group): f for f in stats.by_day_group}
    assert sum(f.issued for f in by_pair.values()) == stats.issued
    assert stats.supply[-1].total == stats.total


def test_deactivated_students_leave_the_market(market):
    before = stats_of(market)
    deactivate(market.db, market.manager, "s5")
    after = stats_of(market)
    (s5,) = query(market.path, "SELECT balance FROM account WHERE username = 's5'")[0]
    assert after.students == before.students - 1
    assert after.total == before.total - s5
    assert after.supply[-1].total == after.total


def test_staff_see_statistics_students_do_not(market):
    assert stats_of(market, "t1").students == 8
    with pytest.raises(PermissionDenied):
        stats_of(market, "s1")

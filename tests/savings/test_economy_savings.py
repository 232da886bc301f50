"""The economy of a camp with savings: a student's money is main + pockets in the supply, the Gini
coefficients and the share in danger, as in the market statistics; a move between one's own pockets is
neither issued nor charged."""

from __future__ import annotations

from datetime import date

from helpers import GRANT, fine
from savings_support import night

from campbank.ledger.actions import pockets
from campbank.ledger.actions.posting import post
from campbank.ledger.views.economy import economy, gini
from campbank.ledger.views.statistics import glance, market_statistics_in

DAY = date(2018, 8, 7)


def test_pockets_count_as_the_students_money_everywhere_in_the_economy(savings):
    s1, s2 = savings.actor("s1"), savings.actor("s2")
    pockets.open_pocket(savings.db, s1, "savings")
    pockets.open_pocket(savings.db, s1, "goal", "Bike")
    pockets.move(savings.db, s1, "main", "savings", "100", date=DAY.isoformat())
    pockets.move(savings.db, s1, "savings", "Bike", "30", date=DAY.isoformat())
    pockets.open_pocket(savings.db, s2, "savings")
    pockets.move(savings.db, s2, "main", "savings", "110", date=DAY.isoformat())
    post(savings.db, savings.actor("t1"), fine({"s2": "25"}, date=DAY.isoformat()))  # main -15@, total 95@
    night(savings, DAY.isoformat())  # 20@ tax each, and interest on s1's 70@ and s2's 110@
    seen = economy(savings.db, savings.manager)
    last = seen.days[-1]  # the journal's days are the days it was written: today's
    interest = 70_00 * 15 // 1000 + 110_00 * 15 // 1000  # 1.05@ + 1.65@
    totals = {"s1": GRANT - 2_000, "s2": GRANT - 2_500 - 2_000, "s3": GRANT - 2_000, "s4": GRANT - 2_000,
              "s5": GRANT - 2_000}
    assert last.supply == sum(totals.values()) + interest
    with savings.db.session() as session:
        statistics = market_statistics_in(session, savings.manager)
    assert last.supply == statistics.total == statistics.supply[-1].total
    # s2's main pocket is at -15@ - 20@, but 110@ + interest sit in savings: not in danger
    assert last.in_danger == 0
    seen_at_a_glance = glance(savings.db, savings.actor("t1"))  # the dashboard's figures, the same
    assert (seen_at_a_glance.students, seen_at_a_glance.total, seen_at_a_glance.mean) == (
        statistics.students, statistics.total, statistics.mean)
    assert (seen_at_a_glance.in_danger, seen_at_a_glance.in_warning, seen_at_a_glance.pending_transfers) == (
        statistics.in_danger, statistics.in_warning, statistics.pending_transfers) == (0, 0, 0)
    balances = [totals["s1"] + 105, totals["s2"] + 165, totals["s3"], totals["s4"], totals["s5"]]
    assert last.gini == gini(balances)
    assert seen.squads[0] == "Squad 1"
    assert last.gini_by_squad[0] == gini([totals["s1"] + 105, totals["s5"]])  # s1 and s5
    # the moves are neither issued nor charged: the tax, the fine and the interest are all there is
    business = next(d for d in seen.days if d.day == DAY)  # flows follow the transaction's day
    assert (business.issued, business.charged) == (interest, 5 * 2_000 + 2_500)

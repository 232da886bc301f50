"""Everything the manager's report shows, read in one short read transaction: a consistent picture of
the camp (balances, study, staff, statistics, the season) and how far the transactions go now.

The transactions themselves are too many to hold: the report streams them with
`iter_transactions(upto_id=...)`, so it lists exactly the ones that existed when this was read. Their
extent is read first and handed to `on_extent`, so the report can stream them while the sums are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.chain import head_of
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import reports
from campbank.ledger.store.queries import transactions as queries
from campbank.ledger.views.accounts import balances_in
from campbank.ledger.views.balance_report import BalanceReport, balance_report_in
from campbank.ledger.views.economy import Economy, economy_in
from campbank.ledger.views.savings import SavingsSnapshot, savings_snapshot_in
from campbank.ledger.views.staff import StaffLine, staff_report_in
from campbank.ledger.views.statistics import MarketStatistics, day_group_flows, market_statistics_in
from campbank.ledger.views.study_report import StudyReport, study_report_in
from campbank.ledger.views.summaries import authorise


@dataclass(frozen=True)
class CampReport:
    made_at: datetime
    made_by: str  # username
    season: Season
    balances: BalanceReport
    study: StudyReport
    staff: tuple[StaffLine, ...]  # the bank included, last
    statistics: MarketStatistics
    upto_id: int  # the newest transaction when this was read
    transactions: int  # how many there were
    widest_username: int  # characters, to size the transactions' columns
    widest_description: int
    widest_type: int
    economy: Economy  # the daily series: money issued and charged, supply, velocity, Gini, danger
    savings: SavingsSnapshot  # pockets, loans, funds and circles
    chain_head: str  # the hash chain's newest link, SEQ:HASH: an anchor for `verify --anchor`


@dataclass(frozen=True)
class Extent:
    """What the transactions' sheet needs before the sums: how far the transactions go, how many there
    are, the longest texts (for its columns' widths), and how many people the other sheets list."""

    upto_id: int  # the newest transaction
    transactions: int
    widest_username: int
    widest_description: int
    widest_type: int
    students: int  # active students
    staff: int  # staff and managers, and the bank


def camp_report(db: Database, actor: Actor, on_extent: Callable[[Extent], None] | None = None) -> CampReport:
    """The report's small parts and the extent of the transactions (managers). `on_extent` is told the
    extent as soon as it is read, inside the same read transaction as the rest."""
    with db.session() as session:
        me = authorise(session, actor, Action.EXPORT)
        username, description, type_ = queries.widest(session)
        students, staff = reports.report_people(session)
        extent = Extent(queries.newest_id(session), queries.count(session), username, description, type_,
                        students, staff)
        if on_extent:
            on_extent(extent)
        season = current_season(session)
        flows = day_group_flows(session, season)  # read once, for the statistics and the economy
        economy = economy_in(session, season, flows[2])
        rows = balances_in(session, include_inactive=False)  # read once, for balances, study and statistics
        return CampReport(
            made_at=clock.now(), made_by=me.username, season=season,
            balances=balance_report_in(session, actor, rows=rows), study=study_report_in(session, actor, rows=rows),
            staff=staff_report_in(session, actor, include_bank=True),
            statistics=market_statistics_in(session, actor, flows=flows, supply=economy.supply, rows=rows),
            economy=economy,
            upto_id=extent.upto_id, transactions=extent.transactions,
            widest_username=username, widest_description=description, widest_type=type_,
            savings=savings_snapshot_in(session, actor), chain_head=str(head_of(session)),
        )


def squad_reports(db: Database, viewer: Actor) -> tuple[BalanceReport, StudyReport]:
    """The balance and study reports read together, so their squads list the same students."""
    with db.session() as session:
        return balance_report_in(session, viewer), study_report_in(session, viewer)

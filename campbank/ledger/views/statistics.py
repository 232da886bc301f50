"""Market statistics: the students' money, who is in danger, what flows in and out, and when.

Everything here is about the *active* students (a deactivated student's money left the market with
them), in integer cents:

- balances: total, mean, median, population standard deviation, min and max, and a histogram;
- danger (balance <= the season's danger level) and warning (below the warning level, not in danger);
- pending transfers: students' p2p requests still waiting for staff (state `created`);
- flows: money *issued* (the sum of positive money entries to the students) and *charged* (the sum of
  the negative ones, as a positive number), counted entries only (transactions in state `processed`),
  per transaction day, per report group (`season.group_of(money_type)`) and per day and group;
- money supply: the sum of the students' balances at the end of each day (UTC), rebuilt from the journal,
  so cancellations show on the day they happened. Its last point equals today's total.
- savings and credit: a student's balance is main + pockets, so pockets count everywhere above; a move
  between one's own pockets is neither issued nor charged; besides, money in savings and goal pockets,
  in funds, and loans outstanding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from campbank.core.season import GROUPS, Season
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import reports
from campbank.ledger.views.accounts import BalanceRow, balances_in
from campbank.ledger.views.savings import SavingsTotals, savings_totals_in
from campbank.ledger.views.summaries import (
    DANGER,
    WARNING,
    authorise,
    flag_of,
    mean_of,
    median_of,
    std_dev_of,
)

HISTOGRAM_BINS = 10


@dataclass(frozen=True)
class HistogramBin:
    """Students whose balance lies in [low, high)."""

    low: int
    high: int
    count: int


class _Net:
    issued: int
    charged: int

    @property
    def net(self) -> int:
        return self.issued - self.charged


@dataclass(frozen=True)
class DayFlow(_Net):
    """Money issued to and charged from the active students on one transaction day (non-negative cents)."""

    day: date
    issued: int
    charged: int


@dataclass(frozen=True)
class GroupFlow(_Net):
    group: str
    issued: int
    charged: int


@dataclass(frozen=True)
class DayGroupFlow(_Net):
    day: date
    group: str
    issued: int
    charged: int


@dataclass(frozen=True)
class SupplyPoint:
    """The sum of the active students' balances at the end of `day`."""

    day: date
    total: int


@dataclass(frozen=True)
class MarketStatistics:
    currency_sign: str
    danger_level: int
    warning_level: int
    students: int
    total: int
    mean: int | None  # None when there are no students
    median: int | None
    std_dev: int | None
    minimum: int | None
    maximum: int | None
    danger: tuple[str, ...]  # usernames, by squad then surname
    warning: tuple[str, ...]
    pending_transfers: int
    by_day: tuple[DayFlow, ...]
    by_group: tuple[GroupFlow, ...]  # every report group, in the season's group order
    by_day_group: tuple[DayGroupFlow, ...]  # only the (day, group) pairs with any money
    histogram: tuple[HistogramBin, ...]
    supply: tuple[SupplyPoint, ...]
    savings: SavingsTotals | None = None  # money in pockets and funds, loans outstanding

    @property
    def in_danger(self) -> int:
        return len(self.danger)

    @property
    def in_warning(self) -> int:
        return len(self.warning)

    @property
    def issued(self) -> int:
        return sum(f.issued for f in self.by_group)

    @property
    def charged(self) -> int:
        return sum(f.charged for f in self.by_group)


def market_statistics(db: Database, viewer: Actor, *, bins: int = HISTOGRAM_BINS) -> MarketStatistics:
    """The market statistics (staff and managers): see the module's docstring."""
    with db.session() as session:
        return market_statistics_in(session, viewer, bins=bins)


def market_statistics_in(session: Session, viewer: Actor, *, bins: int = HISTOGRAM_BINS,
                         flows: Flows | None = None, supply: tuple[SupplyPoint, ...] | None = None,
                         rows: Sequence[BalanceRow] | None = None) -> MarketStatistics:
    """`market_statistics` inside a read transaction. A caller that has already read the flows
    (`day_group_flows`), the money supply (the economy's) or the active students' balances in this
    session hands them in."""
    authorise(session, viewer, Action.VIEW_REPORTS)
    season = current_season(session)
    rows = balances_in(session, include_inactive=False) if rows is None else rows
    values = [r.balance for r in rows]
    flags = {r.username: flag_of(season, r.balance) for r in rows}
    by_day, by_group, by_day_group = flows if flows is not None else _flows(session, season)
    return MarketStatistics(
        currency_sign=season.currency_sign,
        danger_level=season.balance_danger,
        warning_level=season.balance_warning,
        students=len(values),
        total=sum(values),
        mean=mean_of(values),
        median=median_of(values),
        std_dev=std_dev_of(values),
        minimum=min(values, default=None),
        maximum=max(values, default=None),
        danger=tuple(u for u, f in flags.items() if f == DANGER),
        warning=tuple(u for u, f in flags.items() if f == WARNING),
        pending_transfers=reports.waiting_transfers(session),
        by_day=by_day,
        by_group=by_group,
        by_day_group=by_day_group,
        histogram=histogram(values, bins),
        supply=supply if supply is not None else money_supply(session),
        savings=savings_totals_in(session),
    )


@dataclass(frozen=True)
class Glance:
    """The dashboard's figures: the active students' money, how many are low, the transfers waiting. The
    market statistics without their sums over every entry, which take seconds on a big camp."""

    students: int
    total: int
    mean: int | None
    in_danger: int
    in_warning: int
    danger_level: int
    warning_level: int
    pending_transfers: int


def glance(db: Database, viewer: Actor) -> Glance:
    with db.session() as session:
        authorise(session, viewer, Action.VIEW_REPORTS)
        season = current_season(session)
        values = reports.student_money(session)
        flags = [flag_of(season, value) for value in values]
        return Glance(len(values), sum(values), mean_of(values), flags.count(DANGER), flags.count(WARNING),
                      season.balance_danger, season.balance_warning, reports.waiting_transfers(session))


Flows = tuple[tuple[DayFlow, ...], tuple[GroupFlow, ...], tuple[DayGroupFlow, ...]]


def day_group_flows(session: Session, season: Season) -> Flows:
    """Money issued to and charged from the active students: per day, per group, per day and group."""
    return _flows(session, season)


def _flows(session: Session, season: Season
           ) -> tuple[tuple[DayFlow, ...], tuple[GroupFlow, ...], tuple[DayGroupFlow, ...]]:
    cells: dict[tuple[date, str], list[int]] = {}
    for day, money_type, issued, charged in reports.flows(session):
        cell = cells.setdefault((day, season.group_of(money_type)), [0, 0])
        cell[0] += issued
        cell[1] += charged
    days: dict[date, list[int]] = {}
    groups: dict[str, list[int]] = {g: [0, 0] for g in GROUPS}
    for (day, group), (issued, charged) in cells.items():
        for total in (days.setdefault(day, [0, 0]), groups.setdefault(group, [0, 0])):
            total[0] += issued
            total[1] += charged
    order = {g: i for i, g in enumerate(groups)}
    return (
        tuple(DayFlow(d, i, c) for d, (i, c) in sorted(days.items())),
        tuple(GroupFlow(g, i, c) for g, (i, c) in groups.items()),
        tuple(DayGroupFlow(d, g, i, c)
              for (d, g), (i, c) in sorted(cells.items(), key=lambda kv: (kv[0][0], order[kv[0][1]]))
              if i or c),
    )


def money_supply(session: Session) -> tuple[SupplyPoint, ...]:
    """The active students' total balance at the end of every day from the first movement to the last."""
    changes = reports.supply_changes(session)
    if not changes:
        return ()
    points, running, day = [], 0, min(changes)
    last = max(changes)
    while day <= last:
        running += changes.get(day, 0)
        points.append(SupplyPoint(day, running))
        day += timedelta(days=1)
    return tuple(points)


def histogram(values: list[int], bins: int = HISTOGRAM_BINS) -> tuple[HistogramBin, ...]:
    """About `bins` bins of a round width (1, 2 or 5 times a power of ten, at least 1@) covering min..max."""
    if not values:
        return ()
    low, high = min(values), max(values)
    width = nice_width(max(1, high - low) / max(1, bins))
    start = (low // width) * width
    count = (high - start) // width + 1
    counts = [0] * count
    for value in values:
        counts[(value - start) // width] += 1
    return tuple(HistogramBin(start + i * width, start + (i + 1) * width, n) for i, n in enumerate(counts))


def nice_width(raw: float) -> int:
    """The smallest of 1, 2, 5 × 10^k whole currency units (in cents) at least `raw` cents."""
    width = 100
    while True:
        for step in (1, 2, 5):
            if width * step >= raw:
                return width * step
        width *= 10


"""The economy at a glance, day by day: money issued and charged by group, the money supply, how fast money
changes hands between students (p2p velocity), how unequal the balances are (the Gini coefficient, per
squad and for the camp) and the share of students in danger. The formulas, with worked examples, are in
docs/oversight.md.

Balances are rebuilt from the journal as they stood at the end of each day (UTC): every active student
added by then, each balance what the student has, the main pocket and every other pocket (as the market
statistics count it, docs/savings.md#pockets): the sum of the money journal rows of their account and
their pockets' accounts written up to that day. A move between one's own pockets changes nothing here. Money issued,
charged and sent between students (p2p) is counted on its transaction's day, as in the market
statistics, from the counted entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from sqlmodel import Session

from campbank.core.season import GROUPS, Season
from campbank.ledger import clock
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import economy as queries
from campbank.ledger.views.statistics import DayGroupFlow, SupplyPoint, day_group_flows
from campbank.ledger.views.summaries import authorise, squad_order


def gini(values: Sequence[int]) -> Fraction | None:
    """The Gini coefficient: G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ), the mean absolute difference of every pair over
    twice the mean. 0 when everyone has the same; (n−1)/n when one has everything. None without people or when
    the mean is not positive (the formula then means nothing). Negative balances enter as they are, so a camp
    with debts can pass 1. Computed exactly from the sorted values: G = 2 Σᵢ i·x₍ᵢ₎ / (n Σx) − (n + 1) / n."""
    n, total = len(values), sum(values)
    if n == 0 or total <= 0:
        return None
    ranked = sum(i * x for i, x in enumerate(sorted(values), start=1))
    return Fraction(2 * ranked, n * total) - Fraction(n + 1, n)


@dataclass(frozen=True)
class GroupDay:
    group: str
    issued: int
    charged: int


@dataclass(frozen=True)
class EconomyDay:
    day: date
    students: int  # active students added by the end of the day
    supply: int  # their balances summed at the end of the day, cents
    issued: int  # positive counted entries to students, cents
    charged: int  # negative ones, as a positive number
    groups: tuple[GroupDay, ...]  # every report group, in the season's order
    p2p_volume: int  # what students sent each other (counted transfers)
    velocity: Fraction | None  # p2p volume ÷ supply; None when the supply is not positive
    gini: Fraction | None  # of the camp's balances
    gini_by_squad: tuple[Fraction | None, ...]  # in the order of `Economy.squads`
    in_danger: int  # balances at or below the season's danger level

    @property
    def danger_share(self) -> Fraction | None:
        return Fraction(self.in_danger, self.students) if self.students else None

    @property
    def net(self) -> int:
        return self.issued - self.charged


@dataclass(frozen=True)
class Economy:
    currency_sign: str
    danger_level: int
    squads: tuple[str | None, ...]  # None: students without a squad
    days: tuple[EconomyDay, ...]

    @property
    def supply(self) -> tuple[SupplyPoint, ...]:
        """The money supply of every day, as the market statistics show it."""
        return tuple(SupplyPoint(d.day, d.supply) for d in self.days)


def economy(db: Database, actor: Actor, *, through: date | None = None) -> Economy:
    """Every day from the first money movement to `through` (default: today, within the season), staff and
    managers."""
    with db.session() as session:
        authorise(session, actor, Action.VIEW_REPORTS)
        season = current_season(session)
        _, _, by_day_group = day_group_flows(session, season)
        return economy_in(session, season, by_day_group, through=through)


def economy_in(session: Session, season: Season, by_day_group: Sequence[DayGroupFlow], *,
               through: date | None = None) -> Economy:
    """`economy` inside a read session the caller opened (and authorised), with the day-and-group flows it has
    already read (the xlsx report reads them once for the statistics and the economy)."""
    students = queries.active_students(session)
    moves = list(queries.daily_moves(session))
    squads = tuple(squad_order(season, {s.squad for s in students}))
    days = _days([m.day for m in moves] + [f.day for f in by_day_group], season.first_day, season.last_day, through)
    flows: dict[tuple[date, str], tuple[int, int]] = {(f.day, f.group): (f.issued, f.charged) for f in by_day_group}
    owner_of = queries.pocket_owners(session)  # a pocket's money is its owner's
    moves_on: dict[date, list[tuple[int, int]]] = {}
    for move in moves:
        moves_on.setdefault(move.day, []).append((owner_of.get(move.account_id, move.account_id), move.amount))
    balance = {student.id: 0 for student in students}
    out = []
    for day in days:
        for account_id, amount in moves_on.get(day, ()):
            if account_id in balance:
                balance[account_id] += amount
        by_squad: dict[str | None, list[int]] = {squad: [] for squad in squads}
        for student in students:
            if student.added.date() <= day:
                by_squad[student.squad].append(balance[student.id])
        camp = [b for values in by_squad.values() for b in values]
        supply = sum(camp)
        groups = tuple(GroupDay(g, *flows.get((day, g), (0, 0))) for g in GROUPS)
        p2p = flows.get((day, "p2p"), (0, 0))[0]
        out.append(EconomyDay(
            day=day, students=len(camp), supply=supply,
            issued=sum(g.issued for g in groups), charged=sum(g.charged for g in groups), groups=groups,
            p2p_volume=p2p, velocity=Fraction(p2p, supply) if supply > 0 else None, gini=gini(camp),
            gini_by_squad=tuple(gini(by_squad[squad]) for squad in squads),
            in_danger=sum(1 for b in camp if b <= season.balance_danger),
        ))
    return Economy(season.currency_sign, season.balance_danger, squads, tuple(out))


def _days(seen: list[date], first_day: date, last_day: date, through: date | None) -> list[date]:
    if not seen:
        return []
    start = min(seen)
    end = max(max(seen), min(through or clock.today(), last_day))
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]

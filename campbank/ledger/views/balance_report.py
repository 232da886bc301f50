"""The balance report: per squad, every active student's balance and what they earned.

`balance` is what the student has, main pocket and other pockets together, and `saved` the part in
pockets besides main (docs/savings.md). `earned` is the sum of the positive counted money entries a
student received (every group: the initial grant, transfers received and interest too); `studies`,
`activity`, `sport` and `work` are the same per report group. `certificates` is the student's
book_certificate counter, in cents. Each squad, and the whole camp, gets a footer with the sum, mean and
population standard deviation of every money column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from campbank.core.season import Season
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.database import Database
from campbank.ledger.views.accounts import BalanceRow, balances_in
from campbank.ledger.views.summaries import (
    Summary,
    authorise,
    earned_by_group,
    flag_of,
    squad_label,
    squad_order,
    summarize,
)

EARNED_GROUPS = ("studies", "activity", "sport", "work")
MONEY_COLUMNS = ("balance", "saved", "earned", *EARNED_GROUPS, "certificates")


@dataclass(frozen=True)
class BalanceLine:
    username: str
    full_name: str
    squad: str | None
    grade: int | None
    balance: int  # main + pockets
    saved: int  # the part of the balance in pockets besides main
    earned: int
    studies: int
    activity: int
    sport: int
    work: int
    certificates: int
    flag: str  # "danger", "warning" or ""

    def money(self, column: str) -> int:
        """The value of one of MONEY_COLUMNS."""
        return int(getattr(self, column))


@dataclass(frozen=True)
class SquadBalances:
    squad: str | None
    lines: tuple[BalanceLine, ...]
    footer: dict[str, Summary] = field(default_factory=dict)  # by MONEY_COLUMNS

    @property
    def label(self) -> str:
        return squad_label(self.squad)


@dataclass(frozen=True)
class BalanceReport:
    currency_sign: str
    danger_level: int
    warning_level: int
    squads: tuple[SquadBalances, ...]
    footer: dict[str, Summary]  # the whole camp, by MONEY_COLUMNS

    @property
    def lines(self) -> tuple[BalanceLine, ...]:
        return tuple(line for squad in self.squads for line in squad.lines)


def balance_report(db: Database, viewer: Actor) -> BalanceReport:
    """Every active student by squad then surname, with footers (staff and managers)."""
    with db.session() as session:
        return balance_report_in(session, viewer)


def balance_report_in(session: Session, viewer: Actor, *, rows: Sequence[BalanceRow] | None = None
                      ) -> BalanceReport:
    """`rows`: the active students' balances, when the caller has read them in this session."""
    authorise(session, viewer, Action.VIEW_REPORTS)
    season = current_season(session)
    earned = earned_by_group(session, season)
    rows = balances_in(session, include_inactive=False) if rows is None else rows
    lines = [_line(season, row, earned.get(row.username, {})) for row in rows]
    sections = []
    for squad in squad_order(season, (line.squad for line in lines)):
        members = tuple(line for line in lines if line.squad == squad)
        sections.append(SquadBalances(squad, members, footer_of(members)))
    return BalanceReport(season.currency_sign, season.balance_danger, season.balance_warning, tuple(sections),
                         footer_of(lines))


def footer_of(lines: tuple[BalanceLine, ...] | list[BalanceLine]) -> dict[str, Summary]:
    return {column: summarize(line.money(column) for line in lines) for column in MONEY_COLUMNS}


def _line(season: Season, row: BalanceRow, groups: dict[str, int]) -> BalanceLine:
    return BalanceLine(
        username=row.username,
        full_name=row.full_name,
        squad=row.squad or None,
        grade=row.grade,
        balance=row.balance,
        saved=row.saved,
        earned=sum(groups.values()),
        studies=groups.get("studies", 0),
        activity=groups.get("activity", 0),
        sport=groups.get("sport", 0),
        work=groups.get("work", 0),
        certificates=row.certificates,
        flag=flag_of(season, row.balance),
    )

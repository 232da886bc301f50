"""The study report: per squad, every active student's study counters and expected final fine.

The expected fine is the final stage's (`campbank.rules.study_fine.progress`), the one a manager's
`campbank fines charge --stage final` would make; `progress` also carries the targets for the grade.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from campbank.core.counters import Counter
from campbank.core.season import Season
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.database import Database
from campbank.ledger.views.accounts import BalanceRow, balances_in
from campbank.ledger.views.summaries import authorise, squad_label, squad_order
from campbank.rules.study_fine import Progress, progress

COUNT_COLUMNS = ("labs", "facultatives", "fac_passes", "seminars_attended", "seminars_given",
                 "lectures_attended", "lectures_missed")


@dataclass(frozen=True)
class StudyLine:
    username: str
    full_name: str
    squad: str | None
    grade: int | None
    labs: int  # lab_pass
    facultatives: int  # fac_attend
    fac_passes: int  # fac_pass
    seminars_attended: int  # seminar_attend
    seminars_given: int  # seminar_pass
    lectures_attended: int  # lecture_attend
    lectures_missed: int  # lecture_miss
    expected_fine: int  # cents, final stage
    progress: Progress

    def count(self, column: str) -> int:
        return int(getattr(self, column))


@dataclass(frozen=True)
class StudyTotals:
    """Column sums of a squad (or the camp) and how many students have an incomplete programme."""

    students: int
    counts: dict[str, int]  # by COUNT_COLUMNS
    expected_fine: int
    incomplete: int


@dataclass(frozen=True)
class SquadStudy:
    squad: str | None
    lines: tuple[StudyLine, ...]
    totals: StudyTotals

    @property
    def label(self) -> str:
        return squad_label(self.squad)


@dataclass(frozen=True)
class StudyReport:
    squads: tuple[SquadStudy, ...]
    totals: StudyTotals
    currency_sign: str

    @property
    def lines(self) -> tuple[StudyLine, ...]:
        return tuple(line for squad in self.squads for line in squad.lines)


def study_report(db: Database, viewer: Actor) -> StudyReport:
    """Every active student's study programme by squad then surname (staff and managers)."""
    with db.session() as session:
        return study_report_in(session, viewer)


def study_report_in(session: Session, viewer: Actor, *, rows: Sequence[BalanceRow] | None = None) -> StudyReport:
    """`rows`: the active students' balances, when the caller has read them in this session."""
    authorise(session, viewer, Action.VIEW_REPORTS)
    season = current_season(session)
    rows = balances_in(session, include_inactive=False) if rows is None else rows
    lines = [study_line(season, row) for row in rows]
    sections = []
    for squad in squad_order(season, (line.squad for line in lines)):
        members = tuple(line for line in lines if line.squad == squad)
        sections.append(SquadStudy(squad, members, totals_of(members)))
    return StudyReport(tuple(sections), totals_of(lines), season.currency_sign)


def study_line(season: Season, row: BalanceRow) -> StudyLine:
    c = row.counters
    final = progress(season.final, row.grade, c)
    return StudyLine(
        username=row.username,
        full_name=row.full_name,
        squad=row.squad or None,
        grade=row.grade,
        labs=c.get(Counter.LAB_PASS, 0),
        facultatives=c.get(Counter.FAC_ATTEND, 0),
        fac_passes=c.get(Counter.FAC_PASS, 0),
        seminars_attended=c.get(Counter.SEMINAR_ATTEND, 0),
        seminars_given=c.get(Counter.SEMINAR_PASS, 0),
        lectures_attended=c.get(Counter.LECTURE_ATTEND, 0),
        lectures_missed=c.get(Counter.LECTURE_MISS, 0),
        expected_fine=final.expected_fine,
        progress=final,
    )


def totals_of(lines: tuple[StudyLine, ...] | list[StudyLine]) -> StudyTotals:
    return StudyTotals(
        students=len(lines),
        counts={column: sum(line.count(column) for line in lines) for column in COUNT_COLUMNS},
        expected_fine=sum(line.expected_fine for line in lines),
        incomplete=sum(1 for line in lines if not line.progress.complete),
    )

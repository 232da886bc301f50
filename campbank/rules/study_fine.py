"""`study_fine`: the fine for a study programme left incomplete at a stage (final or equator).

For a student of grade g with counters c, against the stage's targets:
  obligatory visits  v = seminar_attend + fac_attend, d = max(0, visits_target − v)
  expected fine = seminar_missing · max(0, seminar_target − seminar_pass)
                + Σ_{i=0}^{d−1} (visit_base + visit_step · i)
                + lab_missing · max(0, lab_target[g] − lab_pass)
                + fac_pass_missing · max(0, fac_pass_target[g] − fac_pass)
The next lecture-miss fine is lecture_fine_base + lecture_fine_step · lecture_miss.
Made only by `campbank fines charge`, once per stage and student.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from campbank.core.counters import Counter
from campbank.core.enums import Role
from campbank.core.errors import InputError
from campbank.core.season import Season, Stage
from campbank.rules.base import (
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Rule,
    RuleContext,
    roster_order,
)

STAGES = ("final", "equator")


@dataclass(frozen=True)
class Progress:
    """A student's study programme against one stage's targets."""

    visits: int
    visits_target: int
    labs: int
    labs_target: int
    fac_passes: int
    fac_passes_target: int
    seminars_given: int
    seminars_target: int
    expected_fine: int

    @property
    def missing_visits(self) -> int:
        return max(0, self.visits_target - self.visits)

    @property
    def missing_labs(self) -> int:
        return max(0, self.labs_target - self.labs)

    @property
    def missing_fac_passes(self) -> int:
        return max(0, self.fac_passes_target - self.fac_passes)

    @property
    def missing_seminars(self) -> int:
        return max(0, self.seminars_target - self.seminars_given)

    @property
    def complete(self) -> bool:
        return not (self.missing_visits or self.missing_labs or self.missing_fac_passes or self.missing_seminars)


def progress(stage: Stage, grade: int | None, counters: Mapping[str, int]) -> Progress:
    req, fines = stage.requirements, stage.fines
    visits = counters.get(Counter.SEMINAR_ATTEND, 0) + counters.get(Counter.FAC_ATTEND, 0)
    labs_target = req.lab_pass.get(grade, 0) if grade is not None else 0
    fac_target = req.fac_pass.get(grade, 0) if grade is not None else 0
    shortfall = Progress(
        visits, req.obligatory_visits, counters.get(Counter.LAB_PASS, 0), labs_target,
        counters.get(Counter.FAC_PASS, 0), fac_target, counters.get(Counter.SEMINAR_PASS, 0), req.seminar_pass, 0,
    )
    d = shortfall.missing_visits
    fine = (
        fines.seminar_missing * shortfall.missing_seminars
        + d * fines.visit_base + fines.visit_step * d * (d - 1) // 2  # Σ_{i<d} (base + step·i)
        + fines.lab_missing * shortfall.missing_labs
        + fines.fac_pass_missing * shortfall.missing_fac_passes
    )
    return replace(shortfall, expected_fine=fine)


def next_lecture_fine(season: Season, counters: Mapping[str, int]) -> int:
    return season.lecture_fine_base + season.lecture_fine_step * counters.get(Counter.LECTURE_MISS, 0)


def stage_of(season: Season, name: object) -> Stage:
    if name not in STAGES:
        raise InputError(f"{name!r} is not one of: {', '.join(STAGES)}", field="stage")
    stage = season.final if name == "final" else season.equator
    if stage is None:
        raise InputError(f"the season {season.name!r} has no {name} stage", field="stage")
    return stage


class StudyFine(Rule):
    type = "study_fine"
    label = "Study fine"
    money_types = ("study_fine",)
    creator_roles = frozenset({Role.MANAGER})
    system_only = True
    made_by = "`campbank fines charge`"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("stage", FieldKind.CHOICE, "Stage", choices=STAGES if season.equator else ("final",)),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        """Fines every student in `ctx.people` their expected fine for the stage (none when complete)."""
        stage = stage_of(ctx.season, payload.get("stage"))
        lines = []
        for person in roster_order([p for p in ctx.people.values() if p.role == Role.STUDENT]):
            fine = progress(stage, person.grade, person.counters).expected_fine
            if fine > 0:
                lines.append(MoneyLine(person.username, -fine, "study_fine", f"{payload['stage']} study fine"))
        return Entries(money=tuple(lines))


RULE = StudyFine()

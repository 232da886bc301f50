"""The season's rules as plain, immutable data. Amounts are in cents; `season.py` loads and validates them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

GROUPS = ("studies", "work", "sport", "activity", "p2p", "technical", "else", "fine", "purchase")


@dataclass(frozen=True)
class TimeBlock:
    name: str
    start: time
    end: time

    def overlaps(self, other: TimeBlock) -> bool:
        """True when the two ranges share any moment, including one containing the other."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class MoneyType:
    code: str
    label: str
    group: str  # one of GROUPS
    form: str | None = None  # "general_money", "fine" or "purchase": the form that offers it


@dataclass(frozen=True)
class SeminarReward:
    formula: str  # "piecewise" or "linear"
    per_good_point: int = 500  # piecewise: mark > 0 pays mark * this
    per_bad_point: int = 1000  # piecewise: mark <= 0 costs |mark| * this
    linear_offset: int = 5  # linear: (mark + offset) / span * maximum
    linear_span: int = 24
    linear_maximum: int = 8000


@dataclass(frozen=True)
class Requirements:
    """Targets of one stage, by grade where they differ."""

    obligatory_visits: int  # seminar_attend + fac_attend
    lab_pass: dict[int, int]
    fac_pass: dict[int, int]
    seminar_pass: int


@dataclass(frozen=True)
class StudyFines:
    seminar_missing: int  # per missing seminar given
    visit_base: int  # first missing visit; the i-th (from 0) costs base + step * i
    visit_step: int
    lab_missing: int
    fac_pass_missing: int


@dataclass(frozen=True)
class Stage:
    requirements: Requirements
    fines: StudyFines


@dataclass(frozen=True)
class Oversight:
    """Four eyes: a staff transaction over any of these limits waits for a second manager (cents; None = no
    such limit). `enabled = false` in a season switches all of them off."""

    enabled: bool = False
    second_approval_above: int | None = None  # one entry's amount (either sign) above this
    total_above: int | None = None  # the money a transaction moves (Σ |amount|) above this
    daily_budget_per_staff: int | None = None  # money one creator issues in a day (Σ positive amounts)

    @property
    def active(self) -> bool:
        limits = (self.second_approval_above, self.total_above, self.daily_budget_per_staff)
        return self.enabled and any(limit is not None for limit in limits)


@dataclass(frozen=True)
class Season:
    name: str
    currency_sign: str
    first_day: date
    last_day: date
    initial_grant: int
    amount_limit: int
    tax_schedule: dict[int, int]  # season day (1 = first_day) -> cents; a day not listed is outside it
    workout_budget: int
    workout_min_share: int
    exam_pool_per_student: int
    dining_budget: int
    sport_prizes: tuple[int, ...]  # places 1..4
    event_single_prizes: tuple[int, ...]  # places 1..3, one person
    event_team_prizes: tuple[int, ...]  # places 1..3, shared by a team
    activity_certificate: int  # book_certificate for a certificate-marked winner
    certificate_value: int  # the `certificate` transaction's book_certificate
    seminar_reward: SeminarReward
    seminar_criteria: dict[str, tuple[int, ...]]  # criterion -> allowed marks
    lecture_fine_base: int
    lecture_fine_step: int
    final: Stage
    equator: Stage | None
    balance_danger: int  # a balance <= this is in danger
    balance_warning: int  # a balance < this is a warning
    squads: tuple[str, ...]
    grades: tuple[int, ...]
    time_blocks: dict[str, TimeBlock]
    money_types: dict[str, MoneyType]
    kiosk_idle_seconds: int = 90
    office_idle_seconds: int = 300
    api_enabled: bool = True  # `campbank serve` answers the JSON API
    api_token_seconds: int = 12 * 3600  # how long a sign-in through the API lasts
    oversight: Oversight = field(default_factory=Oversight)
    source: str = field(default="", compare=False)

    def day_number(self, day: date) -> int:
        return (day - self.first_day).days + 1

    @property
    def days(self) -> int:
        """How many days the season lasts."""
        return (self.last_day - self.first_day).days + 1

    def tax_for(self, day: date) -> int | None:
        """The tax for a date, or None when the date lies outside the schedule."""
        return self.tax_schedule.get(self.day_number(day))

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def types_for_form(self, form: str) -> dict[str, MoneyType]:
        return {code: t for code, t in self.money_types.items() if t.form == form}

    def group_of(self, money_type: str) -> str:
        known = self.money_types.get(money_type)
        return known.group if known else "else"

"""The season's rules as plain, immutable data. Amounts are in cents; `ledger/season/load.py` loads and
validates them (see docs/rules.md#the-season-file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from fractions import Fraction
from typing import Literal

GROUPS = ("studies", "work", "sport", "activity", "p2p", "technical", "else", "fine", "purchase", "savings")


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
class Setting:
    """A number a transaction type reads from its own table of the season file, `[rules.TYPE]`.

    `amount` is written in @ (as every season amount) and kept as cents; `count` is a whole number.
    """

    name: str
    kind: Literal["amount", "count"]
    help: str = ""
    minimum: int = 0
    maximum: int = 1_000_000


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


# Savings and credit (docs/savings.md). Every part is off unless the season switches it on; a season file
# without these sections (every camp before them) has them all off.


@dataclass(frozen=True)
class PocketRules:
    """Goal pockets: money a student sets aside by purpose, moved at once between their own pockets."""

    enabled: bool = False
    max_goals: int = 0  # goal pockets a student may have open at once


@dataclass(frozen=True)
class SavingsRules:
    """The savings pocket and its daily interest: floor(min(B, max_balance) × rate / 100) cents a day."""

    enabled: bool = False
    daily_rate_percent: Fraction = Fraction(0)  # exact: written as a decimal string such as "1.5"
    max_balance: int = 0  # cents; a balance above it earns only on this much


@dataclass(frozen=True)
class LoanRules:
    """Loans from the bank, repaid by daily instalments: T = P + floor(P × interest_percent / 100)."""

    enabled: bool = False
    granted_by: str = "manager"  # "staff" (staff and managers) or "manager" (managers only)
    max_amount: int = 0  # cents
    max_instalments: int = 0
    interest_percent: Fraction = Fraction(0)


@dataclass(frozen=True)
class FundRules:
    """Money pools for a shared goal, spent at the target or refunded exactly."""

    enabled: bool = False
    max_target: int = 0  # cents


@dataclass(frozen=True)
class CircleRules:
    """Rotating savings circles: each round every member pays c and one member receives k·c."""

    enabled: bool = False
    max_members: int = 0
    max_contribution: int = 0  # cents


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
    rule_settings: dict[str, dict[str, int]] = field(default_factory=dict)  # [rules.TYPE] name = value
    pockets: PocketRules = field(default_factory=PocketRules)
    savings: SavingsRules = field(default_factory=SavingsRules)
    loans: LoanRules = field(default_factory=LoanRules)
    funds: FundRules = field(default_factory=FundRules)
    circles: CircleRules = field(default_factory=CircleRules)
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

    def setting(self, rule_type: str, name: str) -> int:
        """A number from the season's `[rules.TYPE]` table (the loader made sure it is there)."""
        return self.rule_settings[rule_type][name]

    def group_of(self, money_type: str) -> str:
        known = self.money_types.get(money_type)
        return known.group if known else "else"

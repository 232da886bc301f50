"""A policy dry-run: what a candidate season's charges would have done to this camp, without writing anything.

For the days so far (the season in force's first day up to the later of yesterday and the last day taxed),
each active student is charged, on paper, what the candidate would have charged: its tax for each day the
student was in the camp (days are matched by number: the candidate's day 1 is this camp's first day) and
its equator study fine if the equator day has passed (from the student's counters as of that day). The
season in force's figures are what it actually charged (counted tax and study fines) and paid (interest).

A student's balance is their whole money, own account and pockets, as everywhere a balance is shown. The
interest a season pays into savings pockets counts against its charges: "charged" is tax and study fines
less interest. The candidate's interest is recomputed day by day on each savings pocket as its money
actually moved, with the candidate's own interest of the days before in place of what was paid.

A straight-line projection takes each student to the last day: what they earned and spent apart from the
policy (balance now + policy charges so far − grants, per day so far) goes on at the same rate, the
remaining days are charged by each season's schedule, and the final (and a pending equator) study fine is
charged from counters projected on the same straight line. A student "falls into danger" when the candidate
puts them at or below its danger level today where the season in force does not, or at the end where the season
in force does not. See docs/oversight.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from sqlmodel import Session

from campbank.core.season import Season, Stage
from campbank.ledger import clock
from campbank.ledger.people import join_name
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.season.load import parse_season
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import policy as queries
from campbank.ledger.views.summaries import authorise, round_cents, squad_order
from campbank.rules.savings import interest
from campbank.rules.study_fine import progress

INTEREST = "interest paid"  # the component paid to the students: more is to their good


@dataclass(frozen=True)
class StudentTry:
    username: str
    full_name: str
    squad: str | None
    grade: int | None
    balance: int  # now, under the season in force: the student's own account and pockets
    charged: int  # by the season in force so far: tax + study fines − interest paid
    would_charge: int  # by the candidate over the same days, the same way
    charged_by_end: int  # the season in force's charges to the last day, projected
    would_charge_by_end: int
    end_balance: int  # projected to the last day under the season in force
    end_balance_candidate: int
    danger_level: int  # the season in force's
    candidate_danger_level: int

    @property
    def difference(self) -> int:
        """How much more (negative: less) the candidate would have charged so far."""
        return self.would_charge - self.charged

    @property
    def balance_candidate(self) -> int:
        """Today's balance had the candidate been in force from the first day."""
        return self.balance + self.charged - self.would_charge

    @property
    def danger_now(self) -> bool:
        return self.balance <= self.danger_level

    @property
    def danger_now_candidate(self) -> bool:
        return self.balance_candidate <= self.candidate_danger_level

    @property
    def danger_at_end(self) -> bool:
        return self.end_balance <= self.danger_level

    @property
    def danger_at_end_candidate(self) -> bool:
        return self.end_balance_candidate <= self.candidate_danger_level

    @property
    def falls_into_danger(self) -> bool:
        """In danger under the candidate where the season in force keeps them out: today, or at the end."""
        return (self.danger_now_candidate and not self.danger_now) or \
            (self.danger_at_end_candidate and not self.danger_at_end)


@dataclass(frozen=True)
class SquadTry:
    squad: str | None
    students: int
    charged: int
    would_charge: int
    charged_by_end: int
    would_charge_by_end: int
    danger_now: int  # students at or below the danger level today, season in force
    danger_now_candidate: int
    danger_at_end: int  # projected to the last day
    danger_at_end_candidate: int
    falling: int  # into danger under the candidate only (today or at the end)

    @property
    def difference(self) -> int:
        return self.would_charge - self.charged


@dataclass(frozen=True)
class ComponentTry:
    name: str
    charged: int  # so far, season in force
    would_charge: int  # so far, candidate
    charged_by_end: int
    would_charge_by_end: int

    @property
    def paid(self) -> bool:
        """Paid to the students (interest) rather than charged to them."""
        return self.name == INTEREST


@dataclass(frozen=True)
class DryRun:
    season: str
    candidate: str
    source: str
    currency_sign: str
    first_day: date
    through: date | None  # the last day counted as "so far" (None: the season has not begun)
    days_so_far: int
    season_days: int
    components: tuple[ComponentTry, ...]
    squads: tuple[SquadTry, ...]
    students: tuple[StudentTry, ...]  # by squad, then surname
    notes: tuple[str, ...]

    @property
    def falling(self) -> tuple[StudentTry, ...]:
        return tuple(s for s in self.students if s.falls_into_danger)


def try_season(db: Database, actor: Actor, candidate_text: str, source: str, *, today: date | None = None
               ) -> DryRun:
    """Compare the candidate season (TOML text) with the season in force over this camp (managers). A bad file
    is refused like `season load` refuses it. Reads only."""
    candidate = parse_season(candidate_text, source)
    with db.session() as session:
        authorise(session, actor, Action.LOAD_SEASON)
        season = current_season(session)
        through = _through(season, queries.last_taxed_day(session), today or clock.today())
        students = queries.active_students(session)
        charged = queries.charged_through(session, through) if through else {}
        counters_now = queries.counters_on(session, through) if through else {}
        equator_counters = _equator_counters(session, season, candidate, through)
        savings = queries.savings_days(session) if season.savings.enabled or candidate.savings.enabled else None
    interest = _interest(season, candidate, through, savings) if savings is not None else None
    return _compare(season, candidate, source, through, students, charged, counters_now, equator_counters, interest)


def equator_day(season: Season) -> date:
    """The middle day of the season: the equator stage's date."""
    return season.first_day + timedelta(days=(season.days - 1) // 2)


def _through(season: Season, last_taxed: date | None, today: date) -> date | None:
    end = max(today - timedelta(days=1), last_taxed or season.first_day - timedelta(days=1))
    end = min(end, season.last_day)
    return end if end >= season.first_day else None


def _equator_counters(session: Session, season: Season, candidate: Season, through: date | None
                      ) -> dict[int, dict[str, int]] | None:
    """Counters as of the equator day, when the candidate has an equator stage and that day has passed."""
    if candidate.equator is None or through is None or equator_day(season) > through:
        return None
    return queries.counters_on(session, equator_day(season))


def _compare(season: Season, candidate: Season, source: str, through: date | None,
             students: list[queries.Student], charged: Mapping[int, queries.Charged],
             counters_now: Mapping[int, dict[str, int]], equator_counters: Mapping[int, dict[str, int]] | None,
             interest: Mapping[int, InterestTry] | None) -> DryRun:
    n = (through - season.first_day).days + 1 if through else 0
    total_days = season.days
    notes = list(_notes(season, candidate, n))
    lines: list[StudentTry] = []
    components = ("tax", "study fines") + ((INTEREST,) if interest is not None else ())
    parts = {name: [0, 0, 0, 0] for name in components}  # so far, candidate; by the last day, candidate
    for s in students:
        was = charged.get(s.id, queries.Charged(0, 0, 0))
        present = max(0, (through - max(s.added.date(), season.first_day)).days + 1) if through else 0
        first_present = n - present + 1  # the season day the student joined (1 if from the start)
        cand_tax = sum(candidate.tax_schedule.get(day, 0) for day in range(first_present, n + 1))
        cand_fines = 0
        if equator_counters is not None and candidate.equator is not None:
            cand_fines = progress(candidate.equator, s.grade, equator_counters.get(s.id, {})).expected_fine
        counters = counters_now.get(s.id, {})
        remaining_tax_now = sum(season.tax_schedule.get(day, 0) for day in range(n + 1, total_days + 1))
        remaining_tax_candidate = sum(candidate.tax_schedule.get(day, 0) for day in range(n + 1, total_days + 1))
        pending_now = _pending_fines(season, s.grade, counters, n, present, total_days)
        pending_candidate = _pending_fines(candidate, s.grade, counters, n, present, total_days)
        paid = interest.get(s.id, NO_INTEREST) if interest is not None else NO_INTEREST
        so_far_now = was.tax + was.study_fines - paid.paid  # what the policy took, net of the interest it paid
        so_far_candidate = cand_tax + cand_fines - paid.would_pay
        rest_now = remaining_tax_now + pending_now - (paid.paid_by_end - paid.paid)
        rest_candidate = remaining_tax_candidate + pending_candidate - (paid.would_pay_by_end - paid.would_pay)
        rate = Fraction(s.balance + so_far_now - was.grants, present) if present else Fraction(0)
        drift = round_cents(rate * (total_days - n)) if n < total_days else 0
        end_now = s.balance + drift - rest_now
        end_candidate = s.balance + so_far_now - so_far_candidate + drift - rest_candidate
        lines.append(StudentTry(
            username=s.username, full_name=join_name(s.last_name, s.first_name, s.middle_name), squad=s.squad,
            grade=s.grade, balance=s.balance, charged=so_far_now, would_charge=so_far_candidate,
            charged_by_end=so_far_now + rest_now, would_charge_by_end=so_far_candidate + rest_candidate,
            end_balance=end_now, end_balance_candidate=end_candidate, danger_level=season.balance_danger,
            candidate_danger_level=candidate.balance_danger,
        ))
        for name, values in (("tax", (was.tax, cand_tax, was.tax + remaining_tax_now,
                                      cand_tax + remaining_tax_candidate)),
                             ("study fines", (was.study_fines, cand_fines, was.study_fines + pending_now,
                                              cand_fines + pending_candidate)),
                             (INTEREST, (paid.paid, paid.would_pay, paid.paid_by_end, paid.would_pay_by_end))):
            if name in parts:
                for i, value in enumerate(values):
                    parts[name][i] += value
    lines.sort(key=lambda line: (line.squad or "", line.full_name.casefold(), line.username))
    if season.equator is not None and through is not None and equator_day(season) <= through \
            and parts["study fines"][0] == 0:
        notes.append("The equator day has passed and the season in force has charged no equator fines yet: its "
                     "figures leave them out.")
    squads = tuple(_squad(squad, [line for line in lines if line.squad == squad])
                   for squad in squad_order(season, {line.squad for line in lines}))
    return DryRun(
        season=season.name, candidate=candidate.name, source=source, currency_sign=season.currency_sign,
        first_day=season.first_day, through=through, days_so_far=n, season_days=total_days,
        components=tuple(ComponentTry(name, *values) for name, values in parts.items()), squads=squads,
        students=tuple(lines),
        notes=(*notes, "Neither season pays interest on savings.") if interest is None else tuple(notes),
    )


@dataclass(frozen=True)
class InterestTry:
    """Interest on one student's savings pockets: paid so far by the season in force, what the candidate
    would have paid, and each by the last day."""

    paid: int = 0
    would_pay: int = 0
    paid_by_end: int = 0
    would_pay_by_end: int = 0


NO_INTEREST = InterestTry()


def _interest(season: Season, candidate: Season, through: date | None,
              savings: Mapping[int, Mapping[int, list[queries.SavingsDay]]]) -> dict[int, InterestTry]:
    """Per student id, interest on their savings pockets. By the last day, each pocket's interest on the
    balance it reached goes on for the days left (a straight line, like the rest of the projection)."""
    n = (through - season.first_day).days + 1 if through else 0
    left = season.days - n
    found = {}
    for student_id, pockets in savings.items():
        paid = would_pay = paid_by_end = would_pay_by_end = 0
        for days in pockets.values():
            so_far = [d for d in days if through is not None and d.day <= through]
            actual = sum(d.interest for d in so_far)
            paid += actual
            paid_by_end += actual + left * _daily_interest(season, actual + sum(d.other for d in so_far))
            candidate_paid, candidate_reached = _interest_as_paid_by(candidate, so_far, season.first_day, through)
            would_pay += candidate_paid
            would_pay_by_end += candidate_paid + left * _daily_interest(candidate, candidate_reached)
        found[student_id] = InterestTry(paid, would_pay, paid_by_end, would_pay_by_end)
    return found


def _interest_as_paid_by(season: Season, days: list[queries.SavingsDay], first_day: date, through: date | None
                         ) -> tuple[int, int]:
    """What `season` would have paid a savings pocket each day from `first_day` to `through`, its money moving
    as it did (`days`): the interest paid, and the balance it would have reached."""
    moves = {d.day: d.other for d in days}
    balance = sum(d.other for d in days if d.day < first_day)
    paid = 0
    day = first_day
    while through is not None and day <= through:
        balance += moves.get(day, 0)
        earned = _daily_interest(season, balance)
        paid += earned
        balance += earned
        day += timedelta(days=1)
    return paid, balance


def _daily_interest(season: Season, balance: int) -> int:
    rules = season.savings
    return interest(balance, rules.daily_rate_percent, rules.max_balance) if rules.enabled else 0


def _pending_fines(season: Season, grade: int | None, counters: Mapping[str, int], n: int, present: int,
                   total_days: int) -> int:
    """Study fines still to come under `season` after day n: the equator's (the middle day) and the final one
    (the last day), each from counters projected on a straight line to its day. A student with no day in the
    camp yet is projected from nothing."""
    stages: list[tuple[Stage, int]] = [(season.final, total_days)]
    if season.equator is not None:
        stages.append((season.equator, (total_days - 1) // 2 + 1))
    fines = 0
    for stage, day_number in stages:
        if day_number <= n:
            continue  # passed: charged (or not) already, never projected again
        scale = Fraction(present + day_number - n, present) if present else Fraction(0)
        projected = {name: int(value * scale) for name, value in counters.items()}
        fines += progress(stage, grade, projected).expected_fine
    return fines


def _squad(squad: str | None, lines: list[StudentTry]) -> SquadTry:
    return SquadTry(
        squad=squad, students=len(lines), charged=sum(s.charged for s in lines),
        would_charge=sum(s.would_charge for s in lines), charged_by_end=sum(s.charged_by_end for s in lines),
        would_charge_by_end=sum(s.would_charge_by_end for s in lines),
        danger_now=sum(s.danger_now for s in lines), danger_now_candidate=sum(s.danger_now_candidate for s in lines),
        danger_at_end=sum(s.danger_at_end for s in lines),
        danger_at_end_candidate=sum(s.danger_at_end_candidate for s in lines),
        falling=sum(s.falls_into_danger for s in lines),
    )


def _notes(season: Season, candidate: Season, n: int) -> tuple[str, ...]:
    notes = [f"Days are matched by number: the candidate's day 1 is this camp's first day ({season.first_day})."]
    missing = [day for day in range(1, season.days + 1) if day not in candidate.tax_schedule]
    if missing:
        notes.append(f"The candidate has no tax for day{'s' if len(missing) > 1 else ''} "
                     f"{_ranges(missing)}: nothing is charged then.")
    if n == 0:
        notes.append("The season has not begun: nothing has been charged yet; the projection covers every day.")
    if candidate.equator is not None and season.equator is None:
        notes.append("The candidate has an equator stage the season in force lacks.")
    return tuple(notes)


def _ranges(days: list[int]) -> str:
    parts, start = [], days[0]
    for previous, day in zip(days, [*days[1:], None], strict=True):
        if day != previous + 1 if day is not None else True:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
            if day is not None:
                start = day
    return ", ".join(parts)

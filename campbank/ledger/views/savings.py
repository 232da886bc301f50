"""What savings and credit show: a student's pockets, loans, funds and circles; the overviews staff and
managers read; the camp's totals for the statistics. Plain frozen dataclasses (docs/savings.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from campbank.core.enums import Role
from campbank.core.errors import PermissionDenied
from campbank.core.season import Season
from campbank.ledger.people import account_named, acting_account, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import savings as store
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import savings as queries
from campbank.ledger.views.accounts import check_may_view
from campbank.rules.savings import Circle, Fund, Loan, Pocket, remaining_instalments


@dataclass(frozen=True)
class ScheduleLine:
    number: int
    due: date
    amount: int  # as granted
    charged: int  # what the nightly run charged
    left: int  # still to be charged (early repayments removed the rest)

    @property
    def status(self) -> str:
        if self.charged:
            return "paid"
        if self.left == 0:
            return "repaid early"
        return "due"


@dataclass(frozen=True)
class LoanCard:
    loan: Loan
    lines: tuple[ScheduleLine, ...]

    @property
    def status(self) -> str:
        if self.loan.state != "open":
            return self.loan.state.replace("_", " ")
        return "paid" if self.loan.outstanding == 0 else "open"

    @property
    def next_due(self) -> ScheduleLine | None:
        """The next instalment to be charged; none until a loan waiting for a second manager is approved."""
        if self.status != "open":
            return None
        return next((line for line in self.lines if line.status == "due"), None)


@dataclass(frozen=True)
class FundLine:
    fund: Fund
    mine: int  # the viewer's (or the student's) counted contributions
    contributors: int


@dataclass(frozen=True)
class CircleRound:
    number: int
    day: date
    receiver: str
    held: bool


@dataclass(frozen=True)
class CircleCard:
    circle: Circle
    voided: bool
    rounds: tuple[CircleRound, ...]

    @property
    def held(self) -> int:
        return sum(1 for r in self.rounds if r.held)


@dataclass(frozen=True)
class SavingsCard:
    """One student's savings and credit: every pocket (main first), loans, funds open to them, circles."""

    username: str
    season: Season
    pockets: tuple[Pocket, ...]
    loans: tuple[LoanCard, ...]
    funds: tuple[FundLine, ...]
    circles: tuple[CircleCard, ...]

    @property
    def main(self) -> int:
        return self.pockets[0].balance

    @property
    def total(self) -> int:
        return sum(p.balance for p in self.pockets)

    @property
    def open_loan(self) -> LoanCard | None:
        return next((card for card in self.loans if card.status == "open"), None)


def savings_card(db: Database, viewer: Actor, username: str) -> SavingsCard:
    """A student's pockets, loans, funds and circles, if `viewer` may see the student."""
    with db.session() as session:
        return savings_card_in(session, viewer, username)


def savings_card_in(session: Session, viewer: Actor, username: str) -> SavingsCard:
    account = account_named(session, username)
    check_may_view(session, viewer, account)
    if account.role != Role.STUDENT:
        raise PermissionDenied(f"{username} is not a student", field="username")
    season = current_season(session)
    owner = person_of(account)
    pockets, _people = store.pockets_of(session, owner)
    assert account.id is not None
    loans = tuple(_loan_card(session, loan) for loan in store.loans(session, borrower_id=account.id))
    return SavingsCard(username, season, tuple(pockets.values()), loans,
                       tuple(_funds_for(session, account.id, account.squad)), tuple(_circles_of(session, account.id)))


def _loan_card(session: Session, loan: Loan, charged: dict[int, int] | None = None) -> LoanCard:
    """`charged`: what `queries.instalments_charged` gives for the loan, when it was read with others'."""
    if charged is None:
        charged = queries.instalments_charged(session, loan.id)
    scheduled = loan.state in ("open", "waiting")  # a waiting loan's schedule starts when its grant is approved
    left = remaining_instalments(loan.schedule, loan.repaid) if scheduled else (0,) * len(loan.schedule)
    lines = tuple(ScheduleLine(k, loan.due_on(k), amount, charged.get(k, 0), 0 if charged.get(k) else left[k - 1])
                  for k, amount in enumerate(loan.schedule, start=1))
    return LoanCard(loan, lines)


def loans_overview(db: Database, viewer: Actor) -> tuple[LoanCard, ...]:
    """Every loan of the camp, newest first (staff and managers)."""
    with db.session() as session:
        return loans_overview_in(session, viewer)


def loans_overview_in(session: Session, viewer: Actor) -> tuple[LoanCard, ...]:
    require(acting_account(session, viewer), Action.VIEW_STUDENTS)
    charged = queries.every_instalment_charged(session)
    return tuple(_loan_card(session, loan, charged.get(loan.id, {})) for loan in store.loans(session))


def funds_overview(db: Database, viewer: Actor) -> tuple[FundLine, ...]:
    """Every fund, newest first: staff and managers see all; a student sees those open to them."""
    with db.session() as session:
        return funds_overview_in(session, viewer)


def funds_overview_in(session: Session, viewer: Actor) -> tuple[FundLine, ...]:
    me = acting_account(session, viewer)
    if me.role == Role.STUDENT:
        assert me.id is not None
        return tuple(_funds_for(session, me.id, me.squad))
    require(me, Action.VIEW_STUDENTS)
    return tuple(FundLine(fund, 0, queries.contributors(session, fund.account))
                 for fund, _person in store.funds(session))


def circles_overview(db: Database, viewer: Actor) -> tuple[CircleCard, ...]:
    """Every circle, newest first (staff and managers)."""
    with db.session() as session:
        return circles_overview_in(session, viewer)


def circles_overview_in(session: Session, viewer: Actor) -> tuple[CircleCard, ...]:
    require(acting_account(session, viewer), Action.VIEW_STUDENTS)
    return tuple(card for circle_id in queries.circle_ids(session)
                 if (card := _circle_card(session, circle_id)) is not None)


def funds_and_circles(db: Database, viewer: Actor) -> tuple[tuple[FundLine, ...], tuple[CircleCard, ...]]:
    """Every fund and every circle, read together (staff and managers)."""
    with db.session() as session:
        return funds_overview_in(session, viewer), circles_overview_in(session, viewer)


@dataclass(frozen=True)
class SavingsTotals:
    """The camp's money set aside and lent (cents), for the statistics."""

    savings_pockets: int
    goal_pockets: int
    funds: int
    loans_outstanding: int
    open_loans: int

    @property
    def in_pockets(self) -> int:
        return self.savings_pockets + self.goal_pockets


def savings_totals_in(session: Session) -> SavingsTotals:
    """Money in pockets of active students (savings and goals), in open funds, and loans outstanding."""
    pockets = queries.pocket_sums(session)
    open_loans = store.loans(session, only_open=True)
    return SavingsTotals(pockets.get("savings", 0), pockets.get("goal", 0), queries.money_in_funds(session),
                         sum(loan.outstanding for loan in open_loans), len(open_loans))


def _funds_for(session: Session, account_id: int, squad: str | None) -> list[FundLine]:
    """Open funds the student may give to, and every fund they gave to, with what they gave."""
    mine = queries.contributions_by(session, account_id)
    lines = []
    for fund, _person in store.funds(session):
        open_to_me = fund.state == "open" and fund.squad in (None, squad)
        if open_to_me or fund.id in mine:
            lines.append(FundLine(fund, mine.get(fund.id, 0), queries.contributors(session, fund.account)))
    return lines


def _circles_of(session: Session, account_id: int) -> list[CircleCard]:
    return [card for circle_id in queries.circle_ids(session, member_id=account_id)
            if (card := _circle_card(session, circle_id)) is not None]


def _circle_card(session: Session, circle_id: int) -> CircleCard | None:
    circle = store.circle(session, circle_id)
    if circle is None:
        return None
    held = queries.rounds_held(session, circle_id)
    rounds = tuple(CircleRound(i, circle.start.fromordinal(circle.start.toordinal() + i - 1), member, i in held)
                   for i, member in enumerate(circle.members, start=1))
    return CircleCard(circle, queries.circle_voided(session, circle_id), rounds)


@dataclass(frozen=True)
class PocketLine:
    """One pocket of the camp, for the report: its owner, name, kind, balance and target."""

    username: str
    full_name: str
    squad: str | None
    name: str
    kind: str
    balance: int
    target: int | None
    open: bool


def _pocket_lines(session: Session) -> tuple[PocketLine, ...]:
    """Every pocket (open or closed) of every student, by squad, surname and pocket."""
    lines = [PocketLine(row.username, " ".join(part for part in (row.last_name, row.first_name, row.middle_name)
                                               if part),
                        row.squad, row.name, row.kind, row.balance, row.target, row.open)
             for row in queries.pocket_rows(session)]
    return tuple(sorted(lines, key=lambda p: (p.squad or "", p.full_name.casefold(), p.username,
                                              p.kind != "savings", p.name.casefold())))


@dataclass(frozen=True)
class SavingsSnapshot:
    """Every pocket, loan, fund and circle, for the report's savings sheets."""

    pockets: tuple[PocketLine, ...]
    loans: tuple[LoanCard, ...]
    funds: tuple[FundLine, ...]
    circles: tuple[CircleCard, ...]


def savings_snapshot_in(session: Session, viewer: Actor) -> SavingsSnapshot:
    """Every pocket, loan, fund and circle (staff and managers), in the caller's read."""
    require(acting_account(session, viewer), Action.VIEW_STUDENTS)
    return SavingsSnapshot(_pocket_lines(session), loans_overview_in(session, viewer),
                           funds_overview_in(session, viewer), circles_overview_in(session, viewer))

"""What savings and credit show: a student's pockets, loans, funds and circles; the overviews staff and
managers read; the camp's totals for the statistics. Plain frozen dataclasses (docs/savings.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session

from campbank.core.enums import Role
from campbank.core.errors import PermissionDenied
from campbank.core.season import Season
from campbank.ledger.people import account_named, acting_account, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import keys
from campbank.ledger.store import savings as store
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


def savings_card(session: Session, viewer: Actor, username: str) -> SavingsCard:
    """A student's pockets, loans, funds and circles, if `viewer` may see the student."""
    account = account_named(session, username)
    check_may_view(session, viewer, account)
    if account.role != Role.STUDENT:
        raise PermissionDenied(f"{username} is not a student", field="username")
    season = current_season(session)
    owner = person_of(account)
    pockets, _people = store.pockets_of(session, owner)
    assert account.id is not None
    loans = tuple(loan_card(session, loan) for loan in store.loans(session, borrower_id=account.id))
    return SavingsCard(username, season, tuple(pockets.values()), loans,
                       tuple(_funds_for(session, account.id, account.squad)), tuple(_circles_of(session, account.id)))


def loan_card(session: Session, loan: Loan) -> LoanCard:
    charged = {number: amount for number, amount in session.execute(text(
        "SELECT lp.instalment, -SUM(me.amount) FROM loan_payment lp JOIN money_entry me ON me.id = lp.money_entry_id "
        "JOIN txn t ON t.id = me.transaction_id AND t.state = 'processed' "
        "WHERE lp.loan_id = :loan AND lp.instalment IS NOT NULL GROUP BY lp.instalment"), {"loan": loan.id})}
    left = remaining_instalments(loan.schedule, loan.repaid) if loan.state == "open" else (0,) * len(loan.schedule)
    lines = tuple(ScheduleLine(k, loan.due_on(k), amount, int(charged.get(k, 0)),
                               0 if charged.get(k) else left[k - 1])
                  for k, amount in enumerate(loan.schedule, start=1))
    return LoanCard(loan, lines)


def loans_overview(session: Session, viewer: Actor) -> tuple[LoanCard, ...]:
    """Every loan of the camp, newest first (staff and managers)."""
    require(acting_account(session, viewer), Action.VIEW_STUDENTS)
    return tuple(loan_card(session, loan) for loan in store.loans(session))


def funds_overview(session: Session, viewer: Actor) -> tuple[FundLine, ...]:
    """Every fund, newest first: staff and managers see all; a student sees those open to them."""
    me = acting_account(session, viewer)
    if me.role == Role.STUDENT:
        assert me.id is not None
        return tuple(_funds_for(session, me.id, me.squad))
    require(me, Action.VIEW_STUDENTS)
    return tuple(FundLine(fund, 0, _contributors(session, fund.account)) for fund, _person in store.funds(session))


def circles_overview(session: Session, viewer: Actor) -> tuple[CircleCard, ...]:
    """Every circle, newest first (staff and managers)."""
    require(acting_account(session, viewer), Action.VIEW_STUDENTS)
    ids = [row[0] for row in session.execute(text("SELECT id FROM circle ORDER BY id DESC"))]
    return tuple(card for circle_id in ids if (card := _circle_card(session, circle_id)) is not None)


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


def savings_totals(session: Session) -> SavingsTotals:
    """Money in pockets of active students (savings and goals), in open funds, and loans outstanding."""
    pockets = dict(session.execute(text(
        "SELECT p.kind, COALESCE(SUM(a.balance), 0) FROM pocket p JOIN account a ON a.id = p.account_id "
        "JOIN account o ON o.id = p.owner_id WHERE o.active = 1 GROUP BY p.kind")).all())
    in_funds = session.execute(text(
        "SELECT COALESCE(SUM(a.balance), 0) FROM fund f JOIN account a ON a.id = f.account_id")).scalar_one()
    open_loans = store.loans(session, only_open=True)
    return SavingsTotals(int(pockets.get("savings", 0)), int(pockets.get("goal", 0)), int(in_funds),
                         sum(loan.outstanding for loan in open_loans), len(open_loans))


def _funds_for(session: Session, account_id: int, squad: str | None) -> list[FundLine]:
    """Open funds the student may give to, and every fund they gave to, with what they gave."""
    mine = {fund_id: int(total) for fund_id, total in session.execute(text(
        "SELECT f.id, SUM(me.amount) FROM money_entry me JOIN txn t ON t.id = me.transaction_id "
        "JOIN fund f ON f.account_id = me.receiver_id "
        "WHERE t.creator_id = :me AND t.type = 'fund_contribution' AND t.state = 'processed' GROUP BY f.id"),
        {"me": account_id})}
    lines = []
    for fund, _person in store.funds(session):
        open_to_me = fund.state == "open" and fund.squad in (None, squad)
        if open_to_me or fund.id in mine:
            lines.append(FundLine(fund, mine.get(fund.id, 0), _contributors(session, fund.account)))
    return lines


def _contributors(session: Session, fund_account: str) -> int:
    return int(session.execute(text(
        "SELECT COUNT(DISTINCT t.creator_id) FROM money_entry me JOIN txn t ON t.id = me.transaction_id "
        "JOIN account a ON a.id = me.receiver_id "
        "WHERE a.username = :fund AND t.type = 'fund_contribution' AND t.state = 'processed'"),
        {"fund": fund_account}).scalar_one())


def _circles_of(session: Session, account_id: int) -> list[CircleCard]:
    ids = [row[0] for row in session.execute(text(
        "SELECT circle_id FROM circle_member WHERE account_id = :me ORDER BY circle_id DESC"), {"me": account_id})]
    return [card for circle_id in ids if (card := _circle_card(session, circle_id)) is not None]


def _circle_card(session: Session, circle_id: int) -> CircleCard | None:
    circle = store.circle(session, circle_id)
    if circle is None:
        return None
    voided = session.execute(text("SELECT voided_at IS NOT NULL FROM circle WHERE id = :id"),
                             {"id": circle_id}).scalar_one()
    prefix = keys.system_key("circle", circle_id) + ":"
    held = {int(key.rsplit(":", 1)[1]) for (key,) in session.execute(text(
        "SELECT idempotency_key FROM txn WHERE state = 'processed' AND substr(idempotency_key, 1, :n) = :prefix"),
        {"n": len(prefix), "prefix": prefix})}
    rounds = tuple(CircleRound(i, circle.start.fromordinal(circle.start.toordinal() + i - 1), member, i in held)
                   for i, member in enumerate(circle.members, start=1))
    return CircleCard(circle, bool(voided), rounds)


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


def pocket_lines(session: Session, viewer: Actor) -> tuple[PocketLine, ...]:
    """Every pocket (open or closed) of every student, by squad, surname and pocket (staff and managers)."""
    require(acting_account(session, viewer), Action.VIEW_STUDENTS)
    rows = session.execute(text(
        "SELECT o.username, o.last_name, o.first_name, o.middle_name, o.squad, p.name, p.kind, a.balance, p.target, "
        "p.closed_at IS NULL FROM pocket p JOIN account a ON a.id = p.account_id JOIN account o ON o.id = p.owner_id"))
    lines = [PocketLine(username, " ".join(part for part in (last, first, middle) if part), squad, name, kind,
                        int(balance), target, bool(is_open))
             for username, last, first, middle, squad, name, kind, balance, target, is_open in rows]
    return tuple(sorted(lines, key=lambda p: (p.squad or "", p.full_name.casefold(), p.username,
                                              p.kind != "savings", p.name.casefold())))


@dataclass(frozen=True)
class SavingsSnapshot:
    """Every pocket, loan, fund and circle, for the report's savings sheets."""

    pockets: tuple[PocketLine, ...]
    loans: tuple[LoanCard, ...]
    funds: tuple[FundLine, ...]
    circles: tuple[CircleCard, ...]


def savings_snapshot(session: Session, actor: Actor) -> SavingsSnapshot:
    return SavingsSnapshot(pocket_lines(session, actor), loans_overview(session, actor),
                           funds_overview(session, actor), circles_overview(session, actor))

"""The nightly run (`campbank tax run`): every scheduled charge of each date, in a fixed order.

For each date: the tax, then the interest on savings pockets, then the loan instalments due, then the
savings circles' rounds, then the refund of funds whose deadline passed short of their target. Each step
is its own database transaction under the write lock, and each transaction it makes carries a system key
(`sys:tax:D`, `sys:interest:D`, `sys:loan:D`, `sys:circle:ID:i`, `sys:fund:ID:refund`) looked up before
it is made: a second run, two runs at once, or a run killed between two steps and started again, make
each charge exactly once (docs/savings.md#the-nightly-run). A part the season switches off is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from campbank.core.money import format_amount
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.actions import circles, funds, tax
from campbank.ledger.actions.posting import record_transaction
from campbank.ledger.actions.savings_posting import link_payments
from campbank.ledger.people import acting_account, bank_account, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, keys
from campbank.ledger.store import savings as store
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import FundRow, Transaction
from campbank.rules.base import Person, RuleContext
from campbank.rules.interest import RULE as INTEREST
from campbank.rules.loan_instalment import RULE as INSTALMENTS
from campbank.rules.savings import SavingsFacts

STEPS = ("interest", "instalments", "circles", "funds")  # after the tax, in this order
PARTS = {"interest": "savings", "instalments": "loans", "circles": "circles", "funds": "funds"}
DONE, WOULD, NOTHING, ALREADY, OUTSIDE = "done", "would do", "nothing due", "already done", "outside the season"


@dataclass(frozen=True)
class Step:
    """What one step did (or, in a dry run, would do) for one date."""

    step: str  # interest | instalments | circles | funds
    day: date
    outcome: str  # done | would do | nothing due | already done | outside the season
    count: int = 0  # pockets paid, instalments charged, rounds held, funds refunded
    total: int = 0  # cents
    transaction_ids: tuple[int, ...] = ()

    def describe(self, sign: str) -> str:
        """One plain line for the run's report (no markup)."""
        ids = ", ".join(f"#{i}" for i in self.transaction_ids)
        money = format_amount(self.total, sign)
        what = {
            "interest": ("paid", f"{money} to {self.count} savings pocket{_s(self.count)}", "no savings pocket earns"),
            "instalments": ("charged", f"{self.count} instalment{_s(self.count)}, {money} in all", "no instalment due"),
            "circles": ("held", f"{self.count} round{_s(self.count)}, {money} paid out", "no circle round due"),
            "funds": ("refunded", f"{self.count} fund{_s(self.count)}, {money} in all", "no fund past its deadline"),
        }[self.step]
        verb, done, none = what
        label = {"circles": "circle rounds", "funds": "fund refunds"}.get(self.step, self.step)
        if self.outcome == DONE:
            return f"{label}: {verb} {done}" + (f" ({ids})" if ids else "")
        if self.outcome == WOULD:
            return f"{label}: would have {verb} {done}"
        if self.outcome == ALREADY:
            return f"{label}: already {verb} in {ids}; nothing more"
        if self.outcome == OUTSIDE:
            return f"{label}: outside the season; nothing {verb}"
        return f"{label}: {none}; nothing {verb}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def run(db: Database, actor: Actor, *, day: date | None = None, through: date | None = None, dry_run: bool = False,
        on_tax: Callable[[tax.TaxDay], None] | None = None, on_step: Callable[[Step], None] | None = None,
        backup: Callable[[], object] | None = None) -> list[tax.TaxDay | Step]:
    """Run every scheduled charge of each date; `backup` is called once, before the first charge."""
    with db.session() as session:
        require(acting_account(session, actor), Action.RUN_TAX)
        season = current_season(session)
    pending_backup = [backup] if backup is not None and not dry_run else []

    def backed_up() -> None:
        if pending_backup:
            pending_backup.pop()()

    results: list[tax.TaxDay | Step] = []
    one_day = day is not None and through is None  # only a day asked for alone re-charges a voided tax
    for each in tax.days_to_run(season, day, through):
        [taxed] = tax.run(db, actor, day=each, dry_run=dry_run, backup=backed_up if pending_backup else None,
                           again_if_voided=one_day)
        results.append(taxed)
        if on_tax is not None:
            on_tax(taxed)
        for name in STEPS:
            result = run_step(db, actor, name, each, dry_run=dry_run,
                              before_writing=backed_up if pending_backup else None)
            if result is None:
                continue
            results.append(result)
            if on_step is not None:
                on_step(result)
    return results


def run_step(db: Database, actor: Actor, name: str, day: date, *, dry_run: bool = False,
             before_writing: Callable[[], None] | None = None, now: datetime | None = None) -> Step | None:
    """One step for one date; None when the season has its part switched off."""
    with db.session() as session:
        season = current_season(session)
        if not getattr(season, PARTS[name]).enabled:
            return None
        if dry_run or before_writing is not None:
            preview = _STEPS[name](session, season, day, None, write=False, now=now or clock.now())
            if dry_run or preview.outcome != WOULD:
                return preview
    if before_writing is not None:
        before_writing()

    def work(session: Session) -> Step:
        account = acting_account(session, actor)
        require(account, Action.RUN_TAX)
        return _STEPS[name](session, current_season(session), day, account.id, write=True, now=now or clock.now())

    return db.write(work)


# --------------------------------------------------------------------------------------------- the steps


def _interest(session: Session, season: Season, day: date, runner: int | None, *, write: bool,
              now: datetime) -> Step:
    key = keys.interest_day(day)
    if not season.contains(day):
        return Step("interest", day, OUTSIDE)
    if (earlier := _keyed(session, key)) is not None:
        return Step("interest", day, ALREADY, transaction_ids=(earlier,))
    bases = store.interest_bases(session, day)
    people = {username: _person(account_id, username) for account_id, username, _b in bases}
    bank = person_of(bank_account(session))
    ctx = RuleContext(season=season, day=day, creator=bank, people=people,
                      savings=SavingsFacts(interest_bases={username: b for _i, username, b in bases}))
    entries = INTEREST.build({}, ctx)
    if not entries.money:
        return Step("interest", day, NOTHING)
    if not write:
        return Step("interest", day, WOULD, len(entries.money), entries.total)
    posted = record_transaction(
        session, INTEREST, bank.id, day=day, description=f"Interest for day {season.day_number(day)}",
        payload={"type": INTEREST.type, "date": day.isoformat()}, entries=entries, people=people, key=key, now=now)
    audit.record(session, "interest.paid", actor_id=runner, target=f"txn:{posted.id}", at=now, date=day.isoformat(),
                 pockets=len(entries.money), total=entries.total)
    return Step("interest", day, DONE, len(entries.money), entries.total, (posted.id,))


def _instalments(session: Session, season: Season, day: date, runner: int | None, *, write: bool,
                 now: datetime) -> Step:
    key = keys.instalments_day(day)
    if (earlier := _keyed(session, key)) is not None:
        return Step("instalments", day, ALREADY, transaction_ids=(earlier,))
    due, borrower_ids = store.due_instalments(session, day)
    if not due:
        return Step("instalments", day, NOTHING)
    total = sum(i.amount for i in due)
    if not write:
        return Step("instalments", day, WOULD, len(due), total)
    bank = person_of(bank_account(session))
    people = {username: _person(account_id, username) for username, account_id in borrower_ids.items()}
    ctx = RuleContext(season=season, day=day, creator=bank, people=people, savings=SavingsFacts(instalments=tuple(due)))
    entries = INSTALMENTS.build({}, ctx)
    posted = record_transaction(
        session, INSTALMENTS, bank.id, day=day, description=f"Loan instalments due {day}",
        payload={"type": INSTALMENTS.type, "date": day.isoformat()}, entries=entries, people=people, key=key,
        now=now)
    link_payments(session, None, posted.id,
                  instalments={position: (i.loan_id, i.number) for position, i in enumerate(due)})
    audit.record(session, "instalments.charged", actor_id=runner, target=f"txn:{posted.id}", at=now,
                 date=day.isoformat(), instalments=len(due), total=total)
    return Step("instalments", day, DONE, len(due), total, (posted.id,))


def _circles(session: Session, season: Season, day: date, runner: int | None, *, write: bool,
             now: datetime) -> Step:
    due = store.circles_on(session, day)
    if not due:
        return Step("circles", day, NOTHING)
    held, waiting = [], []
    for circle in due:
        number = circle.round_on(day)
        assert number is not None
        if (earlier := _keyed(session, keys.circle_round(circle.id, number))) is not None:
            held.append(earlier)
        else:
            waiting.append(circle)
    if not waiting:
        return Step("circles", day, ALREADY, transaction_ids=tuple(held))
    total = sum(circle.contribution * len(circle.members) for circle in waiting)
    if not write:
        return Step("circles", day, WOULD, len(waiting), total)
    ids = circles.hold_rounds(session, waiting, day, now=now)
    assert len(ids) == len(waiting)
    audit.record(session, "circle.rounds", actor_id=runner, target=f"txn:{ids[0]}", at=now, date=day.isoformat(),
                 rounds={f"circle:{c.id}": txn for c, txn in zip(waiting, ids, strict=True)}, total=total)
    return Step("circles", day, DONE, len(ids), total, tuple(ids))


def _funds(session: Session, season: Season, day: date, runner: int | None, *, write: bool,
           now: datetime) -> Step:
    due = store.funds_due(session, day)
    if not due:
        return Step("funds", day, NOTHING)
    if not write:
        total = sum(found[0].total for fund_id in due if (found := store.fund(session, fund_id)) is not None)
        return Step("funds", day, WOULD, len(due), total)
    ids, total = [], 0
    for fund_id in due:
        row = session.get(FundRow, fund_id)
        assert row is not None
        closed = funds.refund_in(session, row, "refunded", actor_id=runner, day=day, now=now)
        audit.record(session, "fund.refunded", actor_id=runner, target=f"fund:{fund_id}", at=now,
                     total=closed.total, contributors=closed.people, transaction=closed.transaction_id,
                     date=day.isoformat())
        total += closed.total
        if closed.transaction_id is not None:
            ids.append(closed.transaction_id)
    return Step("funds", day, DONE, len(due), total, tuple(ids))


_STEPS: dict[str, Callable[..., Step]] = {
    "interest": _interest, "instalments": _instalments, "circles": _circles, "funds": _funds,
}


def _keyed(session: Session, key: str) -> int | None:
    return session.exec(select(Transaction.id).where(Transaction.idempotency_key == key)).first()


def _person(account_id: int, username: str) -> Person:
    """Just enough of an account for the journal to name it (the step's own query checked the rest)."""
    return Person(id=account_id, username=username, role="", full_name=username, squad=None, grade=None,
                  active=True, balance=0)

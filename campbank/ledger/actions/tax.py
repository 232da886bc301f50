"""The nightly tax: one `tax` transaction per date, created by the bank, charging every active student.

Safe to run twice, from two processes at once, or while the UI is open: each date's transaction carries
the system key `sys:tax:DATE` (which no payload can carry), checked and written under the write lock, so a
date is charged once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select as select_columns  # typed for any number of columns (SQLModel's stops at four)
from sqlmodel import Session, col, func, select

from campbank.core.enums import Role, State
from campbank.core.errors import InputError, NotFound
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.actions.posting import record_transaction
from campbank.ledger.actions.states import Changed, clean_reason, transition
from campbank.ledger.people import acting_account, bank_account, join_name, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, keys
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, Transaction
from campbank.rules.base import Person, RuleContext
from campbank.rules.tax import RULE as TAX

BACKUPS_KEPT = 14


@dataclass(frozen=True)
class TaxDay:
    day: date
    season_day: int
    amount: int  # per student, cents
    outcome: str  # charged | would charge | already taxed | outside schedule | no tax
    students: int = 0
    transaction_id: int | None = None

    @property
    def total(self) -> int:
        return self.amount * self.students


def key_for(day: date) -> str:
    return keys.tax_day(day)


def days_to_run(season: Season, day: date | None, through: date | None) -> list[date]:
    """One date, or every date from `day` (default the season's first) through `through`."""
    if through is None:
        return [day or clock.today()]
    start = day or season.first_day
    if through < start:
        raise InputError(f"{through} is before {start}", field="--through")
    if (through - start).days > 366:
        raise InputError("covers more than a year", field="--through")
    return [start + timedelta(days=i) for i in range((through - start).days + 1)]


def run(db: Database, actor: Actor, *, day: date | None = None, through: date | None = None,
        dry_run: bool = False, on_day: Callable[[TaxDay], None] | None = None,
        backup: Callable[[], object] | None = None) -> list[TaxDay]:
    """Charge each date not yet taxed; `backup` is called once before the first charge."""
    with db.session() as session:
        require(acting_account(session, actor), Action.RUN_TAX)
        season = current_season(session)
    results = []
    backed_up = False
    for each in days_to_run(season, day, through):
        preview = _tax_day(db, actor, each, dry_run=True)
        if not dry_run and preview.outcome == "would charge":
            if backup is not None and not backed_up:
                backup()
                backed_up = True
            preview = _tax_day(db, actor, each, dry_run=False)
        results.append(preview)
        if on_day is not None:
            on_day(preview)
    return results


def void(db: Database, actor: Actor, day: date, *, reason: str = "", now: datetime | None = None) -> Changed:
    """Undo a mistaken tax day (manager): the day's tax stops counting; audited like any change."""
    reason = clean_reason(reason)

    def work(session: Session) -> Changed:
        account = acting_account(session, actor)
        require(account, Action.RUN_TAX)
        txn = _taxed(session, day)
        if txn is None or txn.state != State.PROCESSED:
            raise NotFound(f"there is no counted tax for {day}", field="date")
        return transition(session, txn, State.DECLINED, actor_id=account.id, at=now,
                          reason=reason or "tax day voided")

    return db.write(work)


def _tax_day(db: Database, actor: Actor, day: date, *, dry_run: bool) -> TaxDay:
    def work(session: Session) -> TaxDay:
        account = acting_account(session, actor)
        require(account, Action.RUN_TAX)
        season = current_season(session)
        number = season.day_number(day)
        amount = season.tax_for(day)
        if amount is None:
            return TaxDay(day, number, 0, "outside schedule")
        if (earlier := _taxed(session, day)) is not None:
            return TaxDay(day, number, amount, "already taxed", transaction_id=earlier.id)
        active_students = (
            select_columns(col(Account.id), col(Account.username), col(Account.last_name), col(Account.first_name),
                           col(Account.middle_name), col(Account.squad), col(Account.grade))
            .where(col(Account.role) == Role.STUDENT).where(col(Account.active) == True)  # noqa: E712
        )
        if amount == 0 or dry_run:
            count = session.exec(select(func.count()).select_from(active_students.subquery())).one()
            return TaxDay(day, number, amount, "would charge" if amount else "no tax", count)
        # Plain columns, not ORM objects: a tax touches every student of the camp.
        people = {
            username: Person(id=id_, username=username, role=Role.STUDENT,
                             full_name=join_name(last, first, middle), squad=squad, grade=grade,
                             active=True, balance=0)
            for id_, username, last, first, middle, squad, grade in session.execute(active_students)
        }
        students = people
        bank = bank_account(session)
        ctx = RuleContext(season=season, day=day, creator=person_of(bank), people=people)
        entries = TAX.build({"type": "tax"}, ctx)
        posted = record_transaction(
            session, TAX, bank.id, day=day, description=f"Tax for day {number}",
            payload={"type": "tax", "date": day.isoformat()}, entries=entries, people=people, key=key_for(day),
        )
        # The transaction's creator is the bank; the audit log also keeps who ran the tax (docs/guarantees.md#audit).
        audit.record(session, "tax.charged", actor_id=account.id, target=f"txn:{posted.id}", date=day.isoformat(),
                     amount=amount, students=len(students))
        return TaxDay(day, number, amount, "charged", len(students), posted.id)

    if dry_run:
        with db.session() as session:
            return work(session)
    return db.write(work)


def _taxed(session: Session, day: date) -> Transaction | None:
    return session.exec(select(Transaction).where(Transaction.idempotency_key == key_for(day))).first()

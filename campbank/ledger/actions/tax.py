"""The nightly tax: one `tax` transaction per date, created by the bank, charging every active student.

Safe to run twice, from two processes at once, or while the UI is open: each date's transaction carries
the system key `sys:tax:DATE` (which no payload can carry), checked and written under the write lock, so a
date is charged once. A day whose tax was voided may be charged again: the new transaction's key is the
next generation (`sys:tax:DATE:2`), and only a counted tax blocks a run (docs/season.md#who-pays-the-tax).

A day is charged to the students who were active on it (added on or before it, not deactivated before
it), and never a day after today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from campbank.core.enums import Role, State
from campbank.core.errors import InputError, NotFound, RuleError
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.actions.posting import record_transaction
from campbank.ledger.actions.states import Changed, clean_reason, transition
from campbank.ledger.people import acting_account, bank_account, join_name, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, keys
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import keyed
from campbank.ledger.store.queries.activity import students_active_on
from campbank.ledger.store.tables import Transaction
from campbank.rules.base import Person, RuleContext
from campbank.rules.tax import RULE as TAX

BACKUPS_KEPT = 14


@dataclass(frozen=True)
class TaxDay:
    day: date
    season_day: int
    amount: int  # per student, cents
    outcome: str  # charged | would charge | already taxed | voided | outside schedule | no tax
    students: int = 0
    transaction_id: int | None = None

    @property
    def total(self) -> int:
        return self.amount * self.students


def key_for(day: date, generation: int = 1) -> str:
    return keys.tax_day(day, generation)


def days_to_run(season: Season, day: date | None, through: date | None) -> list[date]:
    """One date, or every date from `day` (default the season's first) through `through`; never after today."""
    today = clock.today()
    for value, field in ((day, "--date"), (through, "--through")):
        if value is not None and value > today:
            raise RuleError(f"{value} is after today ({today}): a day is taxed once it has come", field=field)
    if through is None:
        return [day or today]
    start = day or season.first_day
    if through < start:
        raise InputError(f"{through} is before {start}", field="--through")
    if (through - start).days > 366:
        raise InputError("covers more than a year", field="--through")
    return [start + timedelta(days=i) for i in range((through - start).days + 1)]


def run(db: Database, actor: Actor, *, day: date | None = None, through: date | None = None,
        dry_run: bool = False, on_day: Callable[[TaxDay], None] | None = None,
        backup: Callable[[], object] | None = None, again_if_voided: bool | None = None) -> list[TaxDay]:
    """Charge each date not yet taxed; `backup` is called once before the first charge.

    A day whose tax was voided is charged again only when asked for by its date alone (`--date D`, or
    `again_if_voided`): a catch-up never quietly re-charges a day a manager voided.
    """
    if again_if_voided is None:
        again_if_voided = day is not None and through is None
    with db.session() as session:
        require(acting_account(session, actor), Action.RUN_TAX)
        season = current_season(session)
    results = []
    backed_up = False
    for each in days_to_run(season, day, through):
        # A look before the charge only while the backup is still to be taken: it comes before the first charge.
        looked = _tax_day(db, actor, each, dry_run=True, again=again_if_voided) if (
            dry_run or (backup is not None and not backed_up)) else None
        result = looked
        if not dry_run and (looked is None or looked.outcome == "would charge"):
            if looked is not None and backup is not None:
                backup()
                backed_up = True
            result = _tax_day(db, actor, each, dry_run=False, again=again_if_voided)
        assert result is not None
        results.append(result)
        if on_day is not None:
            on_day(result)
    return results


def void(db: Database, actor: Actor, day: date, *, reason: str = "", now: datetime | None = None) -> Changed:
    """Undo a mistaken tax day (manager): the day's tax stops counting; audited like any change."""
    reason = clean_reason(reason)

    def work(session: Session) -> Changed:
        account = acting_account(session, actor)
        require(account, Action.RUN_TAX)
        txn, _ = _taxed(session, day)
        if txn is None:
            raise NotFound(f"there is no counted tax for {day}", field="date")
        return transition(session, txn, State.DECLINED, actor_id=account.id, at=now,
                          reason=reason or "tax day voided")

    return db.write(work)


def _tax_day(db: Database, actor: Actor, day: date, *, dry_run: bool, again: bool) -> TaxDay:
    def work(session: Session) -> TaxDay:
        account = acting_account(session, actor)
        require(account, Action.RUN_TAX)
        season = current_season(session)
        number = season.day_number(day)
        amount = season.tax_for(day)
        if amount is None:
            return TaxDay(day, number, 0, "outside schedule")
        earlier, generations = _taxed(session, day)
        if earlier is not None:
            return TaxDay(day, number, amount, "already taxed", transaction_id=earlier.id)
        if generations and not again:
            return TaxDay(day, number, amount, "voided", transaction_id=_last_voided(session, day))
        active_students = students_active_on(session, day)
        if amount == 0 or dry_run:
            return TaxDay(day, number, amount, "would charge" if amount else "no tax", len(active_students))
        # Plain columns, not ORM objects: a tax touches every student of the camp.
        people = {
            s.username: Person(id=s.id, username=s.username, role=Role.STUDENT,
                               full_name=join_name(s.last_name, s.first_name, s.middle_name), squad=s.squad,
                               grade=s.grade, active=True, balance=0)
            for s in active_students
        }
        students = people
        bank = bank_account(session)
        ctx = RuleContext(season=season, day=day, creator=person_of(bank), people=people)
        entries = TAX.build({"type": "tax"}, ctx)
        posted = record_transaction(
            session, TAX, bank.id, day=day, description=f"Tax for day {number}",
            payload={"type": "tax", "date": day.isoformat()}, entries=entries, people=people,
            key=key_for(day, generations + 1),
        )
        # The transaction's creator is the bank; the audit log also keeps who ran the tax (docs/guarantees.md#audit).
        audit.record(session, "tax.charged", actor_id=account.id, target=f"txn:{posted.id}", date=day.isoformat(),
                     amount=amount, students=len(students))
        return TaxDay(day, number, amount, "charged", len(students), posted.id)

    if dry_run:
        with db.session() as session:
            return work(session)
    return db.write(work)


def _taxed(session: Session, day: date) -> tuple[Transaction | None, int]:
    """The day's counted tax, if any, and how many tax transactions the day has had (voided ones too)."""
    made = keyed.generations(session, TAX.type, key_for(day))
    counted = next((txn for txn in made if txn.state == State.PROCESSED), None)
    return counted, len(made)


def _last_voided(session: Session, day: date) -> int | None:
    made = keyed.generations(session, TAX.type, key_for(day))
    return made[-1].id if made else None

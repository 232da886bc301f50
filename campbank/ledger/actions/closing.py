"""Closing the season: check that nothing is left undone, then mark the camp closed for good.

What must be done first (each listed, so the office can finish it): every taxed day of the season charged,
the final study fines charged, no transfer waiting for approval, no loan open, no fund still collecting.
Closing is allowed after the last day, or before it with `force`. Once closed, the database's one write
path refuses every change (`store/closing.py`); every read keeps working (docs/season.md#closing-the-season).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from campbank.core.enums import State
from campbank.core.errors import InputError, RuleError
from campbank.ledger import clock
from campbank.ledger.actions.study_fines import _fines
from campbank.ledger.actions.tax import _taxed
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, closing
from campbank.ledger.store import savings as savings_store
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import FundRow, Transaction


@dataclass(frozen=True)
class Closed:
    season: str
    at: str
    by: str


def missing(db: Database, actor: Actor) -> list[str]:
    """What must still be done before the season can close (empty: nothing)."""
    with db.session() as session:
        require(acting_account(session, actor), Action.LOAD_SEASON)
        return _missing(session)


def close(db: Database, actor: Actor, *, force: bool = False) -> Closed:
    """Close the season (manager): refused before the day after the last day without `force`, and while
    anything is missing."""

    def work(session: Session) -> Closed:
        account = acting_account(session, actor)
        require(account, Action.LOAD_SEASON)
        season = current_season(session)
        if clock.today() <= season.last_day and not force:
            raise RuleError(f"the season runs until {season.last_day}; close it after that day, or with --force",
                            field="season")
        if todo := _missing(session):
            raise RuleError("the season cannot close yet: " + "; ".join(todo), field="season")
        at = clock.now().isoformat()
        closing.mark_closed(session, at, account.username)
        audit.record(session, "season.close", actor_id=account.id, target=f"season:{season.name}",
                     last_day=season.last_day.isoformat(), forced=force)
        return Closed(season.name, at, account.username)

    return db.write(work)


def _missing(session: Session) -> list[str]:
    season = current_season(session)
    todo: list[str] = []
    through = min(season.last_day, clock.today())
    untaxed = [day for day in _days(season.first_day, through)
               if season.tax_for(day) and _taxed(session, day)[0] is None]
    if untaxed:
        shown = ", ".join(str(day) for day in untaxed[:5]) + (f" and {len(untaxed) - 5} more" if len(untaxed) > 5
                                                               else "")
        todo.append(f"{len(untaxed)} day(s) not taxed ({shown}): `campbank tax run --through {through}`")
    try:
        owing = [row for row in _fines(session, "final") if row.charged_in is None and row.fine > 0]
    except InputError:  # a season without a final stage owes none
        owing = []
    if owing:
        todo.append(f"{len(owing)} student(s) owe a final study fine not charged: `campbank fines charge "
                    "--stage final`")
    pending = session.exec(select(func.count()).select_from(Transaction).where(
        Transaction.state == State.CREATED)).one()
    if pending:
        todo.append(f"{pending} transaction(s) wait for approval: approve or reject them")
    loans = len(savings_store.loans(session, only_open=True))
    if loans:
        todo.append(f"{loans} loan(s) are open: repay or write them off")
    funds = session.exec(select(func.count()).select_from(FundRow).where(col(FundRow.state) == "open")).one()
    if funds:
        todo.append(f"{funds} fund(s) are still collecting: spend or refund them")
    return todo


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]

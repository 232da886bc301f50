"""A student's study programme as the read side shows it: progress per stage, fines to expect."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from campbank.core.enums import State
from campbank.core.season import Season
from campbank.ledger.people import account_named
from campbank.ledger.permissions import Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import keys
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import keyed
from campbank.ledger.store.tables import Account
from campbank.ledger.views.accounts import BalanceRow, account_balance_in
from campbank.rules.study_fine import RULE as STUDY_FINE
from campbank.rules.study_fine import Progress, next_lecture_fine, progress


@dataclass(frozen=True)
class StudyStatus:
    username: str
    final: Progress
    equator: Progress | None  # None when the season has no equator stage
    next_lecture_fine: int
    equator_charged: int | None = None  # what the equator's study fine took (cents, positive) once charged


def status_of(season: Season, row: BalanceRow, *, equator_charged: int | None = None) -> StudyStatus:
    return StudyStatus(
        username=row.username,
        final=progress(season.final, row.grade, row.counters),
        equator=progress(season.equator, row.grade, row.counters) if season.equator else None,
        next_lecture_fine=next_lecture_fine(season, row.counters),
        equator_charged=equator_charged,
    )


def study_status(db: Database, viewer: Actor, username: str) -> StudyStatus:
    """One student's programme, if `viewer` may see that student."""
    return balance_and_study(db, viewer, username)[1]


def balance_and_study(db: Database, viewer: Actor, username: str) -> tuple[BalanceRow, StudyStatus]:
    """One student's balance and counters, and their programme from the same reading."""
    with db.session() as session:
        row = account_balance_in(session, viewer, username)
        return row, status_of(current_season(session), row,
                              equator_charged=charged_fine(session, account_named(session, username), "equator"))


def charged_fine(session: Session, account: Account, stage: str) -> int | None:
    """What the counted study fine of `stage` took from this student, or None while none is counted."""
    fines = keyed.generations(session, STUDY_FINE.type, keys.study_fine(stage, account.id or 0))
    amounts = [txn.amount for txn in fines if txn.state == State.PROCESSED]
    return -sum(amounts) if amounts else None

"""What staff see of students: the list with balances, and one student's card with a page of history."""

from __future__ import annotations

from dataclasses import dataclass

from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.database import Database
from campbank.ledger.views.accounts import (
    BalanceRow,
    HistoryLine,
    account_balance_in,
    balances_in,
    history_in,
)
from campbank.ledger.views.study import StudyStatus, status_of

HISTORY_PAGE = 50


@dataclass(frozen=True)
class StudentCard:
    row: BalanceRow
    study: StudyStatus
    history: list[HistoryLine]
    more: bool  # older history exists beyond this page


def student_list(db: Database, actor: Actor, *, include_inactive: bool = False) -> list[BalanceRow]:
    """Every student by squad then surname, with balance and counters (staff and managers)."""
    with db.session() as session:
        require(acting_account(session, actor), Action.VIEW_STUDENTS)
        return balances_in(session, include_inactive=include_inactive)


def student_card(db: Database, actor: Actor, username: str, *, limit: int | None = None) -> StudentCard:
    """One student's balance, programme and newest history, if `actor` may see them."""
    limit = limit or HISTORY_PAGE
    with db.session() as session:
        row = account_balance_in(session, actor, username)
        study = status_of(current_season(session), row)
        lines = history_in(session, actor, username, limit=limit + 1)
    return StudentCard(row, study, lines[:limit], len(lines) > limit)


def older_history(db: Database, actor: Actor, username: str, before_id: int, *, limit: int | None = None
                  ) -> tuple[list[HistoryLine], bool]:
    """The next page of history older than journal row `before_id`, and whether more is left."""
    limit = limit or HISTORY_PAGE
    with db.session() as session:
        lines = history_in(session, actor, username, limit=limit + 1, before_id=before_id)
    return lines[:limit], len(lines) > limit

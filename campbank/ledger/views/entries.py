"""The raw exports' rows (managers): every balance, or every money or counter entry, streamed in chunks.

The entries are read chunk by chunk, each chunk in its own short read transaction, so a million rows
never sit in memory and the office is never locked out. An export sees the entries that existed when it
began, and each receiver's balance as it was then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session

from campbank.core.errors import InputError
from campbank.core.season import Season
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import entries as queries
from campbank.ledger.store.queries.entries import AccountRow, CounterEntryRow, Kind, MoneyEntryRow
from campbank.ledger.views.accounts import BalanceRow, balances_in

__all__ = ["AccountRow", "CounterEntryRow", "EntryExport", "Kind", "MoneyEntryRow", "balances_for_export",
           "entries_for_export"]

KINDS: tuple[Kind, ...] = ("money", "counters")
CHUNK = 5000


@dataclass(frozen=True)
class EntryExport:
    """What an entry export holds: the season, everyone by account id, and the entries, chunk by chunk."""

    kind: Kind
    season: Season
    accounts: dict[int, AccountRow]
    total: int  # entries in all
    chunks: Iterator[list[MoneyEntryRow]] | Iterator[list[CounterEntryRow]]


def balances_for_export(db: Database, actor: Actor) -> tuple[Season, list[BalanceRow]]:
    """The season and every student's balance and counters (managers)."""
    with db.session() as session:
        require(acting_account(session, actor), Action.EXPORT)
        return current_season(session), balances_in(session)


def entries_for_export(db: Database, actor: Actor, kind: str, *, chunk: int = CHUNK) -> EntryExport:
    """Every money or counter entry up to the newest one now (managers); the permission is checked at once."""
    if kind not in KINDS:
        raise InputError(f"{kind!r} is not one of: {', '.join(KINDS)}", field="export")
    known: Kind = "money" if kind == "money" else "counters"
    with db.session() as session:
        require(acting_account(session, actor), Action.EXPORT)
        season = current_season(session)
        accounts = queries.accounts(session)
        upto, total = queries.extent(session, known)
    if known == "money":
        return EntryExport(known, season, accounts, total, _chunks(db, queries.money_chunk, upto, chunk))
    return EntryExport(known, season, accounts, total, _chunks(db, queries.counter_chunk, upto, chunk))


Row = TypeVar("Row", MoneyEntryRow, CounterEntryRow)


def _chunks(db: Database, read: Callable[[Session, int, int, int], list[Row]], upto: int, chunk: int
            ) -> Iterator[list[Row]]:
    after = 0
    while after < upto:
        with db.session() as session:
            rows = read(session, after, upto, chunk)
        if not rows:
            return
        yield rows
        after = rows[-1].id

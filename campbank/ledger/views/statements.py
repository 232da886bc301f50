"""Account statements: for each student and period, the opening balance, every money entry of their
transactions dated in the period (date, type, description, the other party, amount, running balance), the
closing balance, their pockets and open loan at the closing date (`statement_holdings`), their counters and
study programme as of the last day, and a verification code (`statement_code`) that `check_code` confirms
against the ledger. See docs/statements.md.

Entries belong to the period by their transaction's day, so a later cancellation of an entry in the period
shows in the period (its reversal next to it) and changes the code: a statement is the period as the ledger
stands when it is made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from campbank.core.errors import InputError, NotFound
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.people import join_name
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import statements as queries
from campbank.ledger.store.queries.statements import JournalLine
from campbank.ledger.store.queries.students import StudentRow
from campbank.ledger.store.tables import Account
from campbank.ledger.views.accounts import check_may_view
from campbank.ledger.views.statement_code import make_code, read_code, same_mac
from campbank.ledger.views.statement_holdings import (
    Holdings,
    LoanStanding,
    PocketBalance,
    coded,
    loan_at,
    pockets_at,
)
from campbank.ledger.views.summaries import authorise
from campbank.rules.study_fine import Progress, progress

BANK_NAME = "CampBank"


@dataclass(frozen=True)
class StatementLine:
    day: date
    transaction_id: int
    type: str  # the money type's label
    description: str
    other_party: str  # who paid or was paid: the creator, or for one's own transfer its receiver
    amount: int
    balance: int  # after this line
    reverses: bool  # the reversal of a cancelled or altered entry


@dataclass(frozen=True)
class Statement:
    account_id: int
    username: str
    full_name: str
    squad: str | None
    grade: int | None
    first_day: date
    last_day: date
    opening: int
    closing: int  # the main pocket's, as the lines run
    lines: tuple[StatementLine, ...]
    counters: Mapping[str, int]  # as of the last day
    final: Progress
    equator: Progress | None
    pockets: tuple[PocketBalance, ...]  # at the end of the last day, savings first
    loan: LoanStanding | None  # the loan with money outstanding at the end of the last day
    code: str
    currency_sign: str
    made_at: datetime

    @property
    def saved(self) -> int:
        """What the pockets besides main held at the end of the last day."""
        return sum(p.balance for p in self.pockets)

    @property
    def total(self) -> int:
        """What the student had: main + pockets, the balance their own screen shows."""
        return self.closing + self.saved

    @property
    def money_in(self) -> int:
        return sum(line.amount for line in self.lines if line.amount > 0)

    @property
    def money_out(self) -> int:
        return -sum(line.amount for line in self.lines if line.amount < 0)


@dataclass(frozen=True)
class Selection:
    """Whose statements: named students, a squad, or every active student (`everyone`; with `with_left`,
    also those who left the camp: the season's closing gives everyone who was there their statement)."""

    usernames: tuple[str, ...] = ()
    squad: str | None = None
    everyone: bool = False
    with_left: bool = False


@dataclass(frozen=True)
class StatementBatch:
    """Statements chosen and checked, read only as they are iterated (chunk by chunk, short reads)."""

    db: Database
    season: Season
    students: tuple[StudentRow, ...]
    first_day: date
    last_day: date
    key: bytes = field(repr=False)

    def __len__(self) -> int:
        return len(self.students)

    def __iter__(self) -> Iterator[Statement]:
        made_at = clock.now()
        by_id = {s.id: s for s in self.students}
        ids = [s.id for s in self.students]
        chunks = [ids[start:start + queries.CHUNK] for start in range(0, len(ids), queries.CHUNK)]
        with self.db.session() as session:
            names = queries.names(session)
        # The next chunk is read in a thread while this one is drawn: SQLite works while Python draws.
        with ThreadPoolExecutor(max_workers=1) as reader:
            ahead = reader.submit(self._read, chunks[0]) if chunks else None
            for index in range(len(chunks)):
                assert ahead is not None
                rows, holdings = ahead.result()
                ahead = reader.submit(self._read, chunks[index + 1]) if index + 1 < len(chunks) else None
                for account_id, lines in rows:
                    yield build(self.season, by_id[account_id], lines, names, self.first_day, self.last_day,
                                self.key, holdings.get(account_id, Holdings()), made_at)

    def _read(self, chunk: list[int]) -> tuple[list[tuple[int, list[JournalLine]]], dict[int, Holdings]]:
        """One chunk's journal rows, pockets and loans, in its own short read."""
        with self.db.session() as session, queries.page_cache(session):
            return list(queries.journal_by_account(session, chunk)), read_holdings(session, chunk, self.last_day)


def read_holdings(session: Session, account_ids: Sequence[int], last_day: date) -> dict[int, Holdings]:
    """The pockets (with their journal rows) and loans of some students; those without either are left out."""
    pockets = queries.pockets_of(session, account_ids)
    loans = queries.loans_of(session, account_ids, last_day)
    pocket_rows = dict(queries.journal_by_account(
        session, [pocket.account_id for found in pockets.values() for pocket in found]))
    return {account_id: Holdings(tuple((pocket, tuple(pocket_rows[pocket.account_id]))
                                       for pocket in pockets.get(account_id, ())),
                                 tuple(loans.get(account_id, ())))
            for account_id in set(pockets) | set(loans)}


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    username: str
    full_name: str
    first_day: date
    last_day: date
    opening: int
    closing: int  # the main pocket's
    entries: int
    currency_sign: str
    saved: int = 0  # in the pockets besides main at the closing date

    @property
    def total(self) -> int:
        return self.closing + self.saved


def statements(db: Database, actor: Actor, selection: Selection, *, first_day: date | None = None,
               last_day: date | None = None) -> StatementBatch:
    """The statements of the chosen students (staff and managers) for the period (default: the season's first
    day to today, or to its last day once it is over)."""
    with db.session() as session:
        authorise(session, actor, Action.VIEW_STUDENTS)
        season = current_season(session)
        first = first_day or season.first_day
        last = last_day or max(min(season.last_day, clock.today()), first)  # to today, or the season's end
        if last < first:
            raise InputError(f"{last} is before the first day {first}", field="--to")
        chosen = _choose(queries.students(session), selection)  # students only: staff and managers see them all
        key = queries.statement_key(session)
    return StatementBatch(db, season, tuple(chosen), first, last, key)


def check_code(db: Database, actor: Actor, code: str) -> CodeCheck:
    """Compute the coded statement again from the ledger and compare (whoever may see the student)."""
    parts = read_code(code)
    with db.session() as session:
        account = session.get(Account, parts.account_id)
        if account is None or account.role != "student":
            raise NotFound("no student of this camp has a statement with this code", field="code")
        check_may_view(session, actor, account)
        season = current_season(session)
        key = queries.statement_key(session)
        [(_, lines)] = list(queries.journal_by_account(session, [parts.account_id]))
        names = queries.names(session)
        holdings = read_holdings(session, [parts.account_id], parts.last_day).get(parts.account_id, Holdings())
    student = StudentRow(parts.account_id, account.username, account.last_name, account.first_name,
                         account.middle_name, account.squad, account.grade, account.active)
    again = build(season, student, lines, names, parts.first_day, parts.last_day, key, holdings, clock.now())
    if parts.version == 1:  # made before statements showed pockets: the main pocket alone
        digest, shown = rows_digest(lines, parts.first_day, parts.last_day), ""
    else:
        digest = rows_digest([*lines, *holdings.rows()], parts.first_day, parts.last_day)
        shown = coded(again.pockets, again.loan)
    ok = same_mac(key, parts, account.username, again.opening, again.closing, digest, shown)
    return CodeCheck(ok, account.username, again.full_name, parts.first_day, parts.last_day, again.opening,
                     again.closing, len(again.lines), season.currency_sign, again.saved)


def build(season: Season, student: StudentRow, rows: Sequence[JournalLine], names: Mapping[int, tuple[str, ...]],
          first_day: date, last_day: date, key: bytes, holdings: Holdings, made_at: datetime) -> Statement:
    """One student's statement from their journal rows (in journal order) and their pockets and loans."""
    opening = 0
    counters: dict[str, int] = {}
    period: list[JournalLine] = []
    records: list[str] = []  # the digest's, in the same pass
    for row in rows:
        if row.day > last_day:
            continue
        if row.day >= first_day:
            records.append(_record(row))
        if row.counter_type is not None:
            counters[row.counter_type] = counters.get(row.counter_type, 0) + row.amount
        elif row.day < first_day:
            opening += row.amount
        else:
            period.append(row)
    period.sort(key=lambda row: (row.day, row.id))
    running = opening
    lines = []
    parties: dict[int | None, str] = {}  # a student's entries mostly come from a few people
    for row in _without_moves_between_other_pockets(period):
        running += row.amount
        other = row.creator_id if row.receiver_id == student.id else row.receiver_id
        party = parties.get(other)
        if party is None:
            party = parties[other] = _party(other, names)
        lines.append(StatementLine(row.day, row.transaction_id, _label(season, row), _description(row), party,
                                   row.amount, running, row.reverses))
    records += (_record(row) for row in holdings.rows() if first_day <= row.day <= last_day)
    digest = hashlib.sha256("".join(records).encode()).hexdigest()
    pockets, loan = pockets_at(holdings, last_day), loan_at(holdings.loans, last_day)
    code = make_code(key, student.id, student.username, first_day, last_day, opening, running, digest,
                     coded(pockets, loan))
    counters = {name: value for name, value in counters.items() if value}
    return Statement(
        account_id=student.id, username=student.username,
        full_name=join_name(student.last_name, student.first_name, student.middle_name), squad=student.squad,
        grade=student.grade, first_day=first_day, last_day=last_day, opening=opening, closing=running,
        lines=tuple(lines), counters=counters, final=progress(season.final, student.grade, counters),
        equator=progress(season.equator, student.grade, counters) if season.equator else None, pockets=pockets,
        loan=loan, code=code, currency_sign=season.currency_sign, made_at=made_at,
    )


def _without_moves_between_other_pockets(period: list[JournalLine]) -> list[JournalLine]:
    """A move between two pockets besides main (savings → Bike) writes a pair of rows on the main account that
    cancel out: they are no line of the statement (they stay in its code)."""
    net: dict[tuple[int, bool], int] = {}
    for row in period:
        if row.type == "pocket_move":
            net[(row.transaction_id, row.reverses)] = net.get((row.transaction_id, row.reverses), 0) + row.amount
    return [row for row in period if row.type != "pocket_move" or net[(row.transaction_id, row.reverses)] != 0]


def rows_digest(rows: Sequence[JournalLine], first_day: date, last_day: date) -> str:
    """SHA-256 of every journal row (money and counters) of the student's (and their pockets') transactions
    dated in the period."""
    return hashlib.sha256("".join(_record(row) for row in rows if first_day <= row.day <= last_day).encode()
                          ).hexdigest()


def _record(row: JournalLine) -> str:
    """What the digest covers of a journal row, a line each."""
    return (f"{row.id}|{row.transaction_id}|{row.amount}|{row.counter_type or ''}|{int(row.reverses)}|{row.day}|"
            f"{row.type}|{row.creator_id}|{row.state}|{row.receiver_id}|{row.money_type}|{row.entry_amount}|"
            f"{row.description}|{row.entry_description}\n")


def _choose(students: list[StudentRow], selection: Selection) -> list[StudentRow]:
    if selection.everyone:
        # a student who left the camp is named, not in "everyone", except at the season's closing
        chosen = [s for s in students if s.active or selection.with_left]
    elif selection.squad is not None:
        wanted = selection.squad.strip().casefold()
        chosen = [s for s in students if (s.squad or "").casefold() == wanted]
        if not chosen:
            raise NotFound(f"no student is in the squad {selection.squad!r}", field="--squad")
    else:
        by_name = {s.username: s for s in students}
        missing = [name for name in selection.usernames if name not in by_name]
        if missing:
            raise NotFound(f"no student called {missing[0]!r}", field="username")
        if not selection.usernames:
            raise InputError("name a student, a squad (--squad) or everyone (--all)", field="username")
        chosen = [by_name[name] for name in dict.fromkeys(selection.usernames)]
    return sorted(chosen, key=lambda s: (s.squad or "", s.last_name.casefold(), s.first_name.casefold(), s.username))


def _label(season: Season, row: JournalLine) -> str:
    kind = season.money_types.get(row.money_type or "")
    return kind.label if kind else (row.money_type or row.type)


def _description(row: JournalLine) -> str:
    text = row.entry_description or row.description
    if row.reverses:
        why = "altered" if row.state == "substituted" else "cancelled"
        return f"{why}: {text}" if text else why
    return text


def _party(other: int | None, names: Mapping[int, tuple[str, ...]]) -> str:
    """Who paid or was paid, by name: the bank as the bank, an account without a name by its username."""
    who = names.get(other or 0)
    if who is None:
        return "?"
    if who[0] == "bank":
        return BANK_NAME
    return join_name(*who[1:4]) or who[0]

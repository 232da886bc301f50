"""The manager's xlsx report (SPEC §8): Balances, Study, Transactions, Staff, Statistics, Economy and Season.

`write_report` builds the workbook with openpyxl's write-only mode, so memory stays flat however many
transactions there are: the small reports are read first in one short read transaction (a consistent
picture of the camp), then the transactions up to the newest one seen then are streamed in chunks, each
in its own short read transaction, so a long export never holds up the office or the scheduler.

The file is written to a temporary file beside the target and renamed over it, so a reader never sees
half a workbook and a failed export leaves any earlier file as it was. The export is audited.
"""

from __future__ import annotations

import queue
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from openpyxl.workbook import Workbook
from sqlalchemy import text

from campbank.core.money import format_amount
from campbank.core.season import Season, Stage
from campbank.formats.exports import check_output, replacing
from campbank.formats.xlsx.economy_sheet import economy_sheet
from campbank.formats.xlsx.save import RowSource, save_workbook
from campbank.formats.xlsx.sheet import MUTED, Column, Sheet, display, fit_widths
from campbank.formats.xlsx.sheets import (
    balances_sheet,
    staff_sheet,
    statistics_sheet,
    study_sheet,
)
from campbank.ledger import clock
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.views.balance_report import BalanceReport, balance_report
from campbank.ledger.views.economy import Economy, economy_in
from campbank.ledger.views.staff import StaffLine, staff_report
from campbank.ledger.views.statistics import MarketStatistics, day_group_flows, market_statistics
from campbank.ledger.views.study_report import StudyReport, study_report
from campbank.ledger.views.summaries import authorise
from campbank.ledger.views.transactions import iter_transactions

Progress = Callable[[int, int], None]  # (rows written, rows in all)
SHEETS = ("Balances", "Study", "Transactions", "Staff", "Statistics", "Economy", "Season")


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    students: int
    transactions: int
    sheets: tuple[str, ...] = SHEETS


@dataclass(frozen=True)
class _Head:
    """What the Transactions sheet needs before it streams: the newest transaction at the snapshot, how many,
    and the longest texts (for the column widths)."""

    made_by: str
    upto_id: int
    transactions: int
    widths: dict[str, int]


@dataclass(frozen=True)
class _Snapshot:
    made_at: datetime
    season: Season
    balances: BalanceReport
    study: StudyReport
    staff: tuple[StaffLine, ...]
    statistics: MarketStatistics
    economy: Economy


def write_report(db: Database, actor: Actor, path: Path | str, progress: Progress | None = None) -> WrittenReport:
    """Write the xlsx report to `path` (managers). `progress(done, total)` is told as rows are written.

    The summary sheets are read in one read transaction, in a thread, while this thread renders the
    transactions up to the newest one that transaction sees into a temporary file: SQLite sums while Python
    writes rows. The workbook is then put together with the transactions in their place."""
    path = Path(path)
    check_output(path)
    heads: queue.Queue[_Head | BaseException] = queue.Queue()
    with ThreadPoolExecutor(max_workers=1) as reader:
        reading = reader.submit(_read, db, actor, heads)
        head = heads.get()
        if isinstance(head, BaseException):
            raise head
        done = 0
        total = head.transactions

        def tick(rows: int) -> None:
            nonlocal done
            done += rows
            if progress:
                progress(min(done, total), total)

        if progress:
            progress(0, total)
        with replacing(path) as target, tempfile.TemporaryFile() as rows:
            workbook = Workbook(write_only=True)
            workbook.properties.creator = "CampBank"
            transactions = _transactions_sheet(workbook, db, actor, head, tick)
            transactions_rows = _pre_render(transactions, rows)
            snapshot = reading.result()
            total += 2 * len(snapshot.balances.lines) + len(snapshot.staff)
            workbook.properties.title = f"CampBank report, {snapshot.season.name}"
            sheets: list[RowSource] = [
                balances_sheet(workbook, snapshot.balances, tick),
                study_sheet(workbook, snapshot.study, tick),
                transactions_rows,
                staff_sheet(workbook, snapshot.staff, tick),
                statistics_sheet(workbook, snapshot.statistics),
                economy_sheet(workbook, snapshot.economy),
                _season_sheet(workbook, snapshot, head),
            ]
            workbook.move_sheet(transactions.title, offset=2)  # made first, shown third
            save_workbook(workbook, target, sheets)
    written = head.transactions
    db.write(lambda session: audit.record(
        session, "export.xlsx", actor_id=actor.id, target=str(path), students=len(snapshot.balances.lines),
        transactions=written))
    return WrittenReport(path, len(snapshot.balances.lines), written)


def _read(db: Database, actor: Actor, heads: queue.Queue[_Head | BaseException]) -> _Snapshot:
    """The summary sheets' data, one consistent read; what the Transactions sheet needs is handed over first."""
    try:
        with db.session() as session:
            me = authorise(session, actor, Action.EXPORT)
            upto_id, count, username, description, type_ = session.execute(text(
                "SELECT COALESCE(MAX(id), 0), COUNT(*), (SELECT MAX(LENGTH(username)) FROM account), "
                "MAX(LENGTH(description)), MAX(LENGTH(type)) FROM txn")).one()
            heads.put(_Head(me.username, int(upto_id), int(count), {
                "username": int(username or 8), "description": int(description or 0), "type": int(type_ or 4)}))
            season = current_season(session)
            flows = day_group_flows(session, season)  # read once, for the statistics and the economy
            seen = economy_in(session, season, flows[2])
            statistics = market_statistics(session, actor, flows=flows, supply=seen.supply)
            return _Snapshot(
                made_at=clock.now(), season=season, balances=balance_report(session, actor),
                study=study_report(session, actor), staff=staff_report(session, actor, include_bank=True),
                statistics=statistics, economy=seen,
            )
    except BaseException as error:
        heads.put(error)  # the waiting thread raises it; a second item after a head is never read
        raise


@dataclass
class _PreRendered:
    """A sheet whose rows were rendered beforehand into a temporary file (a `save.RowSource`)."""

    sheet: Sheet
    rows: BinaryIO

    @property
    def title(self) -> str:
        return self.sheet.title

    @property
    def path(self) -> str:
        return self.sheet.path

    @property
    def expected_rows(self) -> int:
        return self.sheet.expected_rows

    def xml_rows(self) -> Iterator[str]:
        self.rows.seek(0)
        while size := self.rows.read(8):
            yield self.rows.read(int.from_bytes(size, "big")).decode("utf-8")


def _pre_render(sheet: Sheet, rows: BinaryIO) -> _PreRendered:
    """Render the sheet's rows into `rows`, ten at a time, each batch after its length (saving joins a thousand
    pieces for each write, so a piece stays small)."""
    batch: list[str] = []
    for row in sheet.xml_rows():
        batch.append(row)
        if len(batch) == 10:
            _put(rows, batch)
    _put(rows, batch)
    return _PreRendered(sheet, rows)


def _put(rows: BinaryIO, batch: list[str]) -> None:
    if batch:
        data = "".join(batch).encode("utf-8")
        rows.write(len(data).to_bytes(8, "big") + data)
        batch.clear()


def _transactions_sheet(workbook: Workbook, db: Database, actor: Actor, head: _Head,
                        tick: Callable[[int], None]) -> Sheet:
    """Every transaction up to the snapshot, streamed from the ledger as the rows are rendered."""
    w = head.widths
    columns = [Column("ID", "count", 8), Column("Created (UTC)", "datetime", 17), Column("Day", "date", 11),
               Column("Creator", width=max(10, w["username"] + 2)), Column("Type", width=max(8, w["type"] + 3)),
               Column("State", width=12), Column("Amount", "money", 12), Column("Recipients", "count", 12),
               Column("Recipient names", width=40),
               Column("Description", width=min(60, max(14, w["description"] + 2))), Column("Update of", "count", 11)]
    sheet = Sheet(workbook, "Transactions", columns)
    muted = {5: MUTED}
    sheet.stream((([line.id, line.created_at, line.day, line.creator, line.type, line.state, line.amount,
                    line.recipients, "; ".join(line.recipient_names), line.description, line.update_of],
                   muted if line.state in ("declined", "substituted") else None)
                  for line in iter_transactions(db, actor, upto_id=head.upto_id, on_chunk=tick)),
                 count=head.transactions, looks=[MUTED])  # never deleted; new ones get larger ids
    sheet.filter_table()
    return sheet


def _season_sheet(workbook: Workbook, snapshot: _Snapshot, head: _Head) -> Sheet:
    season, sign = snapshot.season, snapshot.season.currency_sign
    items: list[tuple[str, str, object, str]] = [
        ("Report made (UTC)", "datetime", snapshot.made_at.replace(tzinfo=None), ""),
        ("Made by", "text", head.made_by, ""),
        ("Season", "text", season.name, ""),
        ("Season file", "text", season.source, ""),
        ("First day", "date", season.first_day, ""),
        ("Last day", "date", season.last_day, ""),
        ("Days", "count", (season.last_day - season.first_day).days + 1, ""),
        ("Currency sign", "text", sign, ""),
        ("Initial grant", "money", season.initial_grant, "each new student, once"),
        ("Amount limit", "money", season.amount_limit, "the largest amount one entry may carry"),
        ("Danger level", "money", season.balance_danger, "a balance at or below it is in danger"),
        ("Warning level", "money", season.balance_warning, "a balance below it is a warning"),
        ("Workout budget", "money", season.workout_budget, f"each at least {_plain(season.workout_min_share)}"),
        ("Exam pool per student", "money", season.exam_pool_per_student, ""),
        ("Dining duty budget", "money", season.dining_budget, ""),
        ("Sport prizes", "text", _amounts(season.sport_prizes), "places 1-4, each person"),
        ("Event prizes, one person", "text", _amounts(season.event_single_prizes), "places 1-3"),
        ("Event prizes, team", "text", _amounts(season.event_team_prizes), "places 1-3, shared"),
        ("Activity certificate", "money", season.activity_certificate, "book certificate for a marked winner"),
        ("Certificate value", "money", season.certificate_value, "the certificate transaction"),
        ("Seminar reward", "text", season.seminar_reward.formula, ""),
        ("Lecture fine", "text", f"{_plain(season.lecture_fine_base)} + {_plain(season.lecture_fine_step)} "
                                 "per earlier miss", ""),
        *_stage_items("Final", season.final),
        *(_stage_items("Equator", season.equator) if season.equator else []),
        ("Squads", "text", ", ".join(season.squads), ""),
        ("Grades", "text", ", ".join(map(str, season.grades)), ""),
        *((f"Time block {b.name}", "text", f"{b.start:%H:%M}-{b.end:%H:%M}", "")
          for b in season.time_blocks.values()),
    ]
    for day_number, amount in sorted(season.tax_schedule.items()):
        day = season.first_day + timedelta(days=day_number - 1)
        items.append((f"Tax, day {day_number}", "money", amount, day.isoformat()))
    columns = fit_widths([Column("Setting"), Column("Value"), Column("Note")],
                         [(label, display(kind, value), note) for label, kind, value, note in items])
    sheet = Sheet(workbook, "Season", columns)
    for label, kind, value, note in items:
        sheet.row([label, value, note], kinds=["text", kind, "text"])
    sheet.filter_table()
    sheet.blank()
    sheet.note(f"Money in {sign}, written with two decimals.", MUTED)
    return sheet


def _stage_items(name: str, stage: Stage) -> list[tuple[str, str, object, str]]:
    req, fines = stage.requirements, stage.fines
    return [
        (f"{name}: obligatory visits", "count", req.obligatory_visits, "seminars attended + facultatives"),
        (f"{name}: labs", "text", _by_grade(req.lab_pass), "by grade"),
        (f"{name}: fac passes", "text", _by_grade(req.fac_pass), "by grade"),
        (f"{name}: seminars given", "count", req.seminar_pass, ""),
        (f"{name} fine: per seminar not given", "money", fines.seminar_missing, ""),
        (f"{name} fine: missing visits", "text",
         f"{_plain(fines.visit_base)} + {_plain(fines.visit_step)} per earlier one", "the i-th missing visit"),
        (f"{name} fine: per missing lab", "money", fines.lab_missing, ""),
        (f"{name} fine: per missing fac pass", "money", fines.fac_pass_missing, ""),
    ]


def _by_grade(targets: dict[int, int]) -> str:
    return ", ".join(f"{grade}: {n}" for grade, n in sorted(targets.items()))


def _amounts(values: tuple[int, ...]) -> str:
    return ", ".join(_plain(v) for v in values)


def _plain(cents: int) -> str:
    return format_amount(cents, sign="")

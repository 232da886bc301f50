"""The manager's xlsx report: Balances, Study, Transactions, Staff, Statistics and Season, and Pockets, Loans,
Funds and Circles where the camp has savings and credit (docs/savings.md).

`write_report` builds the workbook with openpyxl's write-only mode, so memory stays flat however many
transactions there are. The small reports are read in one read transaction (`camp_report`, a consistent
picture of the camp) in a second thread, or for a big camp a second process (`camp_report_reading`), while
this one renders the transactions up to the newest one that read sees into a private temporary file. The
transactions are read in chunks, each in its own short read transaction, so a long export never holds up
the office or the scheduler.

The file is written as every output is (`store.outputs`): never over a database, a device or a folder, over
an existing file only with `force`, through a private temporary file beside the target that takes its place
only when complete, so a reader never sees half a workbook and a failed export leaves any earlier file as it
was. The export's audit row is committed before the workbook is written.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from openpyxl.workbook import Workbook

from campbank.core.money import format_amount
from campbank.core.season import Season, Stage
from campbank.formats.xlsx.economy_sheet import economy_sheet
from campbank.formats.xlsx.save import PreRendered, RowSource, save_workbook
from campbank.formats.xlsx.savings_sheets import savings_sheets, season_items
from campbank.formats.xlsx.sheet import MUTED, Column, Sheet, display, fit_widths
from campbank.formats.xlsx.sheets import (
    balances_sheet,
    staff_sheet,
    statistics_sheet,
    study_sheet,
)
from campbank.ledger.actions.exports import record_export
from campbank.ledger.permissions import Actor
from campbank.ledger.store import outputs
from campbank.ledger.store.database import Database
from campbank.ledger.views.camp_report import CampReport, Extent
from campbank.ledger.views.camp_report_reading import Reading
from campbank.ledger.views.transactions import iter_transactions
from campbank.rules import rule_for

Progress = Callable[[int, int], None]  # (rows written, rows in all)
SHEETS = ("Balances", "Study", "Transactions", "Staff", "Statistics", "Economy", "Season")


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    students: int
    transactions: int
    sheets: tuple[str, ...] = SHEETS


def write_report(db: Database, actor: Actor, path: Path | str, progress: Progress | None = None, *,
                 force: bool = False) -> WrittenReport:
    """Write the xlsx report to `path` (managers). `progress(done, total)` is told as rows are written."""
    path = Path(path)
    outputs.judge(path, force=force, protect=[db.path])  # before any work: a refusal costs nothing
    with Reading(db, actor) as reading, tempfile.TemporaryFile(prefix="campbank-report-") as scratch:
        extent = reading.extent()
        total = 2 * extent.students + extent.staff + extent.transactions
        done = 0

        def tick(rows: int) -> None:
            nonlocal done
            done += rows
            if progress:
                progress(min(done, total), total)

        if progress:
            progress(0, total)
        workbook = Workbook(write_only=True)
        workbook.properties.creator = "CampBank"
        transactions = _transactions_sheet(workbook, db, actor, extent, tick)
        rendered = PreRendered(transactions, scratch)  # made first, shown third
        snapshot = reading.report()
        total = 2 * len(snapshot.balances.lines) + len(snapshot.staff) + extent.transactions
        record_export(db, actor, "xlsx", target=str(path), students=len(snapshot.balances.lines),
                      transactions=snapshot.transactions)
        workbook.properties.title = f"CampBank report, {snapshot.season.name}"
        first = balances_sheet(workbook, snapshot.balances, tick)
        first.note(f"Hash chain head when this report was read: {snapshot.chain_head} "
                   "(`campbank verify --anchor` with it proves this history unchanged later).", MUTED)
        sheets: list[RowSource] = [
            first,
            study_sheet(workbook, snapshot.study, tick),
            rendered,
            staff_sheet(workbook, snapshot.staff, tick),
            statistics_sheet(workbook, snapshot.statistics),
            economy_sheet(workbook, snapshot.economy),
            *savings_sheets(workbook, snapshot.season, snapshot.savings),
            _season_sheet(workbook, snapshot),
        ]
        workbook.move_sheet(transactions.title, offset=2)
        with outputs.replacing(path, force=force, protect=[db.path]) as target:
            save_workbook(workbook, target, sheets)
    return WrittenReport(path, len(snapshot.balances.lines), snapshot.transactions,
                         tuple(sheet.title for sheet in sheets))


def _transactions_sheet(workbook: Workbook, db: Database, actor: Actor, snapshot: Extent,
                        tick: Callable[[int], None]) -> Sheet:
    """Every transaction up to the snapshot, streamed from the ledger as the rows are rendered."""
    username = snapshot.widest_username or 8
    type_ = snapshot.widest_type or 4
    columns = [Column("ID", "count", 8), Column("Created (UTC)", "datetime", 17), Column("Day", "date", 11),
               Column("Creator", width=max(10, username + 2)), Column("Type", width=max(8, type_ + 3)),
               Column("State", width=12), Column("Amount", "money", 12), Column("Recipients", "count", 12),
               Column("Recipient names", width=40),
               Column("Description", width=min(60, max(14, snapshot.widest_description + 2))),
               Column("Update of", "count", 11)]
    sheet = Sheet(workbook, "Transactions", columns)
    muted = {5: MUTED}
    sheet.stream((([line.id, line.created_at, line.day, line.creator, line.type, line.state, line.amount,
                    line.recipients, "; ".join(line.recipient_names), line.description, line.update_of],
                   muted if line.state in ("declined", "substituted") else None)
                  for line in iter_transactions(db, actor, upto_id=snapshot.upto_id, on_chunk=tick)),
                 count=snapshot.transactions, looks=[MUTED])  # never deleted; new ones get larger ids
    sheet.filter_table()
    return sheet


def _season_sheet(workbook: Workbook, snapshot: CampReport) -> Sheet:
    season, sign = snapshot.season, snapshot.season.currency_sign
    items: list[tuple[str, str, object, str]] = [
        ("Report made (UTC)", "datetime", snapshot.made_at.replace(tzinfo=None), ""),
        ("Made by", "text", snapshot.made_by, ""),
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
        *season_items(season),
        *((f"Time block {b.name}", "text", f"{b.start:%H:%M}-{b.end:%H:%M}", "")
          for b in season.time_blocks.values()),
        *_rule_items(season),
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


def _rule_items(season: Season) -> list[tuple[str, str, object, str]]:
    """The numbers transaction types keep in the season's [rules.TYPE] tables."""
    items: list[tuple[str, str, object, str]] = []
    for rule_type, values in season.rule_settings.items():
        for setting in rule_for(rule_type).settings:
            items.append((f"{rule_type}: {setting.name}", "money" if setting.kind == "amount" else "count",
                          values[setting.name], setting.help))
    return items


def _by_grade(targets: dict[int, int]) -> str:
    return ", ".join(f"{grade}: {n}" for grade, n in sorted(targets.items()))


def _amounts(values: tuple[int, ...]) -> str:
    return ", ".join(_plain(v) for v in values)


def _plain(cents: int) -> str:
    return format_amount(cents, sign="")

"""The small sheets of the xlsx report: Balances, Study and Staff (tables), Statistics (with charts).

Each takes a report already read from the ledger (plain dataclasses) and writes it; nothing here reads
the database. Money is written as numbers (cents / 100) in the `0.00` format.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.workbook import Workbook

from campbank.core.money import format_amount
from campbank.formats.xlsx.sheet import (
    DANGER,
    MUTED,
    TITLE,
    TOTAL,
    WARNING,
    Column,
    Look,
    Sheet,
    fit_widths,
)
from campbank.ledger.views.balance_report import EARNED_GROUPS, BalanceReport
from campbank.ledger.views.staff import StaffLine
from campbank.ledger.views.statistics import MarketStatistics
from campbank.ledger.views.study_report import (
    COUNT_COLUMNS,
    StudyLine,
    StudyReport,
    StudyTotals,
)
from campbank.ledger.views.summaries import DANGER as DANGER_FLAG
from campbank.ledger.views.summaries import WARNING as WARNING_FLAG
from campbank.ledger.views.summaries import Summary

Tick = Callable[[int], None]

BALANCE_COLUMNS = (
    Column("Squad"), Column("Student"), Column("Username"), Column("Grade", "count"), Column("Balance", "money"),
    Column("In pockets", "money"), Column("Earned", "money"), *(Column(g.capitalize(), "money") for g in EARNED_GROUPS),
    Column("Certificates", "money"), Column("Status"),
)
STUDY_COLUMNS = (
    Column("Squad"), Column("Student"), Column("Username"), Column("Grade", "count"), Column("Labs", "count"),
    Column("Facultatives", "count"), Column("Fac passes", "count"), Column("Seminars attended", "count"),
    Column("Seminars given", "count"), Column("Lectures attended", "count"), Column("Lectures missed", "count"),
    Column("Obligatory visits", "count"), Column("Expected fine", "money"), Column("Still missing"),
)
STAFF_COLUMNS = (
    Column("Username"), Column("Name"), Column("Role"), Column("Active"), Column("Balance", "money"),
    Column("Net issued", "money"), Column("Issued", "money"), Column("Charged", "money"),
    Column("Transactions", "count"), Column("Processed", "count"),
)
FOOTER_LABELS = ("Sum", "Mean", "Std dev")


# --- Balances --------------------------------------------------------------------------------------


def balances_sheet(workbook: Workbook, report: BalanceReport, tick: Tick) -> Sheet:
    """Students by squad (danger and warning rows filled) under the autofilter; below it, apart, each squad's
    Sum / Mean / Std dev rows and the camp's, so sorting or filtering never mixes a summary among students."""
    rows = [_balance_values(line.squad or "No squad", line) for line in report.lines]
    sheet = Sheet(workbook, "Balances", fit_widths(BALANCE_COLUMNS, [*rows, ["All squads", "Sum (0000 students)"]]))
    for section in report.squads:
        for line in section.lines:
            look = DANGER if line.flag == DANGER_FLAG else WARNING if line.flag == WARNING_FLAG else None
            sheet.row(_balance_values(section.label, line), look)
        tick(len(section.lines))
    sheet.filter_table()
    sheet.blank()
    for section in report.squads:
        _footer(sheet, section.label, section.footer)
    _footer(sheet, "All squads", report.footer)
    sheet.blank()
    sign = report.currency_sign
    sheet.note(f"Red: balance at or below {format_amount(report.danger_level, sign)} (danger). "
               f"Yellow: below {format_amount(report.warning_level, sign)} (warning).", MUTED)
    sheet.note("Balance: main pocket and every other pocket; In pockets: the part set aside besides main.", MUTED)
    sheet.note("Earned: every positive counted entry received; Studies, Activity, Sport, Work: the same by "
               "report group. Mean and Std dev (population) are rounded to the cent.", MUTED)
    return sheet


def _balance_values(squad: str, line) -> list[object]:
    return [squad, line.full_name, line.username, line.grade, line.balance, line.saved, line.earned,
            *(line.money(g) for g in EARNED_GROUPS), line.certificates, line.flag]


def _footer(sheet: Sheet, label: str, footer: dict[str, Summary]) -> None:
    columns = ("balance", "saved", "earned", *EARNED_GROUPS, "certificates")
    count = footer["balance"].count
    for name, pick in zip(FOOTER_LABELS, (lambda s: s.total, lambda s: s.mean, lambda s: s.std_dev), strict=False):
        title = f"{name} ({_students(count)})" if name == "Sum" else name
        sheet.row([label, title, None, None, *(pick(footer[c]) for c in columns), None], TOTAL)


def _students(count: int) -> str:
    return f"{count} student{'s' if count != 1 else ''}"


# --- Study -----------------------------------------------------------------------------------------


def study_sheet(workbook: Workbook, report: StudyReport, tick: Tick) -> Sheet:
    rows = [_study_values(line.squad or "No squad", line) for line in report.lines]
    sheet = Sheet(workbook, "Study", fit_widths(STUDY_COLUMNS, [*rows, ["All squads", "Total (0000 students)"]]))
    for section in report.squads:
        for line in section.lines:
            sheet.row(_study_values(section.label, line), cells=_shortfalls(line))
        tick(len(section.lines))
    sheet.filter_table()  # students only: the totals below stay out of any sort or filter
    sheet.blank()
    for section in report.squads:
        _study_total(sheet, section.label, section.totals)
    _study_total(sheet, "All squads", report.totals)
    sheet.blank()
    sheet.note("Yellow: below the final target for the student's grade. Obligatory visits = seminars attended "
               "+ facultatives. Expected fine: the final study fine if nothing changes.", MUTED)
    return sheet


def _study_values(squad: str, line: StudyLine) -> list[object]:
    p = line.progress
    missing = [f"{n} {what}" for n, what in ((p.missing_visits, "visits"), (p.missing_labs, "labs"),
                                             (p.missing_fac_passes, "fac p."),
                                             (p.missing_seminars, "sem. to give")) if n]
    return [squad, line.full_name, line.username, line.grade, *(line.count(c) for c in COUNT_COLUMNS),
            p.visits, line.expected_fine, ", ".join(missing) if missing else "complete"]


def _shortfalls(line: StudyLine) -> dict[int, Look]:
    """Cells below the final target for the student's grade, by column index."""
    p = line.progress
    cells: dict[int, Look] = {}
    for index, short in ((4, p.missing_labs), (6, p.missing_fac_passes), (8, p.missing_seminars),
                         (11, p.missing_visits), (12, line.expected_fine)):
        if short:
            cells[index] = WARNING
    return cells


def _study_total(sheet: Sheet, label: str, totals: StudyTotals) -> None:
    visits = totals.counts["seminars_attended"] + totals.counts["facultatives"]
    sheet.row([label, f"Total ({_students(totals.students)})", None, None,
               *(totals.counts[c] for c in COUNT_COLUMNS), visits, totals.expected_fine,
               f"{totals.incomplete} incomplete"], TOTAL)


# --- Staff -----------------------------------------------------------------------------------------


def staff_sheet(workbook: Workbook, lines: tuple[StaffLine, ...], tick: Tick) -> Sheet:
    rows = [_staff_values(line) for line in lines]
    sheet = Sheet(workbook, "Staff", fit_widths(STAFF_COLUMNS, rows))
    for line, values in zip(lines, rows, strict=False):
        sheet.row(values, MUTED if not line.active else None)
    sheet.filter_table()
    sheet.blank()
    sheet.row(["Total", f"{len(lines)} accounts", "", "",
               *(sum(getattr(line, name) for line in lines)
                 for name in ("balance", "net_issued", "issued", "charged", "transactions", "processed"))], TOTAL)
    sheet.note("Net issued = minus the balance: every entry moves money from its creator to its receiver. "
               "Issued and Charged: positive and negative counted entries they created.", MUTED)
    tick(len(lines))
    return sheet


def _staff_values(line: StaffLine) -> list[object]:
    return [line.username, line.full_name, line.role, "yes" if line.active else "no", line.balance,
            line.net_issued, line.issued, line.charged, line.transactions, line.processed]


# --- Statistics, with the charts -------------------------------------------------------------------


def statistics_sheet(workbook: Workbook, stats: MarketStatistics) -> Sheet:
    columns = [Column("", width=30), Column("", width=14), Column("", width=14), Column("", width=14),
               Column("", width=14)]
    sheet = Sheet(workbook, "Statistics", columns, header=False, freeze=None)
    sheet.note("Market statistics (active students)", TITLE)
    sheet.header(["Figure", "Value"])
    for label, kind, value in (
        ("Students", "count", stats.students), ("Total money", "money", stats.total),
        ("Mean", "money", stats.mean), ("Median", "money", stats.median),
        ("Standard deviation", "money", stats.std_dev), ("Minimum", "money", stats.minimum),
        ("Maximum", "money", stats.maximum), ("In danger", "count", stats.in_danger),
        ("In warning", "count", stats.in_warning), ("Pending transfers", "count", stats.pending_transfers),
        ("Issued (all days)", "money", stats.issued), ("Charged (all days)", "money", stats.charged),
        *((("Money in savings pockets", "money", stats.savings.savings_pockets),
           ("Money in goal pockets", "money", stats.savings.goal_pockets), ("Money in funds", "money",
                                                                           stats.savings.funds),
           ("Loans outstanding", "money", stats.savings.loans_outstanding),
           ("Open loans", "count", stats.savings.open_loans)) if stats.savings else ()),
    ):
        sheet.row([label, value], kinds=["text", kind])
    sheet.blank()

    sheet.note("Balances histogram", TITLE)
    sheet.header(["Balance range", "From", "To (excl.)", "Students"])
    first = sheet.rows + 1
    for b in stats.histogram:
        sheet.row([f"{_plain(b.low)} to {_plain(b.high)}", b.low, b.high, b.count],
                  kinds=["text", "money", "money", "count"])
    if stats.histogram:
        chart = _bar("Students by balance", "Balance", "Students")
        chart.add_data(Reference(sheet.ws, min_col=4, min_row=first - 1, max_row=sheet.rows), titles_from_data=True)
        chart.set_categories(Reference(sheet.ws, min_col=1, min_row=first, max_row=sheet.rows))
        chart.legend = None
        sheet.ws.add_chart(chart, "G2")
    sheet.blank()

    sheet.note("Money by report group (counted entries to active students)", TITLE)
    sheet.header(["Group", "Issued", "Charged", "Net"])
    first = sheet.rows + 1
    for g in stats.by_group:
        sheet.row([g.group, g.issued, g.charged, g.net], kinds=["text", "money", "money", "money"])
    chart = _bar("Issued and charged by group", "Group", "Money")
    chart.add_data(Reference(sheet.ws, min_col=2, max_col=3, min_row=first - 1, max_row=sheet.rows),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet.ws, min_col=1, min_row=first, max_row=sheet.rows))
    sheet.ws.add_chart(chart, "G20")
    sheet.blank()

    sheet.note("Money by transaction day", TITLE)
    sheet.header(["Day", "Issued", "Charged", "Net"])
    for d in stats.by_day:
        sheet.row([d.day, d.issued, d.charged, d.net], kinds=["date", "money", "money", "money"])
    sheet.blank()

    sheet.note("Money supply: the students' total at the end of each day (UTC)", TITLE)
    sheet.header(["Day", "Total"])
    first = sheet.rows + 1
    for point in stats.supply:
        sheet.row([point.day, point.total], kinds=["date", "money"])
    if stats.supply:
        line = LineChart()
        line.title, line.height, line.width = "Money supply", 7.5, 16
        line.y_axis.title, line.x_axis.number_format = "Money", "yyyy-mm-dd"
        line.x_axis.delete = line.y_axis.delete = False
        line.add_data(Reference(sheet.ws, min_col=2, min_row=first - 1, max_row=sheet.rows), titles_from_data=True)
        for series in line.series:
            series.smooth = False
        line.y_axis.number_format = "0"
        line.set_categories(Reference(sheet.ws, min_col=1, min_row=first, max_row=sheet.rows))
        line.legend = None
        sheet.ws.add_chart(line, "G38")
    return sheet


def _bar(title: str, x_title: str, y_title: str) -> BarChart:
    chart = BarChart()
    chart.type, chart.title, chart.height, chart.width = "col", title, 7.5, 16
    chart.x_axis.title, chart.y_axis.title = x_title, y_title
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.y_axis.number_format = "0"
    return chart


def _plain(cents: int) -> str:
    return format_amount(cents, sign="")

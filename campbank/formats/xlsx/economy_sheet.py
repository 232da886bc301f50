"""The report's Economy sheet: the daily series of `ledger.views.economy` (money supply, issued and charged,
p2p velocity, Gini per squad and for the camp, share in danger), then issued and charged per day and report
group (one row each, for filtering and pivot tables), and a chart of inequality and danger over the days."""

from __future__ import annotations

from fractions import Fraction

from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from campbank.formats.xlsx.sheet import MUTED, TITLE, Column, Sheet
from campbank.ledger.views.economy import Economy
from campbank.ledger.views.summaries import squad_label


def _number(value: Fraction | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def economy_sheet(workbook: Workbook, seen: Economy) -> Sheet:
    squads = [f"Gini {squad_label(s)}" for s in seen.squads]
    columns = [Column("Day", "date", 12), Column("Students", "count", 10), Column("Money supply", "money", 14),
               Column("Issued", "money", 13), Column("Charged", "money", 13), Column("Net", "money", 13),
               Column("P2p volume", "money", 12), Column("Velocity", width=10), Column("Gini camp", width=11),
               *(Column(title, width=max(11, len(title) + 3)) for title in squads),
               Column("In danger", "count", 11), Column("Share in danger", width=12)]
    sheet = Sheet(workbook, "Economy", columns)
    for d in seen.days:
        share = d.danger_share
        sheet.row([d.day, d.students, d.supply, d.issued, d.charged, d.net, d.p2p_volume, _number(d.velocity, 4),
                   _number(d.gini, 4), *(_number(g, 4) for g in d.gini_by_squad), d.in_danger, _number(share, 4)])
    last_day_row = sheet.rows
    sheet.filter_table()
    if seen.days:
        _chart(sheet, last_day_row, len(columns))
    sheet.blank()
    sheet.note(f"Balances as they stood at the end of each day (UTC), active students added by then; money in "
               f"{seen.currency_sign}. In danger: a balance at or below {seen.danger_level / 100:.2f}. Velocity: "
               "p2p volume ÷ money supply. Gini: mean absolute difference of all pairs ÷ twice the mean (blank "
               "when the mean is not positive). See docs/oversight.md.", MUTED)
    sheet.blank()
    sheet.note("Issued and charged per day and report group (counted entries to active students)", TITLE)
    sheet.header(["Day", "Group", "Issued", "Charged", "Net"])
    for d in seen.days:
        for g in d.groups:
            if g.issued or g.charged:
                sheet.row([d.day, g.group, g.issued, g.charged, g.issued - g.charged],
                          kinds=["date", "text", "money", "money", "money"])
    return sheet


def _chart(sheet: Sheet, last_row: int, width: int) -> None:
    chart = LineChart()
    chart.title, chart.height, chart.width = "Inequality (Gini) and share in danger", 7.5, 18
    chart.y_axis.title, chart.x_axis.number_format = "0 to 1", "yyyy-mm-dd"
    chart.x_axis.delete = chart.y_axis.delete = False
    gini_column = 9
    chart.add_data(Reference(sheet.ws, min_col=gini_column, min_row=1, max_row=last_row), titles_from_data=True)
    chart.add_data(Reference(sheet.ws, min_col=width, min_row=1, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(sheet.ws, min_col=1, min_row=2, max_row=last_row))
    for series in chart.series:
        series.smooth = False
    sheet.ws.add_chart(chart, f"{get_column_letter(width + 2)}2")

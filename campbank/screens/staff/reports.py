"""The balance and study reports per squad (staff and managers).

Both reports come whole from `campbank.ledger.views` (a camp is hundreds of students); a squad
picker narrows them. Danger rows are red and warning rows yellow; each squad ends with its footer
(sum, mean, standard deviation; study totals), and "all squads" ends with the camp's.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Label, Select, Static, TabbedContent, TabPane

from campbank.core.money import format_amount
from campbank.ledger.views.balance_report import (
    EARNED_GROUPS,
    MONEY_COLUMNS,
    BalanceReport,
)
from campbank.ledger.views.camp_report import squad_reports
from campbank.ledger.views.study_report import (
    COUNT_COLUMNS,
    StudyLine,
    StudyReport,
    StudyTotals,
)
from campbank.ledger.views.summaries import DANGER, WARNING, Summary
from campbank.widgets.literal import assemble, literal
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable

ALL = "__all__"
FLAG_STYLE = {DANGER: "red", WARNING: "yellow"}
STUDY_TITLES = ("Labs", "Facult.", "Fac passes", "Sem. att.", "Sem. given", "Lect. att.", "Lect. missed")


class ReportsPane(Pane):

    BINDINGS = [Binding("t", "switch_tab", "Balances/Study", id="reports-tab")]
    DEFAULT_CSS = """
    ReportsPane #reports-bar { height: 1; }
    ReportsPane #reports-bar Label { padding: 0 1 0 0; }
    ReportsPane #reports-squad { width: 24; }
    ReportsPane #reports-legend { color: $text-muted; height: auto; }
    ReportsPane TabbedContent { height: 1fr; }
    ReportsPane VimTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.balances: BalanceReport | None = None
        self.study: StudyReport | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.section_title, classes="pane-title")
        with Horizontal(id="reports-bar"):
            yield Label("Squad")
            yield Select([("All squads", ALL)], value=ALL, allow_blank=False, id="reports-squad", compact=True)
        yield Static("", id="reports-legend")
        with TabbedContent(id="reports-tabs"):
            with TabPane("Balances", id="reports-balances"):
                table = VimTable(id="balance-table")
                table.fixed_columns = 1
                table.add_columns("Student", "Gr.", "Balance", "Pockets", "Earned",
                                  *(g.capitalize() for g in EARNED_GROUPS), "Certif.")
                yield table
            with TabPane("Study", id="reports-study"):
                table = VimTable(id="study-table")
                table.fixed_columns = 1
                table.add_columns("Student", "Gr.", *STUDY_TITLES, "Expected fine", "Missing")
                yield table

    def reload(self) -> None:
        self.fetch(lambda: squad_reports(self.db, self.actor), self._show)

    def _show(self, reports: tuple[BalanceReport, StudyReport]) -> None:
        self.balances, self.study = reports
        picker = self.query_one("#reports-squad", Select)
        squads = [(literal(s.label), s.squad or "") for s in self.balances.squads]
        chosen = picker.value
        picker.set_options([("All squads", ALL), *squads])
        picker.value = chosen if chosen in {ALL, *(v for _, v in squads)} else ALL
        sign = self.balances.currency_sign
        self.query_one("#reports-legend", Static).update(assemble(
            f"Amounts in {sign}. ", ("Red", "red"), f": balance ≤ {format_amount(self.balances.danger_level, '')}. ",
            ("Yellow", "yellow"), f": below {format_amount(self.balances.warning_level, '')}, or short of a target."))
        self._refill()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "reports-squad":
            self._refill()

    def _refill(self) -> None:
        if self.balances is None or self.study is None:
            return
        chosen = self.query_one("#reports-squad", Select).value
        self._render_balances(self.balances, chosen)
        self._render_study(self.study, chosen)

    def _render_balances(self, report: BalanceReport, chosen: object) -> None:
        table = self.query_one("#balance-table", VimTable)
        table.clear()

        def money(cents: int | None, style: str = "") -> Text:
            return Text("" if cents is None else format_amount(cents, ""), justify="right", style=style)

        def footer(label: str, summary: dict[str, Summary]) -> None:
            count = summary["balance"].count
            for name, pick in (("Sum", lambda s: s.total), ("Mean", lambda s: s.mean),
                               ("Std dev", lambda s: s.std_dev)):
                title = f"{label}: {name}" + (f" ({count})" if name == "Sum" else "")
                table.add_row(Text(title, style="bold"), "",
                              *(money(pick(summary[c]), "bold") for c in MONEY_COLUMNS))

        for section in report.squads:
            if chosen not in (ALL, section.squad or ""):
                continue
            for line in section.lines:
                style = FLAG_STYLE.get(line.flag, "")
                table.add_row(Text(line.full_name, style=style), str(line.grade or ""),
                              *(money(line.money(c), style) for c in MONEY_COLUMNS), key=line.username)
            footer(section.label, section.footer)
        if chosen == ALL and len(report.squads) > 1:
            footer("All squads", report.footer)

    def _render_study(self, report: StudyReport, chosen: object) -> None:
        sign = report.currency_sign
        table = self.query_one("#study-table", VimTable)
        table.clear()

        def totals(label: str, t: StudyTotals) -> None:
            table.add_row(Text(f"{label}: total ({t.students})", style="bold"), "",
                          *(Text(str(t.counts[c]), justify="right", style="bold") for c in COUNT_COLUMNS),
                          Text(format_amount(t.expected_fine, ""), justify="right", style="bold"),
                          Text(f"{t.incomplete} incomplete", style="bold"))

        for section in report.squads:
            if chosen not in (ALL, section.squad or ""):
                continue
            for line in section.lines:
                table.add_row(*self._study_cells(line, sign), key=line.username)
            totals(section.label, section.totals)
        if chosen == ALL and len(report.squads) > 1:
            totals("All squads", report.totals)

    @staticmethod
    def _study_cells(line: StudyLine, sign: str) -> list[object]:
        p = line.progress
        short = {"labs": p.missing_labs, "fac_passes": p.missing_fac_passes, "seminars_given": p.missing_seminars}
        missing = [f"{n} {what}" for n, what in ((p.missing_visits, "visits"), (p.missing_labs, "labs"),
                                                 (p.missing_fac_passes, "fac p."),
                                                 (p.missing_seminars, "sem.")) if n]
        fine = line.expected_fine
        return [
            Text(line.full_name, style="yellow" if missing else ""), str(line.grade or ""),
            *(Text(str(line.count(c)), justify="right", style="yellow" if short.get(c) else "")
              for c in COUNT_COLUMNS),
            Text(format_amount(fine, "") if fine else "", justify="right", style="red" if fine else ""),
            Text(", ".join(missing) if missing else "complete", style="yellow" if missing else "green"),
        ]

    def action_switch_tab(self) -> None:
        tabs = self.query_one("#reports-tabs", TabbedContent)
        tabs.active = "reports-study" if tabs.active == "reports-balances" else "reports-balances"

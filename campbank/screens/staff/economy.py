"""Office section "Economy" (staff and managers): the camp's economy day by day, in terminal charts and tables:
the money supply, how unequal balances are (Gini), the share of students in danger, the p2p velocity, and
what each report group issued and charged. The figures come from `ledger.views.economy`; the formulas are in
docs/oversight.md."""

from __future__ import annotations

from fractions import Fraction

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from campbank.core.money import format_amount
from campbank.ledger.views.economy import Economy, economy
from campbank.ledger.views.summaries import squad_label
from campbank.widgets.charts import ColumnChart
from campbank.widgets.pane import Pane

DAYS_IN_TABLES = 10


def ratio(value: Fraction | None, digits: int = 2) -> str:
    return "—" if value is None else f"{float(value):.{digits}f}"


def percent(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


class EconomyPane(Pane):

    DEFAULT_CSS = """
    EconomyPane VerticalScroll { height: 1fr; }
    EconomyPane .economy-heading { text-style: bold; color: $accent; padding: 1 0 0 0; }
    EconomyPane ColumnChart { height: 8; padding: 0 1 0 0; }
    EconomyPane #economy-now, EconomyPane #economy-days, EconomyPane #economy-groups { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.economy: Economy | None = None
        """The figures on screen (None until the first read)."""

    def compose(self) -> ComposeResult:
        yield Static(self.section_title + ": day by day", classes="pane-title")
        with VerticalScroll(id="economy-scroll"):
            yield Static("Loading…", id="economy-now")
            yield Static("Money supply (students' money at the end of each day)", classes="economy-heading")
            yield ColumnChart(id="economy-supply", value_format=self._short_money)
            yield Static("Inequality: Gini coefficient of the camp's balances (0 = all equal)",
                         classes="economy-heading")
            yield ColumnChart(id="economy-gini", value_format=lambda v: f"{v / 1000:.2f}")
            yield Static("Share of students in danger", classes="economy-heading")
            yield ColumnChart(id="economy-danger", value_format=lambda v: f"{v / 10:.0f}%")
            yield Static("P2p velocity (transfers between students ÷ their money)", classes="economy-heading")
            yield ColumnChart(id="economy-velocity", value_format=lambda v: f"{v / 10:.1f}%")
            yield Static("Day by day", classes="economy-heading")
            yield Static("", id="economy-days")
            yield Static("Issued − charged, by report group", classes="economy-heading")
            yield Static("", id="economy-groups")

    def _short_money(self, cents: int) -> str:
        return f"{round(cents / 100):,}{self.campbank.season.currency_sign}"

    def reload(self) -> None:
        self.fetch(lambda: economy(self.db, self.actor), self._show)

    def _show(self, seen: Economy) -> None:
        self.economy = seen
        days = seen.days
        sign = seen.currency_sign
        labels = [d.day.strftime("%m-%d") for d in days]
        self.query_one("#economy-supply", ColumnChart).set_data([d.supply for d in days], labels)
        self.query_one("#economy-gini", ColumnChart).set_data(
            [round(float(d.gini) * 1000) if d.gini is not None else 0 for d in days], labels)
        self.query_one("#economy-danger", ColumnChart).set_data(
            [round(float(d.danger_share) * 1000) if d.danger_share is not None else 0 for d in days], labels)
        self.query_one("#economy-velocity", ColumnChart).set_data(
            [round(float(d.velocity) * 1000) if d.velocity is not None else 0 for d in days], labels)
        if not days:
            self.query_one("#economy-now", Static).update("No money has moved yet.")
            return
        last = days[-1]
        now = Text()
        now.append(f"{last.day}: ", style="bold").append(f"{last.students} students, money supply ")
        now.append(format_amount(last.supply, sign), style="bold").append(", Gini ")
        now.append(ratio(last.gini), style="bold").append(", in danger ")
        now.append(f"{last.in_danger} ({percent(last.danger_share)})", style="bold red" if last.in_danger else "bold")
        now.append(", velocity ").append(percent(last.velocity), style="bold")
        self.query_one("#economy-now", Static).update(now)

        table = Table(box=None, padding=(0, 1), show_edge=False)
        for title in ("Day", "Supply", "Issued", "Charged", "P2p", "Velocity", "Gini", "Danger",
                      *(squad_label(s) for s in seen.squads)):
            table.add_column(title, justify="left" if title == "Day" else "right")
        for d in days[-DAYS_IN_TABLES:]:
            table.add_row(d.day.strftime("%a %m-%d"), format_amount(d.supply, ""), format_amount(d.issued, ""),
                          format_amount(d.charged, ""), format_amount(d.p2p_volume, ""), percent(d.velocity),
                          ratio(d.gini), f"{d.in_danger}", *(ratio(g) for g in d.gini_by_squad))
        self.query_one("#economy-days", Static).update(table)

        groups = Table(box=None, padding=(0, 1), show_edge=False)
        shown = days[-7:]
        groups.add_column("Group")
        for d in shown:
            groups.add_column(d.day.strftime("%m-%d"), justify="right")
        for index, group in enumerate(last.groups):
            cells = []
            for d in shown:
                net = d.groups[index].issued - d.groups[index].charged
                cells.append(Text(format_amount(net, "") if net else "·",
                                  style="green" if net > 0 else "red" if net < 0 else "dim"))
            groups.add_row(group.group, *cells)
        self.query_one("#economy-groups", Static).update(groups)

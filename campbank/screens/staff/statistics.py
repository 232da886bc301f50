"""Market statistics (staff and managers): the students' money in numbers, a histogram of balances,
the money supply over time, and what was issued and charged per group and per day.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from campbank.core.money import format_amount
from campbank.ledger.views.statistics import MarketStatistics, market_statistics
from campbank.widgets.charts import Bar, BarRows, ColumnChart
from campbank.widgets.literal import literal, safe
from campbank.widgets.pane import Pane

DAYS_SHOWN = 14


class StatisticsPane(Pane):

    DEFAULT_CSS = """
    StatisticsPane VerticalScroll { height: 1fr; }
    StatisticsPane .stats-heading { text-style: bold; color: $accent; padding: 1 0 0 0; }
    StatisticsPane #stats-figures { height: auto; }
    StatisticsPane #stats-histogram { padding: 0 1 0 0; }
    StatisticsPane #stats-supply { height: 10; padding: 0 1 0 0; }
    StatisticsPane #stats-flows { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.statistics: MarketStatistics | None = None
        """The figures on screen (None until the first read)."""

    def compose(self) -> ComposeResult:
        yield Static(self.section_title, classes="pane-title")
        with VerticalScroll(id="stats-scroll"):
            yield Static("Loading…", id="stats-figures")
            yield Static("Balances (students per range)", classes="stats-heading")
            yield BarRows(id="stats-histogram")
            yield Static("Money supply (students' total at the end of each day)", classes="stats-heading")
            yield ColumnChart(id="stats-supply", value_format=self._short_money)
            yield Static("Issued and charged", classes="stats-heading")
            yield Static("", id="stats-flows")

    def _short_money(self, cents: int) -> str:
        return f"{round(cents / 100):,}{self.campbank.season.currency_sign}"

    def reload(self) -> None:
        self.fetch(lambda: market_statistics(self.db, self.actor), self._show)

    def _show(self, s: MarketStatistics) -> None:
        self.statistics = s
        sign = s.currency_sign

        def money(cents: int | None) -> Text:
            return literal("—" if cents is None else format_amount(cents, sign))

        self._show_figures()

        self.query_one("#stats-histogram", BarRows).bars = tuple(
            Bar(f"{format_amount(b.low, '')}…{format_amount(b.high, '')}", b.count, str(b.count),
                style="red" if b.low <= s.danger_level else "yellow" if b.low < s.warning_level else "cyan")
            for b in s.histogram)
        self.query_one("#stats-supply", ColumnChart).set_data(
            [p.total for p in s.supply], [p.day.strftime("%m-%d") for p in s.supply])

        flows = Table(box=None, padding=(0, 1), show_edge=False, expand=False)
        for title in ("", "Issued", "Charged", "Net"):
            flows.add_column(title, justify="right" if title else "left")
        for g in s.by_group:
            flows.add_row(literal(g.group), money(g.issued), money(g.charged), _net(g.net, sign))
        flows.add_row(Text("all groups", style="bold"), money(s.issued), money(s.charged),
                      _net(s.issued - s.charged, sign), end_section=True)
        for d in s.by_day[-DAYS_SHOWN:]:
            flows.add_row(literal(d.day.strftime("%a %m-%d")), money(d.issued), money(d.charged), _net(d.net, sign))
        self.query_one("#stats-flows", Static).update(flows)

    def on_resize(self) -> None:
        self._show_figures()

    def _show_figures(self) -> None:
        """The headline numbers, in two pairs of columns when there is room, else in one."""
        s = self.statistics
        if s is None:
            return
        sign = s.currency_sign

        def money(cents: int | None) -> str:
            return "—" if cents is None else format_amount(cents, sign)

        pairs: list[tuple[str, Text | str]] = [
            ("Students", Text(str(s.students), style="bold")), ("Total", literal(money(s.total), "bold")),
            ("Mean", literal(money(s.mean))), ("Median", literal(money(s.median))),
            ("Std dev", literal(money(s.std_dev))), ("Min / max", literal(f"{money(s.minimum)} / {money(s.maximum)}")),
            ("In danger", Text(f"{s.in_danger}", style="bold red" if s.in_danger else "")),
            ("Warning", Text(f"{s.in_warning}", style="bold yellow" if s.in_warning else "")),
            ("Pending transfers", str(s.pending_transfers)),
            ("Issued / charged", literal(f"{money(s.issued)} / {money(s.charged)}")),
        ]
        wide = self.size.width >= 76
        figures = Table.grid(padding=(0, 2))
        for _ in range(4 if wide else 2):
            figures.add_column()
        step = 2 if wide else 1
        for i in range(0, len(pairs), step):
            figures.add_row(*(cell for pair in pairs[i:i + step] for cell in pair))
        caption = Text(f"danger: balance ≤ {format_amount(s.danger_level, sign)}; warning: below "
                       f"{format_amount(s.warning_level, sign)}", style="dim")
        self.query_one("#stats-figures", Static).update(Group(figures, safe(caption)))


def _net(cents: int, sign: str) -> Text:
    return literal(format_amount(cents, sign), "red" if cents < 0 else "green")

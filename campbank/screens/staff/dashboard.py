"""The staff dashboard: the camp's money at a glance, what waits for approval, and the open disputes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import Static

from campbank.core.money import format_amount
from campbank.ledger.views.disputes import open_dispute_count
from campbank.ledger.views.held import held_transactions
from campbank.ledger.views.statistics import Glance, glance
from campbank.widgets.literal import assemble
from campbank.widgets.pane import Pane


class DashboardPane(Pane):

    DEFAULT_CSS = """
    DashboardPane #cards {
        layout: grid;
        grid-size: 5;
        grid-gutter: 0 1;
        grid-rows: auto;
        height: auto;
    }
    DashboardPane .card {
        border: round $panel;
        padding: 0 1;
        height: 1fr;  /* as tall as the row, which is as tall as its wordiest card */
        min-height: 5;
    }
    DashboardPane .card.danger { border: round $error; }
    DashboardPane .card.warning { border: round $warning; }
    DashboardPane .card.pending { border: round $accent; }
    DashboardPane .card.disputes { border: round $accent; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Dashboard", classes="pane-title")
        with Container(id="cards"):
            for card in ("total", "mean", "danger", "warning", "pending", "disputes"):
                yield Static("…", id=f"card-{card}", classes=f"card {card}")

    def on_resize(self) -> None:
        """Six cards in a row when there is room, else two or three per row."""
        width = self.size.width
        self.query_one("#cards").styles.grid_size_columns = 6 if width >= 108 else (3 if width >= 54 else 2)

    def reload(self) -> None:
        def read() -> tuple[Glance, int, int]:
            return (glance(self.db, self.actor), open_dispute_count(self.db, self.actor),
                    len(held_transactions(self.db, self.actor)))

        self.fetch(read, self._show)

    def _show(self, seen: tuple[Glance, int, int]) -> None:
        stats, disputes, held = seen
        sign = self.campbank.season.currency_sign
        cards = {  # (the figure, in bold; what it is)
            "total": (format_amount(stats.total, sign), f"student money ({stats.students} students)"),
            "mean": (format_amount(stats.mean or 0, sign), "mean balance"),
            "danger": (str(stats.in_danger), f"in danger (≤ {format_amount(stats.danger_level, sign)})"),
            "warning": (str(stats.in_warning), f"warning (< {format_amount(stats.warning_level, sign)})"),
            "pending": (str(stats.pending_transfers),
                        "transfers waiting" + (f"\n{held} for a 2nd manager" if held else "")),
            "disputes": (str(disputes), f"open dispute{'' if disputes == 1 else 's'}"),
        }
        for card, (figure, what) in cards.items():
            self.query_one(f"#card-{card}", Static).update(assemble((figure, "bold"), "\n", what))

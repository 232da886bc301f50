"""The savings circles a student is in: members in order, and each round's date, who it pays and whether
it was held (docs/savings.md#savings-circles)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from campbank.core.money import format_amount
from campbank.ledger.views.savings import SavingsCard, savings_card
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal
from campbank.widgets.literal_table import LiteralTable
from campbank.widgets.live import LiveLedger


class CirclesView(LiveLedger, LedgerWork, Vertical):
    DEFAULT_CSS = """
    CirclesView { padding: 0 1; }
    CirclesView #circles-intro { height: auto; margin: 0 0 1 0; }
    CirclesView #circle-rounds { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="circles-intro")
        table = LiteralTable(id="circle-rounds", cursor_type="row")
        table.add_columns("Circle", "Round", "Date", "Pays out to", "Everyone pays", "Held")
        yield table

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.fetch(lambda: savings_card(self.db, self.actor, self.actor.username), self._show)

    def _show(self, card: SavingsCard) -> None:
        sign = card.season.currency_sign
        table = self.query_one("#circle-rounds", LiteralTable)
        table.clear()
        intro = self.query_one("#circles-intro", Static)
        if not card.circles:
            intro.update("You are in no savings circle. A manager sets circles up.")
            return
        intro.update("Each round, every member pays the contribution and one member receives it all: "
                     "over the circle you get back exactly what you paid.")
        for circle_card in card.circles:
            circle = circle_card.circle
            state = " (void)" if circle_card.voided else ""
            for line in circle_card.rounds:
                receiver = literal(line.receiver, style="bold" if line.receiver == card.username else "")
                pays = literal(format_amount(circle.contribution, sign), justify="right")
                table.add_row(literal(f"#{circle.id} {circle.name}{state}"), f"{line.number}/{len(circle.members)}",
                              str(line.day), receiver, pays, "yes" if line.held else "")

"""Charges (managers): the daily tax (preview, run, void a day) and the study fines (preview, charge)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static, TabbedContent, TabPane

from campbank.screens.manager.charges_fines import FinesPanel
from campbank.screens.manager.charges_tax import TaxPanel
from campbank.widgets.pane import Pane


class ChargesPane(Pane):

    DEFAULT_CSS = """
    ChargesPane TabbedContent { height: 1fr; }
    ChargesPane TabPane { padding: 0; }
    """

    def compose(self) -> ComposeResult:
        yield Static(self.section_title, classes="pane-title")
        with TabbedContent(id="charges-tabs"):
            with TabPane("Tax", id="charges-tax"):
                yield TaxPanel(id="tax-panel")
            with TabPane("Study fines", id="charges-fines"):
                yield FinesPanel(id="fines-panel")

    def reload(self) -> None:
        self.query_one(FinesPanel).reload()

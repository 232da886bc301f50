"""Funds a student may give to (and those they gave to): target, total, deadline, their share, and
contributing from the main pocket at once (docs/savings.md#funds)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from campbank.core.money import format_amount
from campbank.ledger.actions import funds
from campbank.ledger.views.savings import FundLine, funds_overview
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, refusal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.literal_table import LiteralTable
from campbank.widgets.live import LiveLedger


class FundsView(LiveLedger, LedgerWork, Vertical):
    DEFAULT_CSS = """
    FundsView { padding: 0 1; }
    FundsView #funds-table { height: auto; max-height: 12; }
    FundsView .form-row { height: auto; margin: 1 0 0 0; }
    FundsView .form-row Input { width: 16; margin: 0 1 0 0; }
    FundsView #funds-message { height: auto; margin: 1 0 0 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: tuple[FundLine, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("Funds you may give to, and those you gave to (choose one, then the amount):")
        table = LiteralTable(id="funds-table", cursor_type="row")
        table.add_columns("#", "Fund", "Target", "Total", "Deadline", "Yours", "State")
        yield table
        with Horizontal(classes="form-row"):
            yield LiteralInput(placeholder="amount", id="fund-amount", compact=True)
            yield Button("Contribute", variant="primary", id="contribute", compact=True)
        yield Static("", id="funds-message")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.fetch(lambda: funds_overview(self.db, self.actor), self._show)

    def _show(self, lines: tuple[FundLine, ...]) -> None:
        self.lines = lines
        sign = self.campbank.season.currency_sign
        table = self.query_one("#funds-table", LiteralTable)
        table.clear()
        for line in lines:
            fund = line.fund
            table.add_row(f"#{fund.id}", literal(fund.name), *(literal(format_amount(v, sign), justify="right")
                                                              for v in (fund.target, fund.total)),
                          str(fund.deadline), literal(format_amount(line.mine, sign), justify="right"), fund.state,
                          key=str(fund.id))
        if not lines:
            self.query_one("#funds-message", Static).update("No fund is open for you now.")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "contribute":
            self.contribute()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "fund-amount":
            self.contribute()

    def contribute(self) -> None:
        table = self.query_one("#funds-table", LiteralTable)
        message = self.query_one("#funds-message", Static)
        if not self.lines or not 0 <= table.cursor_row < len(self.lines):
            message.update(Text("Choose a fund in the table first.", style="red"))
            return
        fund = self.lines[table.cursor_row].fund
        amount = self.query_one("#fund-amount", Input).value.strip()
        self.submit(lambda: funds.contribute(self.db, self.actor, fund.id, amount), self._given,
                    on_error=lambda error: message.update(refusal(error, "red")))

    def _given(self, posted) -> None:
        self.query_one("#fund-amount", Input).value = ""
        self.query_one("#funds-message", Static).update(Text(f"Contributed (#{posted.id})."))
        self.reload()

"""The dialog that grants a loan: borrower, amount and instalments, with the schedule it would make shown
as the numbers are typed (the same formula the ledger uses, docs/savings.md#loans); the grant itself runs
in a worker and a refusal is shown in the dialog."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from campbank.core.errors import CampBankError
from campbank.core.money import format_amount, parse_amount
from campbank.ledger import clock
from campbank.ledger.actions import loans
from campbank.ledger.actions.posting import Posted
from campbank.rules.savings import schedule, total_due
from campbank.widgets.ask import DIALOG_CSS
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, refusal
from campbank.widgets.literal_input import LiteralInput


class LoanGrantDialog(LedgerWork, ModalScreen[Posted | None]):
    BINDINGS = [Binding("escape", "back", "Back", id="loan-back")]
    DEFAULT_CSS = DIALOG_CSS.format(name="LoanGrantDialog") + """
    LoanGrantDialog Input { width: 1fr; margin: 0 0 1 0; }
    LoanGrantDialog #loan-preview, LoanGrantDialog #loan-error { height: auto; }
    """

    def __init__(self, borrower: str | None = None) -> None:
        super().__init__()
        self.borrower = borrower

    def compose(self) -> ComposeResult:
        rules = self.campbank.season.loans
        with Vertical():
            yield Static("Grant a loan", classes="dialog-title")
            yield LiteralInput(value=self.borrower or "", placeholder="borrower's username", id="loan-borrower",
                               disabled=self.borrower is not None)
            yield LiteralInput(placeholder=f"amount (at most {format_amount(rules.max_amount, '')})", id="loan-amount")
            yield LiteralInput(placeholder=f"instalments (1 to {rules.max_instalments})", id="loan-instalments")
            yield Static("", id="loan-preview")
            yield Static("", id="loan-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Back (Esc)", id="loan-cancel")
                yield Button("Grant", id="loan-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#loan-amount" if self.borrower else "#loan-borrower", Input).focus()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.query_one("#loan-preview", Static).update(self._preview())

    def _preview(self) -> Text:
        season = self.campbank.season
        sign = season.currency_sign
        try:
            amount = parse_amount(self.query_one("#loan-amount", Input).value, limit=season.loans.max_amount)
            count = int(self.query_one("#loan-instalments", Input).value.strip())
        except (CampBankError, ValueError):
            return Text("The schedule shows here once the amount and the instalments are filled in.", style="dim")
        if not 1 <= count <= season.loans.max_instalments:
            return Text(f"Instalments must be from 1 to {season.loans.max_instalments}.", style="yellow")
        total = total_due(amount, season.loans.interest_percent)
        start = clock.today()
        parts = schedule(total, count)
        return literal(f"Total due {format_amount(total, sign)} "
                       f"({season.loans.interest_percent}% interest, rounded down to the cent):\n"
                       + "  ".join(f"{start + timedelta(days=k)}: {format_amount(part, sign)}"
                                   for k, part in enumerate(parts, start=1)), multiline=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._grant()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "loan-ok":
            self._grant()
        else:
            self.dismiss(None)

    def _grant(self) -> None:
        borrower = self.query_one("#loan-borrower", Input).value.strip()
        amount = self.query_one("#loan-amount", Input).value.strip()
        count = self.query_one("#loan-instalments", Input).value.strip()
        error = self.query_one("#loan-error", Static)
        self.submit(lambda: loans.grant(self.db, self.actor, borrower, amount, count), self.dismiss,
                    on_error=lambda refused: error.update(refusal(refused, "red")))

    def action_back(self) -> None:
        self.dismiss(None)

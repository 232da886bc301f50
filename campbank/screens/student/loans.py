"""The student's loans: the open loan's schedule with due dates, paid and outstanding, repaying early, and
the loans before it (docs/savings.md#loans)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from campbank.core.money import format_amount
from campbank.ledger.actions import loans
from campbank.ledger.views.savings import LoanCard, SavingsCard, savings_card
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, refusal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.literal_table import LiteralTable
from campbank.widgets.live import LiveLedger


def loan_summary(card: LoanCard, sign: str) -> Text:
    """The loan in one line; amounts carry the season's currency sign, shown literally."""
    loan = card.loan
    text = literal(f"Loan #{loan.id} of {format_amount(loan.principal, sign)} on {loan.day}: ", style="bold")
    rest = (f"{format_amount(loan.total_due, sign)} due in {len(loan.schedule)} instalments, "
            f"{format_amount(loan.paid, sign)} paid")
    if loan.written_off:
        rest += f", {format_amount(loan.written_off, sign)} written off"
    rest += f", {format_amount(loan.outstanding, sign)} outstanding ({card.status})"
    return text.append_text(literal(rest))


class LoansView(LiveLedger, LedgerWork, Vertical):
    DEFAULT_CSS = """
    LoansView { padding: 0 1; }
    LoansView #loan-summary { height: auto; margin: 0 0 1 0; }
    LoansView #loan-schedule { height: auto; max-height: 10; }
    LoansView .form-row { height: auto; margin: 1 0 0 0; }
    LoansView .form-row Input { width: 16; margin: 0 1 0 0; }
    LoansView #loans-message, LoansView #loans-earlier { height: auto; margin: 1 0 0 0; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="loan-summary")
        table = LiteralTable(id="loan-schedule", cursor_type="row")
        table.add_columns("Instalment", "Due on", "Amount", "Charged", "Left", "Status")
        yield table
        with Horizontal(classes="form-row", id="repay-row"):
            yield LiteralInput(placeholder="amount", id="repay-amount", compact=True)
            yield Button("Repay early", variant="primary", id="repay", compact=True)
        yield Static("", id="loans-message")
        yield Static("", id="loans-earlier")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.fetch(lambda: savings_card(self.db, self.actor, self.actor.username), self._show)

    def _show(self, card: SavingsCard) -> None:
        sign = card.season.currency_sign
        shown = card.open_loan or (card.loans[0] if card.loans else None)
        table = self.query_one("#loan-schedule", LiteralTable)
        table.clear()
        self.query_one("#repay-row").display = card.open_loan is not None
        if shown is None:
            self.query_one("#loan-summary", Static).update("You have no loan. Staff grant loans in the office.")
            self.query_one("#loans-earlier", Static).update("")
            return
        self.query_one("#loan-summary", Static).update(loan_summary(shown, sign))
        for line in shown.lines:
            table.add_row(str(line.number), str(line.due), *(literal(format_amount(v, sign), justify="right")
                                                             for v in (line.amount, line.charged, line.left)),
                          line.status)
        earlier = [c for c in card.loans if c is not shown]
        self.query_one("#loans-earlier", Static).update(
            literal("Earlier loans: " + "; ".join(f"#{c.loan.id} {format_amount(c.loan.principal, sign)} "
                                               f"on {c.loan.day} ({c.status})" for c in earlier)) if earlier else "")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "repay":
            self.repay()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "repay-amount":
            self.repay()

    def repay(self) -> None:
        amount = self.query_one("#repay-amount", Input).value.strip()
        message = self.query_one("#loans-message", Static)
        self.submit(lambda: loans.repay(self.db, self.actor, amount), self._repaid,
                    on_error=lambda error: message.update(refusal(error, "red")))

    def _repaid(self, posted) -> None:
        self.query_one("#repay-amount", Input).value = ""
        self.query_one("#loans-message", Static).update(
            Text(f"Repaid (#{posted.id}): the last instalments are smaller now, or gone."))
        self.reload()

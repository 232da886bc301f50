"""Loans (office): every loan with what is due, paid, written off and outstanding, and the next instalment;
`l` grants one (staff too, when the season lets them), `c` cancels one before its first instalment and
`w` writes off what is left (managers; both asked for a reason kept in the audit log)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from campbank.core.money import format_amount
from campbank.ledger.actions import loans
from campbank.ledger.views.savings import LoanCard, loans_overview
from campbank.rules.savings import OFF
from campbank.screens.staff.loan_grant import LoanGrantDialog
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.literal import literal, notify
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable


class LoansPane(Pane):
    BINDINGS = [
        Binding("l", "grant", "Grant a loan", id="loans-grant"),
        Binding("c", "cancel_loan", "Cancel loan", id="loans-cancel"),
        Binding("w", "write_off", "Write off", id="loans-write-off"),
    ]
    DEFAULT_CSS = """
    LoansPane #loans-table { height: 1fr; }
    LoansPane #loans-note { color: $text-muted; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cards: tuple[LoanCard, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(self.section_title, classes="pane-title")
        table = VimTable(id="loans-table")
        table.add_columns("Loan", "Borrower", "Date", "Amount", "Due", "Paid", "Written off", "Outstanding", "Next",
                          "Status")
        yield table
        yield Static("", id="loans-note")

    def reload(self) -> None:
        self.fetch(lambda: loans_overview(self.db, self.actor), self._show)

    def _show(self, cards: tuple[LoanCard, ...]) -> None:
        self.cards = cards
        season = self.campbank.season
        sign = season.currency_sign
        table = self.query_one("#loans-table", VimTable)
        keep = table.cursor_row
        table.clear()

        def money(cents: int) -> Text:
            return literal(format_amount(cents, sign), justify="right")

        for card in cards:
            loan = card.loan
            upcoming = card.next_due
            table.add_row(f"#{loan.id}", loan.borrower, str(loan.day), money(loan.principal),
                          money(loan.total_due), money(loan.paid), money(loan.written_off), money(loan.outstanding),
                          f"{upcoming.due} {format_amount(upcoming.left, sign)}" if upcoming else "", card.status,
                          key=str(loan.id))
        if cards:
            table.move_cursor(row=min(keep, len(cards) - 1))
        outstanding = sum(card.loan.outstanding for card in cards)
        waiting = sum(1 for c in cards if c.status == "waiting")
        note = (f"{sum(1 for c in cards if c.status == 'open')} open, {format_amount(outstanding, sign)} outstanding"
                + (f", {waiting} waiting for a second manager. " if waiting else ". ")
                + "l grant · c cancel (before the first instalment) · w write off")
        if not season.loans.enabled:
            note = OFF["loans"] + ". " + note
        self.query_one("#loans-note", Static).update(literal(note))

    def _chosen(self) -> LoanCard | None:
        table = self.query_one("#loans-table", VimTable)
        if not self.cards or not 0 <= table.cursor_row < len(self.cards):
            notify(self.app, "Choose a loan in the table first.", severity="warning")
            return None
        return self.cards[table.cursor_row]

    def action_grant(self) -> None:
        self.app.push_screen(LoanGrantDialog(), self._granted)

    def _granted(self, posted) -> None:
        if posted is None:
            return
        if posted.waits:  # four eyes: say why, plainly (names in the reasons are typed text, never markup)
            sign = self.campbank.season.currency_sign
            notify(self.app, f"#{posted.id} {posted.summary(sign)}", title="Waits for a second manager",
                   severity="warning", timeout=20)
        else:
            notify(self.app, f"Loan granted (#{posted.id}).")
        self.reload()

    def action_cancel_loan(self) -> None:
        card = self._chosen()
        if card is None:
            return
        if card.status == "waiting":  # nothing was lent: its granter (or a manager) withdraws it
            question = (f"Withdraw loan #{card.loan.id} to {card.loan.borrower}? Its grant waits for a second "
                        "manager: nothing was lent, and nothing moves.")
        else:
            question = (f"Cancel loan #{card.loan.id} to {card.loan.borrower}? The grant and any early repayment "
                        "stop counting: the student gives the amount back.")

        def answer(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: loans.cancel(self.db, self.actor, card.loan.id, reason=reason),
                            lambda closed: self._after(f"Loan #{closed.loan_id} cancelled."))

        self.app.push_screen(ConfirmReason(question, title="Cancel a loan", yes="Cancel the loan"), answer)

    def action_write_off(self) -> None:
        card = self._chosen()
        if card is None:
            return
        sign = self.campbank.season.currency_sign
        question = (f"Write off the {format_amount(card.loan.outstanding, sign)} outstanding on loan #{card.loan.id} "
                    f"to {card.loan.borrower}? The bank will not get it back; no more instalments are charged.")

        def answer(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: loans.write_off(self.db, self.actor, card.loan.id, reason=reason),
                            lambda closed: self._after(f"Loan #{closed.loan_id} written off."))

        self.app.push_screen(ConfirmReason(question, title="Write off a loan", yes="Write it off"), answer)

    def _after(self, message: str) -> None:
        notify(self.app, message)
        self.reload()

"""The student's history: newest first, with the balance after each line; paged; filterable. `d` disputes the
transaction of the selected line (or opens its open dispute); the last column shows each dispute's state."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input

from campbank.core.money import format_amount
from campbank.ledger.actions import disputes
from campbank.ledger.actions.disputes import DisputeStep
from campbank.ledger.views.accounts import HistoryLine, history
from campbank.ledger.views.disputes import DisputeLine, my_disputes
from campbank.screens.disputes.dialog import DisputeDialog
from campbank.screens.disputes.student import state_cell
from campbank.screens.disputes.thread import DisputeThreadScreen
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.literal_table import LiteralTable
from campbank.widgets.live import LiveLedger

PAGE = 50


def described(line: HistoryLine) -> str:
    """The description, with the other side of a transfer and, on a reversal, who cancelled it and why."""
    what = line.description
    if line.type == "p2p" and line.counterpart:
        sent = (line.amount < 0) != line.reverses
        what = f"{'to' if sent else 'from'} {line.counterpart}: {what}"
    if line.reverses:
        what = f"{line.decision or 'cancelled'} — {what}"
    return what


class HistoryView(LiveLedger, LedgerWork, Vertical):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("m", "more", "Older", id="more"),
        Binding("d", "dispute", "Dispute this", id="dispute"),
    ]
    DEFAULT_CSS = """
    HistoryView #history-filter { display: none; }
    HistoryView #history-filter.shown { display: block; }
    HistoryView DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[HistoryLine] = []
        self.complete = False
        self.disputes: dict[int, DisputeLine] = {}
        """The newest dispute about each transaction, by transaction id."""

    def compose(self) -> ComposeResult:
        yield LiteralInput(placeholder="filter: type part of a description or type, Enter", id="history-filter")
        table = LiteralTable(id="history", cursor_type="row", zebra_stripes=True)
        # what a student looks for first (how much, and what is left) before the words, so that 80 columns show it
        table.add_columns("Date", "Amount", "Balance", "Type", "Description", "Dispute")
        yield table

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        """The newest page again (the lines shown stay until it comes), and the disputes."""
        self._load(first=True)
        self.fetch(lambda: my_disputes(self.db, self.actor), self._disputes_loaded, group="history-disputes")

    def _disputes_loaded(self, lines: list[DisputeLine]) -> None:
        self.disputes = {}
        for line in reversed(lines):  # oldest first, so the newest dispute of a transaction wins
            if line.transaction_id is not None:
                self.disputes[line.transaction_id] = line
        self._fill_table()

    def action_more(self) -> None:
        if not self.complete and self.lines:
            self._load(first=False)

    def _load(self, *, first: bool) -> None:
        before = None if first else self.lines[-1].journal_id
        self.fetch(lambda: history(self.db, self.actor, self.actor.username, limit=PAGE, before_id=before),
                   lambda page: self._add(page, first=first))

    def _add(self, page: list[HistoryLine], *, first: bool) -> None:
        self.lines = page if first else self.lines + page
        self.complete = len(page) < PAGE
        self._fill_table()

    def _fill_table(self) -> None:
        sign = self.campbank.season.currency_sign
        needle = self.query_one("#history-filter", Input).value.strip().casefold()
        table = self.query_one("#history", LiteralTable)
        table.keep_place()  # the cursor stays on its line when the disputes or a filter fill the table again
        table.clear()
        for line in self.lines:
            text = f"{line.type} {line.money_type} {described(line)}".casefold()
            if needle and needle not in text:
                continue
            kind = self.campbank.season.money_types.get(line.money_type)
            dispute = self.disputes.get(line.transaction_id)
            table.add_row(f"{line.day:%m-%d}", Text(format_amount(line.amount, sign), justify="right",
                                                     style="red" if line.amount < 0 else ""),
                          Text(format_amount(line.balance_after, sign), justify="right"),
                          kind.label if kind else line.money_type, Text(described(line)),
                          state_cell(dispute) if dispute else "", key=str(line.journal_id))
        if not self.complete:
            table.add_row("", "", "", "", "… press m for older lines", "")

    def action_filter(self) -> None:
        box = self.query_one("#history-filter", Input)
        box.add_class("shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "history-filter":
            self._fill_table()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "history-filter":
            self.query_one("#history", DataTable).focus()

    def action_dispute(self) -> None:
        table = self.query_one("#history", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        line = next((each for each in self.lines if str(each.journal_id) == key), None)
        if line is None:
            return
        dispute = self.disputes.get(line.transaction_id)
        if dispute is not None and dispute.is_open:
            self.app.push_screen(DisputeThreadScreen(dispute.id), lambda _: self.reload())
            return
        sign = self.campbank.season.currency_sign
        kind = self.campbank.season.money_types.get(line.money_type)
        about = Text(f"#{line.transaction_id}, {line.day}: {kind.label if kind else line.money_type}, ")
        about.append(format_amount(line.amount, sign), style="green" if line.amount > 0 else "red")
        about.append(f" — {line.description}" if line.description else "")

        def answered(text: str | None) -> None:
            if text is not None:
                self.submit(lambda: disputes.open_dispute(self.db, self.actor, text,
                                                          transaction_id=line.transaction_id), self._disputed)

        self.app.push_screen(DisputeDialog(f"Dispute #{line.transaction_id}", about), answered)

    def _disputed(self, step: DisputeStep) -> None:
        self.notify(f"Dispute #{step.dispute_id} sent; the answers show under Disputes.", title="Sent")
        self.reload()

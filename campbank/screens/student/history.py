"""The student's history: newest first, with the balance after each line; paged; filterable."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input

from campbank.core.money import format_amount
from campbank.ledger.views.accounts import HistoryLine, history
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.literal_table import LiteralTable

PAGE = 50


class HistoryView(LedgerWork, Vertical):
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("m", "more", "Older", id="more"),
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

    def compose(self) -> ComposeResult:
        yield LiteralInput(placeholder="filter: type part of a description or type, Enter", id="history-filter")
        table = LiteralTable(id="history", cursor_type="row", zebra_stripes=True)
        table.add_columns("Date", "Type", "Description", "Amount", "Balance")
        yield table

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.lines, self.complete = [], False
        self._load()

    def action_more(self) -> None:
        if not self.complete:
            self._load()

    def _load(self) -> None:
        before = self.lines[-1].journal_id if self.lines else None

        self.fetch(lambda: history(self.db, self.actor, self.actor.username, limit=PAGE, before_id=before), self._add)

    def _add(self, page: list[HistoryLine]) -> None:
        self.lines.extend(page)
        self.complete = len(page) < PAGE
        self._fill_table()

    def _fill_table(self) -> None:
        sign = self.campbank.season.currency_sign
        needle = self.query_one("#history-filter", Input).value.strip().casefold()
        table = self.query_one("#history", DataTable)
        table.clear()
        for line in self.lines:
            text = f"{line.type} {line.money_type} {line.description}".casefold()
            if needle and needle not in text:
                continue
            what = ("cancelled: " if line.reverses else "") + line.description
            kind = self.campbank.season.money_types.get(line.money_type)
            table.add_row(str(line.day), kind.label if kind else line.money_type, what,
                          format_amount(line.amount, sign), format_amount(line.balance_after, sign))
        if not self.complete:
            table.add_row("", "", "… press m for older lines", "", "")

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

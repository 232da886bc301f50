"""Anyone's money history as the manager sees it: newest day first, the balance after each line, who was
on the other side of each (for a staff member: who received it), paged.

`queries.history` checks that the viewer may see the account; `m` (or moving past the last row)
reads the next older page; Enter opens the transaction of a line.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from campbank.core.money import format_amount
from campbank.ledger.views.accounts import (
    BalanceRow,
    HistoryLine,
    balance_and_history,
    history,
)
from campbank.screens.manager.transaction_detail import TransactionDetailScreen
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import assemble
from campbank.widgets.live import LiveLedger
from campbank.widgets.vim_table import VimTable
from campbank.widgets.when import when

PAGE = 100


class AccountHistoryScreen(LiveLedger, LedgerWork, Screen[None]):
    BINDINGS = [
        Binding("escape,left,q", "back", "Back", id="history-back"),
        Binding("m", "more", "Older", id="history-more"),
        Binding("f5", "reload", "Refresh", id="history-refresh"),
    ]
    DEFAULT_CSS = """
    AccountHistoryScreen #history-head { padding: 0 1; height: auto; }
    AccountHistoryScreen #history-table { height: 1fr; }
    """

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username
        self.lines: list[HistoryLine] = []
        self.complete = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="history-head")
        table = VimTable(id="history-table", edges=True)
        table.add_columns("Day", "#", "Amount", "Balance", "With", "Type", "Money type", "Description", "Entered")
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"History of {self.username}"
        self.action_reload()

    def action_reload(self) -> None:
        self.lines, self.complete = [], False
        username = self.username

        self.fetch(lambda: balance_and_history(self.db, self.actor, username, limit=PAGE), self._first)

    def _first(self, result: tuple[BalanceRow, list[HistoryLine]]) -> None:
        row, lines = result
        sign = self.campbank.season.currency_sign
        self.query_one("#history-head", Static).update(assemble(
            (row.full_name, "bold"), f" ({row.username}, {row.role}{'' if row.active else ', inactive'})   balance ",
            (format_amount(row.balance, sign), "bold")))
        self.query_one("#history-table", VimTable).clear()
        self._add(lines)

    def action_more(self) -> None:
        if self.complete or not self.lines:
            return
        before, username = self.lines[-1].journal_id, self.username

        self.fetch(lambda: history(self.db, self.actor, username, limit=PAGE, before_id=before), self._add)

    def _add(self, lines: list[HistoryLine]) -> None:
        sign = self.campbank.season.currency_sign
        table = self.query_one("#history-table", VimTable)
        if "more" in table.rows:
            table.remove_row("more")
        for line in lines:
            what = line.description or line.money_type
            if line.reverses:
                what = f"{line.decision or 'cancelled'} — {what}"
            table.add_row(f"{line.day:%m-%d}", Text(str(line.transaction_id), justify="right"),
                          Text(format_amount(line.amount, sign), justify="right",
                               style="red" if line.amount < 0 else ""),
                          Text(format_amount(line.balance_after, sign), justify="right"),
                          Text(line.counterpart), line.type, line.money_type,
                          Text(what, style="dim" if line.reverses else ""), when(line.at),
                          key=str(line.journal_id))
        self.lines.extend(lines)
        self.complete = len(lines) < PAGE
        if not self.complete:
            table.add_row("", "", "", "", "", "", "", Text("… m (or j past here) for older lines", style="dim"), "",
                          key="more")

    def on_vim_table_edge(self, event: VimTable.Edge) -> None:
        event.stop()
        if event.step > 0:
            self.action_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value == "more":
            self.action_more()
            return
        row = event.data_table.get_row(event.row_key)
        self.app.push_screen(TransactionDetailScreen(int(str(row[1]))), self._back)

    def _back(self, changed: bool | None) -> None:
        if changed:
            self.action_reload()

    def action_back(self) -> None:
        self.dismiss(None)

"""Staff balances (managers): what each staff member has issued (net), and how many transactions.

A staff balance goes negative as they issue money (every entry moves value from its creator), so the
table shows "net issued" = minus the balance. Enter opens that person's history.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from campbank.core.money import format_amount
from campbank.ledger.views.staff import StaffLine, staff_report
from campbank.screens.manager.account_history import AccountHistoryScreen
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable


class StaffPane(Pane):

    DEFAULT_CSS = """
    StaffPane #staff-table { height: 1fr; }
    StaffPane #staff-note { color: $text-muted; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static(self.section_title, classes="pane-title")
        table = VimTable(id="staff-table")
        table.add_columns("Username", "Name", "Role", "Net issued", "Issued", "Charged", "Transactions",
                          "Counting", "Balance")
        yield table
        yield Static("Net issued = −balance. Issued/Charged: counted entries they made. Enter: history.",
                     id="staff-note")

    def reload(self) -> None:
        self.fetch(lambda: staff_report(self.db, self.actor, include_bank=True), self._show)

    def _show(self, lines: tuple[StaffLine, ...]) -> None:
        sign = self.campbank.season.currency_sign
        table = self.query_one("#staff-table", VimTable)
        keep = table.cursor_row
        table.clear()

        def money(cents: int) -> Text:
            return Text(format_amount(cents, sign), justify="right", style="red" if cents < 0 else "")

        def count(n: int) -> Text:
            return Text(f"{n:,}", justify="right")

        for line in lines:
            dim = "" if line.active else "dim"
            table.add_row(Text(line.username, style=dim), Text(line.full_name, style=dim),
                          line.role + ("" if line.active else " (inactive)"), money(line.net_issued),
                          money(line.issued), money(line.charged), count(line.transactions),
                          count(line.processed), money(line.balance), key=line.username)
        totals = [Text("Total"), Text(f"{len(lines)} accounts"), Text(""),
                  money(sum(x.net_issued for x in lines)), money(sum(x.issued for x in lines)),
                  money(sum(x.charged for x in lines)), count(sum(x.transactions for x in lines)),
                  count(sum(x.processed for x in lines)), money(sum(x.balance for x in lines))]
        for cell in totals:
            cell.stylize("bold")
        table.add_row(*totals, key="")
        if lines:
            table.move_cursor(row=min(keep, len(lines) - 1))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.app.push_screen(AccountHistoryScreen(event.row_key.value))

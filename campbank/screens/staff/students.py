"""Office section "Students": everyone by squad and surname with balances; `/` searches, `s` picks a squad,
`b` (or a click on "Balance") sorts by balance — lowest first, then highest first, then back to the roster
order; Enter drills down."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static

from campbank.core.money import format_amount
from campbank.ledger.views.accounts import BalanceRow
from campbank.ledger.views.students import student_list
from campbank.screens.staff.student_detail import StudentDetailScreen
from campbank.widgets.literal import literal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable

ALL = "*"
ORDERS = ("roster", "lowest", "highest")
ORDER_NOTE = {"roster": "", "lowest": ", lowest balance first", "highest": ", highest balance first"}


def balance_style(balance: int, danger: int, warning: int) -> str:
    if balance <= danger:
        return "bold red"
    if balance < warning:
        return "yellow"
    return ""


def shown(rows: list[BalanceRow], text: str, squad: str) -> list[BalanceRow]:
    words = text.casefold().lstrip("/").split()  # "/" opens the search; typed into it, it means nothing
    return [r for r in rows
            if (squad == ALL or r.squad == squad)
            and all(w in r.full_name.casefold() or w in r.username.casefold() for w in words)]


class StudentsPane(Pane):

    BINDINGS = [
        Binding("slash", "search", "Search", id="students-search"),
        Binding("s", "squad", "Squad", id="students-squad"),
        Binding("b", "sort_balance", "Sort by balance", id="students-sort-balance"),
        Binding("escape", "clear_search", "Clear search", id="students-clear", show=False),
    ]
    DEFAULT_CSS = """
    StudentsPane #students-bar { height: 1; margin: 0 0 1 0; }
    StudentsPane #students-search { width: 1fr; min-width: 16; }
    StudentsPane #students-squad { width: 18; margin: 0 0 0 1; }
    StudentsPane #students-count { width: auto; margin: 0 0 0 2; color: $text-muted; }
    StudentsPane #students-table { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[BalanceRow] = []
        self.order = "roster"
        """How the rows are sorted: the roster's order (squad, surname), or by balance either way."""

    def compose(self) -> ComposeResult:
        yield Static("Students", classes="pane-title")
        with Horizontal(id="students-bar"):
            yield LiteralInput(placeholder="/ search a name", id="students-search", compact=True)
            squads = [(literal(s), s) for s in self.campbank.season.squads]
            yield Select([("All squads", ALL), *squads], value=ALL, allow_blank=False, id="students-squad",
                         compact=True)
            yield Static("", id="students-count")
        yield VimTable(id="students-table")

    def on_mount(self) -> None:
        table = self.query_one("#students-table", DataTable)
        table.add_column("Squad", key="squad")
        table.add_column("Name", key="name")
        table.add_column("Balance", key="balance")
        table.add_column("Grade", key="grade")
        table.add_column("Cert.", key="certificates")
        table.add_column("Username", key="username")

    def reload(self) -> None:
        self.fetch(lambda: student_list(self.db, self.actor), self._loaded)

    def _loaded(self, rows: list[BalanceRow]) -> None:
        self.rows = rows
        self._show()

    def _show(self) -> None:
        table = self.query_one("#students-table", DataTable)
        text = self.query_one("#students-search", Input).value
        squad = self.query_one("#students-squad", Select).value
        season = self.campbank.season
        sign = season.currency_sign
        selected = None
        if table.row_count:
            selected = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        rows = shown(self.rows, text, str(squad))
        if self.order != "roster":  # ties keep the roster's order (a stable sort)
            rows = sorted(rows, key=lambda r: r.balance, reverse=self.order == "highest")
        for row in rows:
            style = balance_style(row.balance, season.balance_danger, season.balance_warning)
            table.add_row(
                row.squad or "", Text(row.full_name, style=style),
                Text(format_amount(row.balance, sign), style=style, justify="right"),
                Text(str(row.grade or ""), justify="right"),
                Text(format_amount(row.certificates, sign) if row.certificates else "", justify="right"),
                Text(row.username, style="dim"), key=row.username,
            )
        if selected is not None and selected in {r.username for r in rows}:
            table.move_cursor(row=table.get_row_index(selected))
        danger = sum(1 for r in rows if r.balance <= season.balance_danger)
        self.query_one("#students-count", Static).update(
            f"{len(rows)}/{len(self.rows)}, {danger} in danger{ORDER_NOTE[self.order]}")

    def action_sort_balance(self) -> None:
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        self._show()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        if event.column_key.value == "balance":
            self.action_sort_balance()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "students-search":
            self._show()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "students-search":
            self.query_one("#students-table", DataTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "students-squad" and self.rows:
            self._show()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "students-table" and event.row_key.value:
            self.app.push_screen(StudentDetailScreen(event.row_key.value), lambda _: self.reload())

    def action_search(self) -> None:
        self.query_one("#students-search", Input).focus()

    def action_squad(self) -> None:
        select = self.query_one("#students-squad", Select)
        select.focus()
        select.action_show_overlay()

    def action_clear_search(self) -> None:
        box = self.query_one("#students-search", Input)
        if box.value:
            box.value = ""
        self.query_one("#students-table", DataTable).focus()

"""Office section "My transactions": what I created, newest first; alter, use as a template, or cancel."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from campbank.core.enums import State
from campbank.core.money import format_amount
from campbank.ledger.actions import posting, states
from campbank.ledger.actions.posting import Posted
from campbank.ledger.actions.states import Changed
from campbank.ledger.views.my_transactions import PAGE, MyTransaction, my_transactions
from campbank.screens.manager.transaction_detail import TransactionDetailScreen
from campbank.screens.staff.transaction_form import TransactionFormScreen
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.literal import notify
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable

STATE_STYLE = {State.PROCESSED: "green", State.CREATED: "yellow", State.DECLINED: "red", State.SUBSTITUTED: "dim"}


class MyTransactionsPane(Pane):

    BINDINGS = [
        Binding("a", "alter", "Alter", id="mine-alter"),
        Binding("t", "template", "Template", id="mine-template"),
        Binding("c", "cancel_transaction", "Cancel txn", id="mine-cancel"),
        Binding("m", "more", "More", id="mine-more"),
        Binding("enter", "open", "Open", id="mine-open", show=True),
    ]
    DEFAULT_CSS = """
    MyTransactionsPane #mine-table { height: 1fr; }
    MyTransactionsPane #mine-note { height: 1; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[MyTransaction] = []
        self.has_more = False

    def compose(self) -> ComposeResult:
        yield Static("My transactions", classes="pane-title")
        yield VimTable(id="mine-table", edges=True)
        yield Static("", id="mine-note")

    def on_mount(self) -> None:
        table = self.query_one("#mine-table", DataTable)
        for label in ("#", "Date", "Type", "Total", "Stud.", "State", "Description"):
            table.add_column(label, key=label)

    def reload(self) -> None:
        self.fetch(lambda: my_transactions(self.db, self.actor, limit=PAGE + 1), self._loaded)

    def _loaded(self, rows: list[MyTransaction]) -> None:
        table = self.query_one("#mine-table", DataTable)
        keep = self.selected()
        table.clear()
        self.rows = []
        self._add(rows)
        if keep is not None and any(r.id == keep.id for r in self.rows):
            table.move_cursor(row=table.get_row_index(str(keep.id)))

    def _add(self, rows: list[MyTransaction]) -> None:
        self.has_more = len(rows) > PAGE
        rows = rows[:PAGE]
        table = self.query_one("#mine-table", DataTable)
        sign = self.campbank.season.currency_sign
        for row in rows:
            description = row.description + (f" (replaces #{row.update_of})" if row.update_of else "")
            if row.decision:
                description += f" — {row.decision}"
            state = row.decision.split(" by ", 1)[0] if row.decision else row.state
            table.add_row(
                Text(f"#{row.id}", justify="right"), f"{row.day:%m-%d}", row.label,
                Text(format_amount(row.total, sign), justify="right"), Text(str(row.recipients), justify="right"),
                Text(state, style=STATE_STYLE.get(State(row.state), "")), Text(description), key=str(row.id),
            )
        self.rows.extend(rows)
        more = " — m for older ones" if self.has_more else ""
        self.query_one("#mine-note", Static).update(f"{len(self.rows)} shown, newest first{more}")

    def on_vim_table_edge(self, event: VimTable.Edge) -> None:
        if event.step > 0:
            self.action_more()

    def action_more(self) -> None:
        if not self.has_more or not self.rows:
            return
        before = self.rows[-1].id
        self.fetch(lambda: my_transactions(self.db, self.actor, limit=PAGE + 1, before_id=before), self._add,
                   group="more")

    def selected(self) -> MyTransaction | None:
        table = self.query_one("#mine-table", DataTable)
        if not table.row_count or not self.rows:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if str(r.id) == key), None)

    # -- actions --------------------------------------------------------------------------------

    def action_alter(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.state != State.PROCESSED:
            notify(self, f"#{row.id} is {row.state}; only a processed transaction can be altered", severity="warning")
            return
        self._open(row, alter=True)

    def action_template(self) -> None:
        row = self.selected()
        if row is not None:
            self._open(row, alter=False)

    def _open(self, row: MyTransaction, *, alter: bool) -> None:
        def opened(payload: dict[str, Any]) -> None:
            rule_type = str(payload.pop("type", row.type))
            screen = (TransactionFormScreen(rule_type, payload=payload, alter_of=row.id) if alter
                      else TransactionFormScreen(rule_type, payload=payload, template_of=row.id))
            self.app.push_screen(screen, self._back)

        self.fetch(lambda: posting.template(self.db, self.actor, row.id), opened, group="template")

    def _back(self, posted: Posted | None) -> None:
        self.reload()
        self.query_one("#mine-table", DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # Enter on a row (the table takes Enter itself, before the pane's binding)
        self.action_open()

    def action_open(self) -> None:
        """The transaction with every entry, who received what (and, once declined, who and why)."""
        row = self.selected()
        if row is not None:
            self.app.push_screen(TransactionDetailScreen(row.id), lambda _changed: self.reload())

    def action_cancel_transaction(self) -> None:
        row = self.selected()
        if row is None:
            return
        sign = self.campbank.season.currency_sign
        body = (f"{row.label} of {row.day}, {row.recipients} recipients, total {format_amount(row.total, sign)}.\n"
                "Its entries stop counting; the history shows the reversal.")

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: states.cancel(self.db, self.actor, row.id, reason=reason), self._cancelled)

        self.app.push_screen(ConfirmReason(body, title=f"Cancel #{row.id}?", yes="Cancel it", no="Keep",
                                           required=True), answered)

    def _cancelled(self, changed: Changed) -> None:
        notify(self, f"#{changed.id} cancelled ({changed.old_state} → {changed.state})", title="Cancelled")
        self.reload()

"""Transactions waiting for a second manager (four eyes): why each waits; a manager other than its creator
approves it (`a`, re-checked by the ledger) or rejects it with a reason (`r`). Shown in the Approvals section."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from campbank.core.errors import CampBankError
from campbank.core.money import format_amount
from campbank.ledger.actions import states
from campbank.ledger.actions.states import Changed
from campbank.ledger.views.held import HeldTransaction, held_transactions
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.vim_table import VimTable


class HeldTransactions(LedgerWork, Vertical):
    BINDINGS = [
        Binding("a", "approve", "Approve", id="held-approve"),
        Binding("r", "reject", "Reject", id="held-reject"),
    ]
    DEFAULT_CSS = """
    HeldTransactions { height: 1fr; }
    HeldTransactions .held-title { text-style: bold; color: $accent; padding: 1 0 0 0; }
    HeldTransactions #held-table { height: 1fr; }
    HeldTransactions #held-note { height: auto; max-height: 3; color: $text-muted; }
    HeldTransactions #held-note.refused { color: $error; }
    """

    def __init__(self) -> None:
        super().__init__(id="held")
        self.rows: list[HeldTransaction] = []
        """What the table shows, oldest first."""

    def compose(self) -> ComposeResult:
        yield Static("Waiting for a second manager", classes="held-title")
        yield VimTable(id="held-table")
        yield Static("", id="held-note")

    def on_mount(self) -> None:
        table = self.query_one("#held-table", DataTable)
        for label in ("#", "Created by", "Type", "Amount", "People", "Why it waits", "Description"):
            table.add_column(label, key=label)

    def reload(self) -> None:
        self.fetch(lambda: held_transactions(self.db, self.actor), self._loaded, group="held")

    def _loaded(self, rows: list[HeldTransaction]) -> None:
        self.rows = rows
        table = self.query_one("#held-table", DataTable)
        keep = self.selected()
        table.clear()
        sign = self.campbank.season.currency_sign
        for row in rows:
            table.add_row(
                Text(f"#{row.id}", justify="right"), Text(row.creator_name), Text(row.label),
                Text(format_amount(row.total, sign), justify="right"), Text(str(row.recipients), justify="right"),
                Text("; ".join(row.reasons), style="yellow"), Text(row.description), key=str(row.id),
            )
        if keep is not None and any(r.id == keep.id for r in rows):
            table.move_cursor(row=table.get_row_index(str(keep.id)))
        note = self.query_one("#held-note", Static)
        note.remove_class("refused")
        mine = "" if self.actor.role == "manager" else "  A manager other than its creator decides each."
        note.update(Text((f"{len(rows)} waiting." if rows else "Nothing waits for a second manager.") + mine))

    def selected(self) -> HeldTransaction | None:
        table = self.query_one("#held-table", DataTable)
        if not table.row_count or not self.rows:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if str(r.id) == key), None)

    def action_approve(self) -> None:
        row = self.selected()
        if row is not None:
            self.submit(lambda: states.approve(self.db, self.actor, row.id, reason="approved in the office"),
                        self._decided, on_error=lambda error: self._refused(row, error))

    def action_reject(self) -> None:
        row = self.selected()
        if row is None:
            return
        sign = self.campbank.season.currency_sign
        question = (f"#{row.id} {row.label} by {row.creator_name}, {format_amount(row.total, sign)} to "
                    f"{row.recipients} people: {row.description}\nIt waits because {'; '.join(row.reasons)}.")

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: states.reject(self.db, self.actor, row.id, reason=reason), self._decided,
                            on_error=lambda error: self._refused(row, error))

        self.app.push_screen(ConfirmReason(question, title=f"Reject #{row.id}?", yes="Reject", no="Keep waiting",
                                           placeholder="why (required: its creator reads it)"), answered)

    def _decided(self, changed: Changed) -> None:
        verb = "approved: its entries count now" if changed.state == "processed" else "rejected"
        self.notify(f"#{changed.id} {verb}", title="Second manager")
        self.reload()

    def _refused(self, row: HeldTransaction, error: CampBankError) -> None:
        note = self.query_one("#held-note", Static)
        note.add_class("refused")
        note.update(Text(f"#{row.id} not decided: {error.message}"))
        self.show_refusal(error)

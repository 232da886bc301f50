"""Office section "Approvals": students' transfer requests; approve (the balance is checked again) or reject.
Below them, staff transactions waiting for a second manager (`held.HeldTransactions`)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from campbank.core.errors import CampBankError
from campbank.core.money import format_amount
from campbank.ledger.actions import states
from campbank.ledger.actions.states import Changed
from campbank.ledger.views.transfers import PendingTransfer, pending_transfers
from campbank.screens.staff.held import HeldTransactions
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.literal import literal, notify
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable


class ApprovalsPane(Pane):

    BINDINGS = [
        Binding("a", "approve", "Approve", id="approvals-approve"),
        Binding("r", "reject", "Reject", id="approvals-reject"),
    ]
    DEFAULT_CSS = """
    ApprovalsPane #approvals-table { height: 1fr; }
    ApprovalsPane #approvals-note { height: auto; max-height: 4; color: $text-muted; }
    ApprovalsPane #approvals-note.refused { color: $error; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[PendingTransfer] = []
        self.refusals: dict[int, str] = {}
        """Why approving a request was refused, by transaction id (shown until it is decided)."""

    def compose(self) -> ComposeResult:
        yield Static("Transfers waiting for approval", classes="pane-title")
        yield VimTable(id="approvals-table")
        yield Static("", id="approvals-note")
        yield HeldTransactions()

    def on_mount(self) -> None:
        table = self.query_one("#approvals-table", DataTable)
        for label in ("#", "From", "Amount", "Balance now", "To", "Comment", "Note"):
            table.add_column(label, key=label)

    def reload(self) -> None:
        self.fetch(lambda: pending_transfers(self.db, self.actor), self._loaded)
        self.query_one(HeldTransactions).reload()

    def _loaded(self, rows: list[PendingTransfer]) -> None:
        self.rows = rows
        self.refusals = {k: v for k, v in self.refusals.items() if any(r.id == k for r in rows)}
        table = self.query_one("#approvals-table", DataTable)
        keep = self.selected()
        table.clear()
        sign = self.campbank.season.currency_sign
        for row in rows:
            short = "" if row.covered else "balance too low"
            note = self.refusals.get(row.id, short)
            table.add_row(
                Text(f"#{row.id}", justify="right"), row.sender_name,
                Text(format_amount(row.amount, sign), justify="right"),
                Text(format_amount(row.sender_balance, sign), style="" if row.covered else "bold red", justify="right"),
                row.receiver_name, row.comment, Text(note, style="red"), key=str(row.id),
            )
        if keep is not None and any(r.id == keep.id for r in rows):
            table.move_cursor(row=table.get_row_index(str(keep.id)))
        status = self.query_one("#approvals-note", Static)
        if not self.refusals:
            status.remove_class("refused")
            status.update(f"{len(rows)} waiting" if rows else "Nothing waiting.")

    def selected(self) -> PendingTransfer | None:
        table = self.query_one("#approvals-table", DataTable)
        if not table.row_count or not self.rows:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if str(r.id) == key), None)

    def action_approve(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.submit(lambda: states.approve(self.db, self.actor, row.id), self._decided,
                    on_error=lambda error: self._refused(row, error))

    def action_reject(self) -> None:
        row = self.selected()
        if row is None:
            return
        sign = self.campbank.season.currency_sign
        body = f"{row.sender_name} → {row.receiver_name}, {format_amount(row.amount, sign)}: {row.comment}"

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: states.reject(self.db, self.actor, row.id, reason=reason),
                            self._decided, on_error=lambda error: self._refused(row, error))

        self.app.push_screen(ConfirmReason(body, title=f"Reject request #{row.id}?", yes="Reject", no="Keep",
                                           required=True), answered)

    def _decided(self, changed: Changed) -> None:
        verb = "approved" if changed.state == "processed" else "rejected"
        notify(self, f"#{changed.id} {verb}", title="Transfer")
        self.refusals.pop(changed.id, None)
        self.reload()

    def _refused(self, row: PendingTransfer, error: CampBankError) -> None:
        self.refusals[row.id] = error.message
        note = self.query_one("#approvals-note", Static)
        note.add_class("refused")
        note.update(literal(f"#{row.id} not approved: {error.message}", multiline=True))
        self.show_refusal(error)
        self.reload()

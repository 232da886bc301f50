"""The student's "My disputes" tab: every dispute with its state and newest answer; Enter reads the thread,
`n` asks a general question. (Disputing one transaction starts from the History tab, key `d`.)"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from campbank.ledger.actions import disputes
from campbank.ledger.actions.disputes import DisputeStep
from campbank.ledger.views.disputes import DisputeLine, my_disputes
from campbank.screens.disputes.dialog import DisputeDialog
from campbank.screens.disputes.thread import DisputeThreadScreen, outcome_of
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.live import LiveLedger
from campbank.widgets.vim_table import VimTable
from campbank.widgets.when import when


def state_cell(line: DisputeLine) -> Text:
    label, style = outcome_of(line)
    return Text(label.split(":")[0] if not line.is_open else label, style=style)


class MyDisputesView(LiveLedger, LedgerWork, Vertical):
    BINDINGS = [
        Binding("n", "ask", "Ask a question", id="disputes-ask"),
        Binding("enter", "open", "Read", id="disputes-open", show=False),
    ]
    DEFAULT_CSS = """
    MyDisputesView #my-disputes { height: 1fr; }
    MyDisputesView #my-disputes-note { height: auto; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[DisputeLine] = []
        """The student's disputes, newest first."""
        self.wanted: int | None = None
        """A dispute to put the cursor on when the list is next shown (the one just asked)."""

    def compose(self) -> ComposeResult:
        yield VimTable(id="my-disputes")
        yield Static("", id="my-disputes-note")

    def on_mount(self) -> None:
        table = self.query_one("#my-disputes", DataTable)
        for label in ("#", "About", "Opened", "State", "Your question"):
            table.add_column(label, key=label)
        self.reload()

    def reload(self) -> None:
        self.fetch(lambda: my_disputes(self.db, self.actor), self._show, group="my-disputes")

    def _show(self, lines: list[DisputeLine]) -> None:
        self.lines = lines
        wanted, self.wanted = self.wanted, None
        table = self.query_one("#my-disputes", VimTable)
        table.clear()
        if wanted is not None:
            table.forget_place()  # not where the cursor was when the question went in: on the question
        for line in lines:
            about = f"#{line.transaction_id}" if line.transaction_id else "question"
            table.add_row(Text(f"#{line.id}", justify="right"), about, when(line.opened_at),
                          state_cell(line), Text(line.subject), key=str(line.id))
        if wanted is not None and str(wanted) in table.rows:
            table.move_cursor(row=table.get_row_index(str(wanted)))
        note = ("Enter reads a dispute and every answer; n asks a general question; to dispute a transaction, "
                "press d on it in History.")
        self.query_one("#my-disputes-note", Static).update(note if lines else "No disputes. " + note)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "my-disputes" and event.row_key.value:
            event.stop()
            self.app.push_screen(DisputeThreadScreen(int(event.row_key.value)), lambda _: self.reload())

    def action_open(self) -> None:
        table = self.query_one("#my-disputes", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key:
                self.app.push_screen(DisputeThreadScreen(int(key)), lambda _: self.reload())

    def action_ask(self) -> None:
        def answered(text: str | None) -> None:
            if text is not None:
                self.submit(lambda: disputes.open_dispute(self.db, self.actor, text), self._opened)

        self.app.push_screen(DisputeDialog("Ask the bank a question", "Staff answer here; you will see every answer.",
                                           placeholder="Your question"), answered)

    def _opened(self, step: DisputeStep) -> None:
        self.notify(f"Dispute #{step.dispute_id} sent. Staff will answer here.", title="Sent")
        self.wanted = step.dispute_id
        self.reload()

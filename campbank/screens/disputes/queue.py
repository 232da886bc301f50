"""Office section "Disputes": students' disputes, the open ones first (oldest first), then the closed ones.
Enter reads one and answers it, resolves it or rejects it (`thread.DisputeThreadScreen`)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from campbank.ledger.views.disputes import DisputeLine, dispute_queue
from campbank.screens.disputes.student import state_cell
from campbank.screens.disputes.thread import DisputeThreadScreen
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable
from campbank.widgets.when import when


class DisputesPane(Pane):

    BINDINGS = [
        Binding("c", "toggle_closed", "Show/hide closed", id="disputes-closed"),
        Binding("enter", "open", "Read and answer", id="disputes-read", show=False),
    ]
    DEFAULT_CSS = """
    DisputesPane #disputes-table { height: 1fr; }
    DisputesPane #disputes-note { height: auto; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[DisputeLine] = []
        """The queue on screen."""
        self.show_closed = True
        """Whether resolved and rejected disputes are listed below the open ones."""

    def compose(self) -> ComposeResult:
        yield Static("Disputes: open first, oldest first", classes="pane-title")
        yield VimTable(id="disputes-table")
        yield Static("", id="disputes-note")

    def on_mount(self) -> None:
        table = self.query_one("#disputes-table", DataTable)
        for label in ("#", "Student", "Squad", "About", "Opened", "State", "Msgs", "Question"):
            table.add_column(label, key=label)

    def reload(self) -> None:
        closed = self.show_closed
        self.fetch(lambda: dispute_queue(self.db, self.actor, include_closed=closed), self._show)

    def _show(self, lines: list[DisputeLine]) -> None:
        self.lines = lines
        table = self.query_one("#disputes-table", DataTable)
        table.clear()
        for line in lines:
            about = f"#{line.transaction_id}" if line.transaction_id else "question"
            table.add_row(Text(f"#{line.id}", justify="right"), Text(line.student_name), Text(line.squad or "-"),
                          about, when(line.opened_at), state_cell(line),
                          Text(str(line.messages), justify="right"), Text(line.subject), key=str(line.id))
        waiting = sum(1 for line in lines if line.is_open)
        unanswered = sum(1 for line in lines if line.is_open and not line.answered)
        self.query_one("#disputes-note", Static).update(
            f"{waiting} open ({unanswered} not answered yet). Enter reads and answers one; c shows or hides "
            "the closed ones.")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "disputes-table" and event.row_key.value:
            event.stop()
            self.app.push_screen(DisputeThreadScreen(int(event.row_key.value)), lambda _: self.reload())

    def action_open(self) -> None:
        table = self.query_one("#disputes-table", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key:
                self.app.push_screen(DisputeThreadScreen(int(key)), lambda _: self.reload())

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.reload()

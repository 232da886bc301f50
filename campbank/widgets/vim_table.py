"""A DataTable with the keys finance people expect in a terminal list: j/k, g/G, and page edges.

`VimTable` adds vim movement to a `LiteralTable` (cells shown literally). Moving past the last row (or
above the first) posts `VimTable.Edge`, so a table that shows one page of a long list in SQL can fetch the
next (or previous) page.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message

from campbank.widgets.literal_table import LiteralTable


class VimTable(LiteralTable):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="table-down"),
        Binding("k", "cursor_up", "Up", show=False, id="table-up"),
        Binding("g", "scroll_top", "Top", show=False, id="table-top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="table-bottom"),
    ]

    class Edge(Message):
        """The cursor tried to leave the table: `step` is +1 (past the bottom) or -1 (above the top)."""

        def __init__(self, table: VimTable, step: int) -> None:
            super().__init__()
            self.table = table
            self.step = step

        @property
        def control(self) -> VimTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None, edges: bool = False) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.edges = edges
        """Whether moving past the first or last row posts `Edge` (for paged tables)."""

    def action_cursor_down(self) -> None:
        if self.edges and self.row_count and self.cursor_row >= self.row_count - 1:
            self.post_message(self.Edge(self, +1))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.edges and self.row_count and self.cursor_row <= 0:
            self.post_message(self.Edge(self, -1))
            return
        super().action_cursor_up()

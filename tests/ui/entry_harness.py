"""A bare app around one group-entry table, for the tests of the table on its own."""

from __future__ import annotations

from textual.app import App, ComposeResult

from campbank.widgets.group_entry import EntryColumn, EntryRow, GroupEntry


class EntryHarness(App[None]):
    """The table with `rows` (set by each test module's subclass) and the given columns, focused."""

    rows: list[EntryRow] = []

    def __init__(self, *columns: EntryColumn) -> None:
        super().__init__()
        self.columns = list(columns)

    def compose(self) -> ComposeResult:
        yield GroupEntry(self.rows, self.columns, id="entry")

    def on_mount(self) -> None:
        self.query_one(GroupEntry).focus()

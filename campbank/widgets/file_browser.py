"""The shared files as a list beside a viewer: ↑/↓ to choose, the file shows at once; `v` for versions.

Read-only (everyone who may read files can use it); the office pane adds the "add a file" key.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable

from campbank.ledger.actions.files import (
    SharedFile,
    file_versions,
    human_size,
    list_files,
)
from campbank.widgets.file_viewer import FileViewer
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.live import LiveLedger
from campbank.widgets.vim_table import VimTable
from campbank.widgets.when import when

NAME_SHOWN = 26  # characters of a file's name in the list; the viewer's title shows it whole


class FileBrowser(LiveLedger, LedgerWork, Horizontal):
    BINDINGS = [Binding("v", "versions", "Versions", id="files-versions")]
    DEFAULT_CSS = """
    FileBrowser { height: 1fr; }
    FileBrowser #files-list { width: 1fr; min-width: 30; max-width: 64; height: 1fr; }
    FileBrowser FileViewer { width: 1fr; margin: 0 0 0 1; }
    FileBrowser.narrow { layout: vertical; }
    FileBrowser.narrow #files-list { width: 1fr; max-width: 100%; height: 2fr; }
    FileBrowser.narrow FileViewer { width: 1fr; height: 3fr; margin: 1 0 0 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.files: list[SharedFile] = []
        self.showing_versions_of: str | None = None
        """The file whose versions are listed, or None when the list shows every file."""
        self.wanted: str | None = None
        """The file to highlight once the list is next shown (kept until then: a reload for a change made
        elsewhere may overtake the one that asked for it)."""

    def compose(self) -> ComposeResult:
        yield VimTable(id="files-list")
        yield FileViewer()

    def on_mount(self) -> None:
        table = self.query_one("#files-list", DataTable)
        table.add_column("Name", key="name")
        table.add_column("Added", key="added")  # before the sizes: a long name must not push it out of sight
        table.add_column("Size", key="size")
        table.add_column("Ver.", key="versions")
        self.reload()  # as every view does: the kiosk makes its Files tab when the tab is first opened
        self.call_after_refresh(self._fit_width)  # laid out by then (a first Resize may come before mounting)

    def on_resize(self) -> None:
        self._fit_width()

    def _fit_width(self) -> None:
        """Under 90 columns the viewer goes below the list, so the list keeps room for its columns."""
        self.set_class(self.size.width < 90, "narrow")

    def reload(self, select: str | None = None) -> None:
        """Fetch the list again; `select` names the file to highlight afterwards."""
        self.showing_versions_of = None
        if select is not None:
            self.wanted = select
        self.fetch(lambda: list_files(self.db, self.actor), self._show, group="files")

    def _show(self, files: list[SharedFile]) -> None:
        self.files = files
        select, self.wanted = self.wanted, None
        table = self.query_one("#files-list", VimTable)
        table.clear()
        if select is not None:
            table.forget_place()
        for index, item in enumerate(files):
            key = f"{item.name}@{item.version}" if self.showing_versions_of else item.name
            name = item.name if not self.showing_versions_of else f"{item.name} v{item.version}"
            table.add_row(
                Text(name if len(name) <= NAME_SHOWN else name[:NAME_SHOWN - 1] + "…"), when(item.added_at),
                Text(human_size(item.size), justify="right"), Text(str(item.versions), justify="right"), key=key,
            )
            if select is not None and item.name == select and table.cursor_row != index:
                table.move_cursor(row=index)
        viewer = self.query_one(FileViewer)
        if not files:
            viewer.clear()
        elif table.row_count:
            self._open_row(table.cursor_row)

    def highlighted_name(self) -> str | None:
        """The name of the file under the cursor (in the list of versions: the file whose versions they are)."""
        table = self.query_one("#files-list", DataTable)
        if not self.files or not table.row_count:
            return None
        return self.files[min(table.cursor_row, len(self.files) - 1)].name

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "files-list":
            event.stop()
            self._open_row(event.cursor_row)

    def _open_row(self, index: int) -> None:
        if 0 <= index < len(self.files):
            item = self.files[index]
            self.query_one(FileViewer).open(item.name, item.version if self.showing_versions_of else None)

    def action_versions(self) -> None:
        """Toggle between every file and the versions of the highlighted one."""
        if self.showing_versions_of is not None:
            self.reload(select=self.showing_versions_of)
            return
        table = self.query_one("#files-list", DataTable)
        if not self.files or not table.row_count:
            return
        name = self.files[table.cursor_row].name

        def show(versions: list[SharedFile]) -> None:
            self.showing_versions_of = name
            self._show(versions)

        self.fetch(lambda: file_versions(self.db, self.actor, name), show, group="files")

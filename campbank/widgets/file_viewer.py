"""Shows one shared file inside the terminal: Markdown rendered, CSV as a table, text as text.

Other files are described by name and size (they cannot be shown in a terminal). Give it a
`FileContent` with `show(...)`, or a name with `open(...)` to fetch it (READ_FILES: students too).
"""

from __future__ import annotations

import contextlib
import csv
import io

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import ContentSwitcher, Markdown, Static, TextArea

from campbank.core.text import shown
from campbank.ledger.actions.files import FileContent, human_size, read_file
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, notify
from campbank.widgets.literal_input import LiteralTextArea
from campbank.widgets.literal_table import LiteralTable
from campbank.widgets.when import LONG, when

MAX_CSV_ROWS = 5000


def csv_rows(text: str, name: str) -> list[list[str]]:
    """The rows of a CSV (or TSV) text, the first one being the header."""
    delimiter = "\t" if name.lower().endswith(".tsv") else ","
    if delimiter == ",":
        with contextlib.suppress(csv.Error):
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


class FileViewer(LedgerWork, Vertical):
    DEFAULT_CSS = """
    FileViewer { height: 1fr; }
    FileViewer #viewer-caption { height: 1; background: $boost; padding: 0 1; }
    FileViewer ContentSwitcher { height: 1fr; }
    FileViewer #viewer-markdown-box { height: 1fr; padding: 0 1; }
    FileViewer #viewer-csv, FileViewer #viewer-text { height: 1fr; }
    FileViewer #viewer-other { padding: 1 2; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static("No file chosen", id="viewer-caption")
        with ContentSwitcher(initial="viewer-other"):
            with VerticalScroll(id="viewer-markdown-box"):
                # A link is never opened: a browser started from the kiosk would be a way out of it.
                yield Markdown(id="viewer-markdown", open_links=False)
            yield LiteralTable(id="viewer-csv", zebra_stripes=True)
            yield LiteralTextArea(id="viewer-text", read_only=True, show_line_numbers=True, soft_wrap=True)
            yield Static("Choose a file to show it here.", id="viewer-other")

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        notify(self.app, f"Links are not opened here: {event.href}", title="Link")

    def open(self, name: str, version: int | None = None) -> None:
        """Fetch a file (newest version, or the one asked for) and show it."""
        self.query_one("#viewer-caption", Static).update(literal(f"{name} — loading…"))
        self.fetch(lambda: read_file(self.db, self.actor, name, version=version), self.show, group="viewer")

    def show(self, content: FileContent) -> None:
        caption = (f"{content.name}  v{content.version}  {human_size(content.size)}  "
                   f"added by {content.added_by} {when(content.added_at, LONG)}")
        self.query_one("#viewer-caption", Static).update(literal(caption))
        switcher = self.query_one(ContentSwitcher)
        # A shared file may hold escape sequences: they are shown, never sent to the terminal.
        text = None if content.text is None else shown(content.text, multiline=True)
        if content.kind == "markdown" and text is not None:
            self.query_one("#viewer-markdown", Markdown).update(text)
            switcher.current = "viewer-markdown-box"
        elif content.kind == "csv" and text is not None:
            self._show_csv(text, content.name)
            switcher.current = "viewer-csv"
        elif content.kind == "text" and text is not None:
            self.query_one("#viewer-text", TextArea).load_text(text)
            switcher.current = "viewer-text"
        else:
            self.query_one("#viewer-other", Static).update(literal(
                f"{content.name}\n{human_size(content.size)}, version {content.version}\n\n"
                "This kind of file cannot be shown in the terminal.", multiline=True))
            switcher.current = "viewer-other"

    def clear(self) -> None:
        self.query_one("#viewer-caption", Static).update("No file chosen")
        self.query_one("#viewer-other", Static).update("Choose a file to show it here.")
        self.query_one(ContentSwitcher).current = "viewer-other"

    def _show_csv(self, text: str, name: str) -> None:
        table = self.query_one("#viewer-csv", LiteralTable)
        table.clear(columns=True)
        rows = csv_rows(text, name)
        if not rows:
            return
        width = max(len(row) for row in rows)
        header = rows[0] + [""] * (width - len(rows[0]))
        for i, title in enumerate(header):
            table.add_column(title or f"({i + 1})", key=str(i))
        for row in rows[1 : MAX_CSV_ROWS + 1]:
            table.add_row(*(row + [""] * (width - len(row))))
        if len(rows) > MAX_CSV_ROWS + 1:
            self.query_one("#viewer-caption", Static).update(
                literal(f"{name}: showing the first {MAX_CSV_ROWS} of {len(rows) - 1} rows"))

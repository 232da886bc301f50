"""Exports (managers): the xlsx report and the raw CSV/JSON exports, written to a typed path.

A path that names an existing file is replaced only after the manager says so; a database, a device or a
folder is refused outright (`store.outputs`).

The export runs in a thread worker; its progress callback (called in that thread) is passed to the UI
with `call_from_thread`, at most once per percent, to move the progress bar.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static

from campbank.core.errors import CampBankError, InputError
from campbank.formats.export_files import (
    FORMATS,
    KINDS,
    WrittenExport,
    check_target,
    write_export,
)
from campbank.ledger import clock
from campbank.ledger.store.outputs import OutputExists
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.literal import literal, notify
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.pane import Pane

if TYPE_CHECKING:
    from campbank.formats.xlsx.report import WrittenReport

T = TypeVar("T")


def _guarded(call: Callable[[], T]) -> Callable[[], T]:
    """The call, with a file system failure (no permission, disk full) reported as a refusal."""

    def run() -> T:
        try:
            return call()
        except OSError as error:
            raise InputError(f"cannot write {error.filename or 'the file'}: {error.strerror or error}",
                             field="path") from error

    return run


class ExportPane(Pane):

    DEFAULT_CSS = """
    ExportPane .export-box { height: auto; border: round $panel; padding: 0 1; margin: 0 0 1 0; }
    ExportPane .export-box-title { text-style: bold; }
    ExportPane .form-row { height: 1; margin: 1 0 0 0; }
    ExportPane .form-row Label { padding: 0 1 0 0; width: 6; }
    ExportPane .form-row Input { width: 1fr; }
    ExportPane .form-row Select { width: 14; margin: 0 2 0 0; }
    ExportPane .form-row Button { margin: 0 0 0 2; }
    ExportPane .hint { color: $text-muted; }
    ExportPane #export-progress { height: 1; margin: 0 0 1 0; }
    ExportPane #export-message { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.busy = False
        """An export is running; another waits until it is done."""
        self._percent = -1

    def compose(self) -> ComposeResult:
        folder = self.db.path.parent
        today = clock.today().isoformat()
        yield Static(self.section_title, classes="pane-title")
        yield Static("", id="export-message")
        yield ProgressBar(id="export-progress", show_eta=False)
        with Vertical(classes="export-box"):
            yield Static("Excel report (.xlsx)", classes="export-box-title")
            yield Static("Balances, study, transactions, staff, statistics, season.", classes="hint")
            with Horizontal(classes="form-row"):
                yield Label("File")
                yield LiteralInput(str(folder / f"campbank-report-{today}.xlsx"), id="xlsx-path", compact=True)
                yield Button("Write xlsx", id="xlsx-write", variant="primary", compact=True)
        with Vertical(classes="export-box"):
            yield Static("Raw export (CSV or JSON)", classes="export-box-title")
            yield Static("Every money or counter entry, or every student's balance.", classes="hint")
            with Horizontal(classes="form-row"):
                yield Label("Kind")
                yield Select([(k, k) for k in KINDS], value="money", allow_blank=False, id="raw-kind", compact=True)
                yield Select([(f, f) for f in FORMATS], value="csv", allow_blank=False, id="raw-format",
                             compact=True)
            with Horizontal(classes="form-row"):
                yield Label("File")
                yield LiteralInput(str(folder / f"campbank-money-{today}.csv"), id="raw-path", compact=True)
                yield Button("Write", id="raw-write", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#export-progress", ProgressBar).display = False
        self.query_one("#export-message", Static).display = False

    def on_select_changed(self, event: Select.Changed) -> None:
        """Keep the raw file's name in step with the kind and format chosen."""
        if event.select.id not in ("raw-kind", "raw-format"):
            return
        kind = self.query_one("#raw-kind", Select).value
        fmt = self.query_one("#raw-format", Select).value
        box = self.query_one("#raw-path", Input)
        path = Path(box.value.strip() or str(self.db.path.parent / "export.csv"))
        if path.name.startswith("campbank-") or path.suffix.lower() not in (".csv", ".json"):
            path = path.with_name(f"campbank-{kind}-{clock.today().isoformat()}.{fmt}")
        else:
            path = path.with_suffix(f".{fmt}")
        box.value = str(path)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.busy:
            notify(self.app, "An export is already running.", severity="warning")
            return
        if event.button.id == "xlsx-write":
            self.write_xlsx(self.query_one("#xlsx-path", Input).value.strip())
        elif event.button.id == "raw-write":
            self.write_raw(str(self.query_one("#raw-kind", Select).value),
                           str(self.query_one("#raw-format", Select).value),
                           self.query_one("#raw-path", Input).value.strip())

    def write_xlsx(self, path: str, force: bool = False) -> None:
        try:
            target = check_target(path, (".xlsx",), force=force, protect=[self.db.path])
        except OutputExists:
            self._ask_to_replace(path, lambda: self.write_xlsx(path, force=True))
            return
        except CampBankError as error:
            self._refused(error)
            return
        self._start(f"Writing {target}…")
        progress = self._progress_from_thread()

        def write() -> WrittenReport:
            # openpyxl loads when a report is written (in the worker), not with the office: each browser
            # session is a process of its own
            from campbank.formats.xlsx.report import write_report

            return write_report(self.db, self.actor, target, progress, force=force)

        self.submit(_guarded(write), self._xlsx_done, on_error=self._refused)

    def write_raw(self, kind: str, fmt: str, path: str, force: bool = False) -> None:
        try:
            check_target(path, (f".{fmt}",), force=force, protect=[self.db.path])
        except OutputExists:
            self._ask_to_replace(path, lambda: self.write_raw(kind, fmt, path, force=True))
            return
        except CampBankError as error:
            self._refused(error)
            return
        self._start(f"Writing the {kind} export to {path}…")
        progress = self._progress_from_thread()
        self.submit(_guarded(lambda: write_export(self.db, self.actor, kind, fmt, path, progress, force=force)),
                    self._raw_done, on_error=self._refused)

    def _ask_to_replace(self, path: str, replace: Callable[[], None]) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                replace()
            else:
                self._say(f"Not written: {path} already exists.")

        self.app.push_screen(ConfirmDialog(f"Replace {path}?", "The file that is there now is lost.",
                                           confirm="Replace", cancel="Keep it", danger=True), answered)

    # -- progress ---------------------------------------------------------------------------------

    def _start(self, message: str) -> None:
        self.busy = True
        self._percent = -1
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._say(message)

    def _progress_from_thread(self):
        app = self.app

        def progress(done: int, total: int) -> None:
            percent = int(100 * done / total) if total else 100
            if percent != self._percent:
                self._percent = percent
                app.call_from_thread(self._show_progress, done, total)

        return progress

    def _show_progress(self, done: int, total: int) -> None:
        self.query_one("#export-progress", ProgressBar).update(total=max(total, 1), progress=done)

    def _finish(self, message: str) -> None:
        self.busy = False
        bar = self.query_one("#export-progress", ProgressBar)
        if bar.total:
            bar.update(progress=bar.total)
        self._say(message)

    def _xlsx_done(self, written: WrittenReport) -> None:
        self._finish(f"Wrote {written.path}: {len(written.sheets)} sheets, {written.students} students, "
                     f"{written.transactions:,} transactions.")
        notify(self.app, str(written.path), title="xlsx report written")

    def _raw_done(self, written: WrittenExport) -> None:
        self._finish(f"Wrote {written.path}: {written.rows:,} {written.kind} rows as {written.format}.")
        notify(self.app, str(written.path), title="Export written")

    def _refused(self, error: CampBankError) -> None:
        self.busy = False
        self.query_one("#export-progress", ProgressBar).display = False
        self._say(f"Refused: {error}")
        self.show_refusal(error)

    def _say(self, text: str) -> None:
        message = self.query_one("#export-message", Static)
        message.update(literal(text, multiline=True))  # paths and refusals are typed text
        message.display = bool(text)

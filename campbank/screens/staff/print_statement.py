"""Printing a student's statement from their page in the office: name the PDF file, and it is written with
the checks every output gets (never over a database, a device or a folder; an existing file only if you say
so). The verification code is shown when it is done."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from campbank.widgets.ask import DIALOG_CSS
from campbank.widgets.literal_input import LiteralInput


class PrintStatementDialog(ModalScreen[str | None]):
    """Asks where to write the PDF; returns the path typed, or None (Esc)."""

    BINDINGS = [Binding("escape", "back", "Back", id="print-back")]
    DEFAULT_CSS = DIALOG_CSS.format(name="PrintStatementDialog") + """
    PrintStatementDialog Input { width: 1fr; margin: 1 0 0 0; }
    """

    def __init__(self, username: str, suggested: Path) -> None:
        super().__init__()
        self.username = username
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Statement of {self.username}"), classes="dialog-title")
            yield Static(Text("The whole season so far: opening balance, every entry, counters, study programme, "
                              "closing balance and a verification code. Write it to:"), classes="dialog-body")
            yield LiteralInput(str(self.suggested), id="print-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Back (Esc)", id="print-cancel")
                yield Button("Write PDF (Enter)", id="print-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#print-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.query_one("#print-path", Input).value.strip() or None if event.button.id == "print-ok"
                     else None)

    def action_back(self) -> None:
        self.dismiss(None)

"""The student's question: about one transaction of their history, or a general one; up to 500 characters."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from campbank.ledger.actions.disputes import MAX_TEXT
from campbank.widgets.ask import DIALOG_CSS
from campbank.widgets.literal import notify
from campbank.widgets.literal_input import LiteralInput


class DisputeDialog(ModalScreen[str | None]):
    """Returns the text to send, or None (Esc). The ledger checks the text again."""

    BINDINGS = [Binding("escape", "back", "Back", id="dispute-back")]
    DEFAULT_CSS = DIALOG_CSS.format(name="DisputeDialog") + """
    DisputeDialog Input { width: 1fr; margin: 1 0 0 0; }
    DisputeDialog #dispute-count { color: $text-muted; height: 1; }
    """

    def __init__(self, title: str, about: Text | str, *,
                 placeholder: str = "What is wrong? Say what happened.",
                 empty: str = "Text: write what is wrong first.") -> None:
        super().__init__()
        self.title_text = title
        self.about = about
        self.placeholder = placeholder
        self.empty = empty
        """What is said when Send is pressed with nothing written (naming the field)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Static(self.about if isinstance(self.about, Text) else Text(self.about), classes="dialog-body")
            yield LiteralInput(placeholder=self.placeholder, max_length=MAX_TEXT, id="dispute-text")
            yield Static(f"0 / {MAX_TEXT}", id="dispute-count")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Back (Esc)", id="dispute-cancel")
                yield Button("Send (Enter)", id="dispute-send", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#dispute-text", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#dispute-count", Static).update(f"{len(event.value)} / {MAX_TEXT}")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._send()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "dispute-send":
            self._send()
        else:
            self.dismiss(None)

    def _send(self) -> None:
        text = self.query_one("#dispute-text", Input).value
        if not text.strip():
            notify(self, self.empty, severity="warning")
            return
        self.dismiss(text)

    def action_back(self) -> None:
        self.dismiss(None)

"""A yes/no dialog with a scrollable body: the preview before posting, or "cancel #42?"."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from campbank.widgets.literal import literal, safe


class ConfirmDialog(ModalScreen[bool]):
    """Returns True for the confirm button (Enter / y), False for the other (Escape / n)."""

    BINDINGS = [
        Binding("escape,n", "answer(False)", "Back", id="confirm-no"),
        Binding("y", "answer(True)", "Yes", id="confirm-yes", show=False),
    ]
    DEFAULT_CSS = """
    ConfirmDialog { align: center middle; }
    ConfirmDialog > Vertical {
        width: 90%;
        max-width: 110;
        height: auto;
        max-height: 100%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    ConfirmDialog.wide > Vertical { width: 96%; max-width: 150; }
    ConfirmDialog.danger > Vertical { border: thick $error; }
    ConfirmDialog #confirm-title { text-style: bold; padding: 0 0 1 0; }
    ConfirmDialog #confirm-body { height: auto; }
    ConfirmDialog #confirm-buttons { height: auto; align-horizontal: right; padding: 1 0 0 0; }
    ConfirmDialog #confirm-buttons Button { margin: 0 0 0 2; }
    """
    CHROME = 8
    """Rows the dialog needs besides its body (border, title, buttons): the buttons always show, even at
    24 rows; the body scrolls."""

    def __init__(self, title: str, body: RenderableType = "", *, confirm: str = "Confirm", cancel: str = "Back",
                 danger: bool = False, wide: bool = False) -> None:
        super().__init__(classes=" ".join(c for c, on in (("danger", danger), ("wide", wide)) if on) or None)
        self.title_text = title
        self.body = body
        self.confirm_label = confirm
        self.cancel_label = cancel
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self.title_text), id="confirm-title")
            if self.body:
                with VerticalScroll(id="confirm-body"):
                    # Text is shown as it is: a string body is never read as markup.
                    yield Static(literal(self.body, multiline=True) if isinstance(self.body, str) else
                                 safe(self.body, multiline=True) if isinstance(self.body, Text) else self.body)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.cancel_label} (Esc)", id="confirm-cancel", compact=True)
                yield Button(f"{self.confirm_label} (Enter)", id="confirm-ok", compact=True,
                             variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        self.query_one("#confirm-ok", Button).focus()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        for body in self.query("#confirm-body"):
            body.styles.max_height = max(3, self.size.height - self.CHROME)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-ok")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

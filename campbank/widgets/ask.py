"""Small typed dialogs besides the yes/no `widgets.confirm.ConfirmDialog`: ask yes/no with a reason
(`ConfirmReason`), and tell something that must be read, once (`Told`: a new password, a file's problems).

Each is a `ModalScreen[T]` that returns its answer with `dismiss(value)`; Esc always means "no".
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from campbank.widgets.literal import literal
from campbank.widgets.literal_input import LiteralInput

DIALOG_CSS = """
    {name} {{
        align: center middle;
    }}
    {name} > Vertical {{
        width: 72;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }}
    {name}.danger > Vertical {{
        border: thick $error;
    }}
    {name} .dialog-title {{
        text-style: bold;
        padding: 0 0 1 0;
    }}
    {name} .dialog-body {{
        height: auto;
        max-height: 20;
        width: 1fr;
    }}
    {name} .dialog-buttons {{
        height: auto;
        width: 100%;
        align-horizontal: right;
        padding: 1 0 0 0;
    }}
    {name} .dialog-buttons Button {{
        margin: 0 0 0 2;
    }}
"""


class ConfirmReason(ModalScreen[str | None]):
    """Ask yes/no with a reason to keep (the audit log keeps it); returns the reason or None. With
    `required`, "yes" without a reason stays in the dialog and says so."""

    BINDINGS = [Binding("escape", "no", "Cancel", id="dialog-no")]
    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmReason") + """
    ConfirmReason Input { width: 1fr; margin: 1 0 0 0; }
    """

    def __init__(self, question: str, *, title: str = "Are you sure?", yes: str = "Yes", no: str = "Keep it",
                 placeholder: str = "", required: bool = False) -> None:
        super().__init__(classes="danger")
        self.required = required
        placeholder = placeholder or ("reason (required: the people it touched see it)" if required
                                      else "reason (optional, kept in the audit log)")
        self.question = question
        self.title_text = title
        self.yes = yes
        self.no = no
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self.title_text, multiline=True), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(literal(self.question, multiline=True))
            yield LiteralInput(placeholder=self.placeholder, id="reason")
            yield Static("", id="reason-missing")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.no, id="no")
                yield Button(self.yes, id="yes", variant="error")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            self._answer()
        else:
            self.dismiss(None)

    def _answer(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if self.required and not reason:
            self.query_one("#reason-missing", Static).update(literal("Reason: say why first.", "red"))
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(reason)

    def action_no(self) -> None:
        self.dismiss(None)


class Told(ModalScreen[None]):
    """Show something that must be read (a new password, every bad row of a file) until dismissed."""

    BINDINGS = [Binding("escape", "close", "Close", id="dialog-close")]
    DEFAULT_CSS = DIALOG_CSS.format(name="Told") + """
    Told .dialog-body { max-height: 30; }
    Told .told-secret { text-style: bold; color: $warning; padding: 1 0; }
    """

    def __init__(self, message: str, *, title: str = "", secret: str = "", after: str = "",
                 danger: bool = False) -> None:
        super().__init__(classes="danger" if danger else "")
        self.message = message
        self.title_text = title
        self.secret = secret
        self.after = after

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.title_text:
                yield Static(literal(self.title_text, multiline=True), classes="dialog-title")
            with VerticalScroll(classes="dialog-body", id="told-body"):
                yield Static(literal(self.message, multiline=True))
                if self.secret:
                    yield Static(literal(self.secret, multiline=True), classes="told-secret", id="told-secret")
                if self.after:
                    yield Static(literal(self.after, multiline=True))
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

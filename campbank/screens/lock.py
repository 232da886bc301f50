"""The office idle lock: the signed-in person's password again, or sign out."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from campbank.core.errors import CampBankError
from campbank.ledger.actions import auth
from campbank.ledger.permissions import Actor
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import assemble, refusal
from campbank.widgets.literal_input import LiteralInput


class LockScreen(LedgerWork, ModalScreen[None]):
    """Covers everything until the same person's password is given; Escape cannot close it."""

    BINDINGS = [Binding("escape", "nothing", show=False)]
    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background 90%; }
    LockScreen > Vertical { width: 50; height: auto; border: thick $warning; padding: 1 2; }
    LockScreen #lock-message { color: $error; }
    """

    def __init__(self, locked: Actor) -> None:
        super().__init__()
        self.locked = locked

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(assemble(("Locked", "bold"), " after a quiet spell.\nPassword for ",
                                  (self.locked.username, "bold"), ":"))
            yield LiteralInput(password=True, id="lock-password")
            yield Static("", id="lock-message")
            yield Button("Sign out instead", id="lock-sign-out")

    def on_mount(self) -> None:
        self.query_one("#lock-password", Input).focus()

    def action_nothing(self) -> None:
        """Escape must not unlock."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        password = event.value
        event.input.value = ""
        self.submit(lambda: auth.sign_in(self.db, self.locked.username, password, place="unlock"),
                    lambda _actor: self._unlocked(), on_error=self._refused)

    def _unlocked(self) -> None:
        self.campbank.last_activity_reset()
        self.dismiss()

    def _refused(self, error: CampBankError) -> None:
        self.query_one("#lock-message", Static).update(refusal(error))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "lock-sign-out":
            self.campbank.action_logout()

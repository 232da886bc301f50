"""Closing the kiosk: only a staff member or manager may, with their password."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from campbank.core.errors import CampBankError
from campbank.ledger.actions import auth
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import refusal
from campbank.widgets.literal_input import LiteralInput

STAFF = frozenset({"staff", "manager"})


class KioskExitScreen(LedgerWork, ModalScreen[bool]):
    BINDINGS = [Binding("escape", "stay", "Back")]
    DEFAULT_CSS = """
    KioskExitScreen { align: center middle; }
    KioskExitScreen > Vertical { width: 50; height: auto; border: thick $error; padding: 1 2; }
    KioskExitScreen #exit-message { color: $error; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Close the kiosk[/b]: staff sign-in required.")
            yield LiteralInput(placeholder="staff username", id="exit-username")
            yield LiteralInput(placeholder="password", password=True, id="exit-password")
            yield Static("", id="exit-message")

    def on_mount(self) -> None:
        self.query_one("#exit-username", Input).focus()

    def action_stay(self) -> None:
        self.dismiss(False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "exit-username":
            self.query_one("#exit-password", Input).focus()
            return
        username = self.query_one("#exit-username", Input).value.strip()
        password = event.value
        event.input.value = ""
        self.submit(lambda: auth.sign_in(self.db, username, password, allowed_roles=STAFF, place="kiosk exit"),
                    lambda _actor: self.dismiss(True), on_error=self._refused)

    def _refused(self, error: CampBankError) -> None:
        self.query_one("#exit-message", Static).update(refusal(error))

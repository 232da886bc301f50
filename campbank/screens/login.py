"""Signing in: username and password, lockout messages, and the current announcements."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Static

from campbank.core.errors import CampBankError
from campbank.ledger.actions import auth, notices
from campbank.ledger.permissions import Actor
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import assemble, literal, refusal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.type_ahead import TypeAheadInput


class LoginScreen(LedgerWork, Screen[None]):
    DEFAULT_CSS = """
    LoginScreen #login-box {
        width: 48;
        height: auto;
        border: round $accent;
        padding: 1 2;
        margin: 1 0;
    }
    LoginScreen #login-message { color: $error; height: auto; }
    LoginScreen #announcements { height: 1fr; padding: 0 2; }
    LoginScreen .announcement { border-left: thick $accent; padding: 0 1; margin: 0 0 1 0; }
    """

    def __init__(self, *, kiosk: bool = False, message: str = "") -> None:
        super().__init__()
        self.kiosk = kiosk
        self.first_message = message

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(), Vertical(id="login-box"):
            yield Static(assemble((self.campbank.season.name, "bold"), " — student kiosk" if self.kiosk else ""),
                         id="login-season")
            yield TypeAheadInput(placeholder="username", id="username")
            yield LiteralInput(placeholder="password", password=True, id="password")
            yield Button("Sign in", variant="primary", id="sign-in")
            yield Static("", id="login-message")
        yield VerticalScroll(id="announcements")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reset(self.first_message)

    def reset(self, message: str = "") -> None:
        """Clear the form (after a sign-out) and show the announcements of today."""
        self.query_one("#username", Input).value = ""
        self.query_one("#password", Input).value = ""
        self.query_one("#login-message", Static).update(literal(message))
        self.query_one("#username", Input).focus()
        self.fetch(self._announcements, self._show_announcements, group="announcements")

    def half_typed(self) -> bool:
        return any(self.query_one(field, Input).value for field in ("#username", "#password"))

    def _announcements(self) -> list[notices.Announcement]:
        return notices.current(self.db)

    def _show_announcements(self, items: list[notices.Announcement]) -> None:
        box = self.query_one("#announcements", VerticalScroll)
        box.remove_children()
        for item in items:
            box.mount(Static(assemble((item.title, "bold"), "\n", item.text), classes="announcement"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "username":
            self.query_one("#password", Input).focus()
        else:
            self.sign_in()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "sign-in":
            self.sign_in()

    def sign_in(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not username:
            self.query_one("#login-message", Static).update("Enter your username.")
            self.query_one("#username", Input).focus()
            return
        roles = frozenset({"student"}) if self.kiosk else None
        place = "kiosk" if self.kiosk else "office"
        self.query_one("#login-message", Static).update("Signing in…")
        self.submit(lambda: auth.sign_in(self.db, username, password, allowed_roles=roles, place=place),
                    self._signed_in, on_error=self._refused)

    def _signed_in(self, actor: Actor) -> None:
        self.query_one("#password", Input).value = ""
        self.query_one("#login-message", Static).update("")
        self.campbank.signed_in(actor)

    def _refused(self, error: CampBankError) -> None:
        self.query_one("#login-message", Static).update(refusal(error))
        self.query_one("#password", Input).value = ""
        self.query_one("#password", Input).focus()

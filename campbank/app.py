"""The CampBank terminal UI: sign in, then the screens of one's role; the idle lock; the kiosk.

One app factory serves `campbank`, `campbank demo`, `campbank kiosk` and the tests. The database comes
from the caller, never from import time.
"""

from __future__ import annotations

from collections.abc import Iterable
from time import monotonic
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, TextArea

from campbank.core.season import Season
from campbank.ledger.actions import auth
from campbank.ledger.permissions import Actor
from campbank.ledger.season.in_force import season_in_force
from campbank.ledger.store.database import Database
from campbank.screens.lock import LockScreen
from campbank.screens.login import LoginScreen

if TYPE_CHECKING:
    from campbank.widgets.ledger_work import OfficeApp

ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


class CampBankApp(App[None]):
    """The office UI (staff and managers, students too) or, with `kiosk=True`, the students' kiosk."""

    CSS_PATH = "app.tcss"
    TITLE = "CampBank"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding("ctrl+l", "logout", "Log out", id="logout"),
        Binding("question_mark,f1", "toggle_help", "Help", id="help"),
    ]

    def __init__(self, db: Database, *, kiosk: bool = False, idle_seconds: float | None = None) -> None:
        super().__init__()
        self.db = db
        self.kiosk = kiosk
        self.season: Season = season_in_force(db)
        default_idle = self.season.kiosk_idle_seconds if kiosk else self.season.office_idle_seconds
        self.idle_seconds: float = idle_seconds if idle_seconds is not None else default_idle
        """Seconds without a key or click before the kiosk signs out / the office locks."""
        self.actor: Actor | None = None
        """Who is signed in; None on the login screen."""
        self.last_activity = monotonic()
        if kiosk:
            self.sub_title = "Kiosk"

    def get_default_screen(self) -> Screen:
        return LoginScreen(kiosk=self.kiosk)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.lock_when_idle, name="idle check")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, ACTIVITY):
            self.last_activity = monotonic()
        await super().on_event(event)

    # -- signing in and out -----------------------------------------------------------------------

    def signed_in(self, actor: Actor) -> None:
        """Show the home of the role that signed in."""
        from campbank.screens.office import OfficeScreen
        from campbank.screens.student.home import StudentScreen

        self.actor = actor
        self.last_activity = monotonic()
        self.push_screen(StudentScreen() if actor.role == "student" else OfficeScreen())

    def action_logout(self, reason: str = "logout") -> None:
        """Back to the login screen, dropping every screen (and its state) of the session."""
        actor, self.actor = self.actor, None
        if actor is not None:
            place = "kiosk" if self.kiosk else "office"
            self.run_worker(lambda: auth.sign_out(self.db, actor, reason=reason, place=place), thread=True,
                            exit_on_error=False)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        login = self.screen_stack[0]
        if isinstance(login, LoginScreen):
            login.reset(message="Signed out after a quiet spell." if reason == "idle" else "")

    def last_activity_reset(self) -> None:
        self.last_activity = monotonic()

    def lock_when_idle(self) -> None:
        if self.actor is None or monotonic() - self.last_activity < self.idle_seconds:
            return
        if self.kiosk or self.actor.role == "student":
            self.action_logout(reason="idle")
        elif not isinstance(self.screen, LockScreen):
            self.push_screen(LockScreen(self.actor))

    # -- leaving ----------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """The kiosk closes only for a staff or manager password; the office closes at once."""
        if not self.kiosk:
            self.exit()
            return
        from campbank.screens.kiosk_exit import KioskExitScreen

        def closed(allowed: bool | None) -> None:
            if allowed:
                self.exit()

        self.push_screen(KioskExitScreen(), closed)

    def action_suspend_process(self) -> None:
        if not self.kiosk:
            super().action_suspend_process()

    def action_toggle_help(self) -> None:
        """`?` shows (and hides) the keys of the focused widget and screen beside it."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `?` is a character while typing into a field; it opens help everywhere else.
        return not (action == "toggle_help" and isinstance(self.focused, (Input, TextArea)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.kiosk:
            return
        yield from super().get_system_commands(screen)
        if self.actor is None:
            return
        yield SystemCommand("Log out", "Sign out and return to the login screen", self.action_logout)
        from campbank.screens.office import OfficeScreen

        if isinstance(screen, OfficeScreen):
            for section_id, title in screen.sections():
                yield SystemCommand(f"Go to {title}", f"Show the {title} section",
                                    lambda section_id=section_id: screen.show_section(section_id))


if TYPE_CHECKING:  # screens and widgets reach the app through this protocol; mypy checks the app keeps it
    _OFFICE: type[OfficeApp] = CampBankApp

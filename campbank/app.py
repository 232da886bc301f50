"""The CampBank terminal UI: sign in, then the screens of one's role; the idle lock; the kiosk.

One app factory serves `campbank`, `campbank demo`, `campbank kiosk` and the tests. The database comes
from the caller, never from import time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from time import monotonic
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, TextArea

from campbank.core.season import Season
from campbank.core.text import shown
from campbank.idle_collector import IdleCollector
from campbank.ledger.actions import auth
from campbank.ledger.permissions import Actor
from campbank.ledger.season.in_force import season_in_force, season_stamp
from campbank.ledger.store.database import Database
from campbank.screens.lock import LockScreen
from campbank.screens.login import LoginScreen
from campbank.widgets.live import LedgerWatch

if TYPE_CHECKING:
    from campbank.widgets.ledger_work import OfficeApp

ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)
# The kiosk starts over after an unexpected error, but not forever: more than this many in a minute and it
# closes, and the login program that runs it (README, "The kiosk as a login program") starts a fresh one.
KIOSK_RECOVERIES_PER_MINUTE = 5
SEASON_CHECK = 30.0  # seconds between two looks at which season is in force (one tiny read)


class CampBankApp(App[None]):
    """The office UI (staff and managers, students too) or, with `kiosk=True`, the students' kiosk."""

    CSS_PATH = "app.tcss"
    TITLE = "CampBank"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
        Binding("ctrl+l", "logout", "Log out", id="logout"),
        Binding("question_mark,f1", "toggle_help", "Help", id="help"),
        # Tab moves the focus as it arrives, not once it has passed through the focused widget and back up
        # to the screen: in a burst ("\texam\r" from a fast typist or a macro) the keys after it are already
        # queued, and are for the field it moves to.
        Binding("tab", "focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(self, db: Database, *, kiosk: bool = False, idle_seconds: float | None = None) -> None:
        if kiosk:  # nothing in the command palette is for students: no key opens it, the footer does not offer it
            # (Textual reads this class setting from the instance, in App.__init__ and in the Footer)
            object.__setattr__(self, "ENABLE_COMMAND_PALETTE", False)
        super().__init__()
        self.db = db
        self.kiosk = kiosk
        self.season: Season = season_in_force(db)
        self.season_stamp = season_stamp(db)
        """The season row in force when `season` was read: a change is picked up within SEASON_CHECK seconds."""
        self._idle_given = idle_seconds is not None
        default_idle = self.season.kiosk_idle_seconds if kiosk else self.season.office_idle_seconds
        self.idle_seconds: float = idle_seconds if idle_seconds is not None else default_idle
        """Seconds without a key or click before the kiosk signs out / the office locks."""
        self.actor: Actor | None = None
        """Who is signed in; None on the login screen."""
        self.last_activity = monotonic()
        self.closed_by_staff = False
        """True once a staff member closed the kiosk with their password (the only way out of it)."""
        self.recovered: list[BaseException] = []
        """Unexpected errors the kiosk started over after (signing the student out), oldest first."""
        self._recoveries: deque[float] = deque()
        self.ledger_watch = LedgerWatch(self, db)
        """Reloads the screen in front when the ledger changed (another office, the kiosk, the CLI)."""
        self.collector = IdleCollector()
        """Runs Python's full garbage collections while nobody types (they would stall the screen)."""
        """Reloads the screen in front when the ledger changed (another office, the kiosk, the CLI)."""
        if kiosk:
            self.sub_title = "Kiosk"

    def get_default_screen(self) -> Screen:
        return LoginScreen(kiosk=self.kiosk)

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header: titles include usernames, shown literally with terminal controls made visible."""
        return super().format_title(shown(title), shown(sub_title))

    def on_mount(self) -> None:
        self.call_after_refresh(self.collector.start)
        self.ledger_watch.start()
        self.set_interval(1.0, self.lock_when_idle, name="idle check")
        self.set_interval(0.5, self.collect_when_quiet, name="quiet collection")
        self.set_interval(SEASON_CHECK, self.check_season, name="season check")

    def on_unmount(self) -> None:
        self.ledger_watch.stop()
        self.collector.stop()

    def collect_when_quiet(self) -> None:
        self.collector.tick(monotonic() - self.last_activity)

    def check_season(self) -> None:
        """Ask (in a thread) whether the season in force changed; take the new one's rules, names and idle times."""

        def read() -> None:
            stamp = season_stamp(self.db)
            if stamp != self.season_stamp:
                self.call_from_thread(self.take_season, stamp, season_in_force(self.db))

        self.run_worker(read, thread=True, exit_on_error=False, group="season check", exclusive=True)

    def take_season(self, stamp: tuple[int, str] | None, season: Season) -> None:
        self.season_stamp, self.season = stamp, season
        if not self._idle_given:
            self.idle_seconds = season.kiosk_idle_seconds if self.kiosk else season.office_idle_seconds

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, ACTIVITY):
            self.last_activity = monotonic()
        await super().on_event(event)

    # -- signing in and out -----------------------------------------------------------------------

    def signed_in(self, actor: Actor) -> None:
        """Show the home of the role that signed in."""
        self.actor = actor
        self.last_activity = monotonic()
        self.push_screen(_home_of(actor))

    def action_logout(self, reason: str = "logout") -> None:
        """Back to the login screen, dropping every screen (and its state) of the session; a form with
        something typed in it asks first, as its Esc does."""
        if reason == "logout" and self._guarded(lambda: self._log_out(reason)):
            return
        self._log_out(reason)

    def _guarded(self, leave: Callable[[], object]) -> bool:
        """Hand `leave` to the topmost screen that guards what was typed in it; False when none does."""
        for screen in reversed(self.screen_stack):
            guard = getattr(screen, "leave_guarded", None)
            if guard is not None:
                guard(leave)
                return True
        return False

    def _log_out(self, reason: str) -> None:
        actor, self.actor = self.actor, None
        if actor is not None:
            place = "kiosk" if self.kiosk else "office"
            self.run_worker(lambda: auth.sign_out(self.db, actor, reason=reason, place=place), thread=True,
                            exit_on_error=False)
        login = self._back_to_login()
        if login is not None:
            login.reset(message="Signed out after a quiet spell." if reason == "idle" else "")

    def _back_to_login(self) -> LoginScreen | None:
        """Drop every screen of the session down to the login screen; None when no working one is left (the
        first one stays at the bottom of the stack even when an error stopped it)."""
        while len(self.screen_stack) > 1 and not self._is_live_login(self.screen):
            self.pop_screen()
        return self.screen if self._is_live_login(self.screen) else None  # type: ignore[return-value]

    @staticmethod
    def _is_live_login(screen: Screen) -> bool:
        return isinstance(screen, LoginScreen) and (screen.is_running or not screen.is_mounted)

    def last_activity_reset(self) -> None:
        self.last_activity = monotonic()

    def lock_when_idle(self) -> None:
        if monotonic() - self.last_activity < self.idle_seconds:
            return
        if self.actor is None:
            # A login typed halfway and walked away from is not left for the next person at the terminal.
            if isinstance(self.screen, LoginScreen) and self.screen.half_typed():
                self.screen.reset(message="The sign-in was cleared after a quiet spell.")
            return
        if self.kiosk or self.actor.role == "student":
            self.action_logout(reason="idle")
        elif not isinstance(self.screen, LockScreen):
            self.push_screen(LockScreen(self.actor))

    # -- leaving ----------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """The kiosk closes only for a staff or manager password; the office closes at once."""
        if not self.kiosk:
            if not self._guarded(self.exit):
                self.exit()
            return
        from campbank.screens.kiosk_exit import KioskExitScreen

        def closed(allowed: bool | None) -> None:
            if allowed:
                self.closed_by_staff = True
                self.exit()

        self.push_screen(KioskExitScreen(), closed)

    def action_suspend_process(self) -> None:
        if not self.kiosk:
            super().action_suspend_process()

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Never from the kiosk: a browser started there (a text one, in the same terminal) is a way out."""
        if not self.kiosk:
            super().open_url(url, new_tab=new_tab)

    # -- the kiosk's guard ------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Textual closes the app on any unexpected error (this is its one hook for them). The kiosk signs
        the student out and shows the login again instead; the office closes, showing what went wrong."""
        if not self._start_over_after(error):
            super()._handle_exception(error)

    def _start_over_after(self, error: BaseException) -> bool:
        if not self.kiosk or not self.is_running or self._exit:
            return False
        now = monotonic()
        while self._recoveries and now - self._recoveries[0] > 60:
            self._recoveries.popleft()
        if len(self._recoveries) >= KIOSK_RECOVERIES_PER_MINUTE:
            return False
        self._recoveries.append(now)
        self.recovered.append(error)
        self.log.error("kiosk: starting over after an unexpected error", error)
        self.call_later(self._start_over)
        return True

    def _start_over(self) -> None:
        """Sign out and show the login again; a login screen that failed itself is replaced by a fresh one."""
        actor, self.actor = self.actor, None
        if actor is not None:
            self.run_worker(lambda: auth.sign_out(self.db, actor, reason="error", place="kiosk"), thread=True,
                            exit_on_error=False)
        message = "Something went wrong, so you were signed out. Please sign in again."
        login = self._back_to_login()
        if login is None:
            self.push_screen(LoginScreen(kiosk=True, message=message))
        else:
            login.reset(message=message)

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
            yield from screen.daily_commands()


def _home_of(actor: Actor) -> Screen[None]:
    """A student's screen, or the office; each loads only its own screens' code (a student's session at the
    kiosk never loads the office's twenty sections)."""
    if actor.role == "student":
        from campbank.screens.student.home import StudentScreen

        return StudentScreen()
    from campbank.screens.office import OfficeScreen

    return OfficeScreen()


if TYPE_CHECKING:  # screens and widgets reach the app through this protocol; mypy checks the app keeps it
    _OFFICE: type[OfficeApp] = CampBankApp

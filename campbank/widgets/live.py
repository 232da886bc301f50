"""Screens that show ledger data follow changes made anywhere: another office laptop, the kiosk, the
nightly tax, the CLI.

One `LedgerWatch` per app looks at the database's change marker (store/changes.py) about once a second,
in a thread. When it moved, every `LiveLedger` widget of the screen in front is reloaded: the ones shown
at once, the hidden ones (another tab, another section) when they are next shown. Tables keep their
cursor and scroll position across the reload. A screen under a dialog catches up when the dialog closes.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

from campbank.ledger.store.changes import ChangeMarker
from campbank.ledger.store.database import Database
from campbank.widgets.literal_table import LiteralTable

CHECK_SECONDS = 1.0


class LiveLedger:
    """A mixin for widgets and screens that show ledger data and have a `reload()` (screens: an
    `action_reload()`) that fetches it again and shows it."""

    RELOADS_ON_SHOW = False
    """True where the widget reloads each time it is shown anyway (office sections)."""

    def ledger_changed(self) -> None:
        """Something changed in the ledger: show it. Tables keep their place (see `LiteralTable.keep_place`)."""
        for table in self.query(LiteralTable):  # type: ignore[attr-defined]  # a mixin: the widget's query
            table.keep_place()
        names = ("reload", "action_reload")  # screens have the action
        reload = next(getattr(self, name) for name in names if hasattr(self, name))
        reload()

    def _on_show(self, event: events.Show) -> None:
        if getattr(self, "_ledger_stale", False):
            self._ledger_stale = False
            if not self.RELOADS_ON_SHOW:
                self.ledger_changed()


class LedgerWatch:
    def __init__(self, app: App[Any], db: Database) -> None:
        self.app = app
        self.marker = ChangeMarker(db)
        self.version: int | None = None
        """The marker as last read; None before the first read."""
        self._reading = False
        self._seen: dict[int, int] = {}
        """The marker each screen (by id) was last brought up to date with."""

    def start(self) -> None:
        # The first reading is the baseline: taken at once, before anyone can sign in, so that a change made
        # while the first screen loads is not taken for the starting point and missed.
        self.check()
        self.app.set_interval(CHECK_SECONDS, self.check, name="ledger watch")

    def stop(self) -> None:
        self.marker.close()

    def check(self) -> None:
        """Read the marker in a thread (never on the UI thread: the database may be busy); a read still
        under way is left to finish rather than doubled."""
        if self._reading:
            return
        self._reading = True

        def read() -> None:
            try:
                version = self.marker.read()
            finally:
                self._reading = False
            self.app.call_from_thread(self.seen, version)

        self.app.run_worker(read, thread=True, exit_on_error=False, group="ledger watch")

    def seen(self, version: int) -> None:
        previous, self.version = self.version, version
        screen = self.app.screen
        if previous is None:
            return
        stack = {id(each) for each in self.app.screen_stack}
        self._seen = {key: seen for key, seen in self._seen.items() if key in stack}
        # only the screen in front is reloaded; one under a dialog catches up when it is in front again
        if self._seen.setdefault(id(screen), previous) != version:
            self._seen[id(screen)] = version
            refresh(screen)


def refresh(screen: Screen[Any]) -> None:
    """Reload every live widget of `screen` shown now; mark the hidden ones to reload when shown."""
    for node in [screen, *screen.query("*")]:
        if not isinstance(node, LiveLedger):
            continue
        if node is screen or _displayed(node):
            node.ledger_changed()
        else:
            node._ledger_stale = True


def _displayed(widget: object) -> bool:
    assert isinstance(widget, DOMNode)
    return all(not isinstance(each, Widget) or each.display for each in widget.ancestors_with_self)

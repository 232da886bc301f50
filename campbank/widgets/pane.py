"""A section of the office screen: one concern, its data fetched off the UI thread each time it shows."""

from __future__ import annotations

from textual.containers import Vertical

from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.live import LiveLedger


class Pane(LiveLedger, LedgerWork, Vertical):
    """Subclasses set SECTION_ID / SECTION_TITLE / ROLES and implement `reload()` with `self.fetch`."""

    SECTION_ID: str = ""
    SECTION_TITLE: str = ""
    ROLES: frozenset[str] = frozenset({"staff", "manager"})
    PARTS: tuple[str, ...] = ()  # season parts (e.g. "loans") of which one must be on for it to show
    RELOADS_ON_SHOW = True

    DEFAULT_CSS = """
    Pane {
        height: 1fr;
        padding: 0 1;
    }
    Pane > .pane-title {
        text-style: bold;
        color: $accent;
        padding: 0 0 1 0;
    }
    """

    def on_show(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Fetch this pane's data again (called whenever the pane is shown)."""

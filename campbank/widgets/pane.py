"""A section of the office screen: one concern, its data fetched off the UI thread each time it shows."""

from __future__ import annotations

from time import monotonic

from textual.containers import Vertical

from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.live import LiveLedger

READ_AHEAD_SECONDS = 1.0
"""A read started when the section was chosen is the one shown, if it is this recent when the section shows."""


class Pane(LiveLedger, LedgerWork, Vertical):
    """Subclasses implement `reload()` with `self.fetch`; the office's list of sections (its id, title and
    who sees it) is `screens/office_sections.py`."""

    section_title: str = ""  # the menu's name for it, given by the office
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

    _read_ahead_at: float | None = None

    def read_ahead(self) -> None:
        """The section was chosen and will show at the next frame: start reading now, so the read runs
        while the screen lays the section out instead of after (the Show event comes a frame later)."""
        self._read_ahead_at = monotonic()
        self.reload()

    def on_show(self) -> None:
        ahead, self._read_ahead_at = self._read_ahead_at, None
        if ahead is None or monotonic() - ahead > READ_AHEAD_SECONDS:
            self.reload()

    def reload(self) -> None:
        """Fetch this pane's data again (called whenever the pane is shown)."""

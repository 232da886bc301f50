"""Python's full garbage collections, run while nobody is typing.

A full collection walks every object that has lived a while. In the office that is the libraries (a
quarter of a million objects), the season's screens and Textual's caches of painted lines: 20-200 ms, long
enough to be seen when it lands on a key press, as it does every few seconds of steady work. (Textual
itself stops the collector while it scrolls.)

So, while the app runs: what is alive once the first screen is up is frozen out of the collector's view
(it lives as long as the process); the collector's automatic full collections are turned off; and the app
runs one when it has been quiet for a moment and the usual amount of work has piled up, or, under
unbroken work, when several times that has. The young generations are collected as always.
"""

from __future__ import annotations

import gc

QUIET_SECONDS = 1.0
"""No key or click for this long: a full collection will not be noticed."""
USUAL = 10
"""Collections of the middle generation between two full ones (Python's own rule)."""
FORCED = 100
"""... and how many may pile up before one runs even while someone is typing."""
NEVER = 1_000_000

_frozen = False


class IdleCollector:
    def __init__(self) -> None:
        self._thresholds: tuple[int, int, int] | None = None
        self._mark = 0

    def start(self) -> None:
        """Take over full collections (once the first screen is up)."""
        global _frozen
        if not _frozen:  # once per process: what is frozen is never collected
            _frozen = True
            gc.freeze()
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _full = self._thresholds
            gc.set_threshold(young, middle, NEVER)
            self._mark = _middle_collections()

    def stop(self) -> None:
        """Give full collections back to Python (the app is closing)."""
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def tick(self, quiet_seconds: float) -> bool:
        """Run a full collection if one is due; True when it ran."""
        if self._thresholds is None:
            return False
        due = _middle_collections() - self._mark
        if due >= FORCED or (due >= USUAL and quiet_seconds >= QUIET_SECONDS):
            gc.collect()
            self._mark = _middle_collections()
            return True
        return False


def _middle_collections() -> int:
    return int(gc.get_stats()[1]["collections"])

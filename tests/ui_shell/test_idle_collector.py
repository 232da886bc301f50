"""Full garbage collections wait for a quiet moment, unless work piles up; Python gets them back after."""

from __future__ import annotations

import gc

from campbank.idle_collector import FORCED, NEVER, USUAL, IdleCollector


def middle_collections(n: int) -> None:
    for _ in range(n):
        gc.collect(1)


def test_full_collections_wait_for_a_quiet_moment() -> None:
    before = gc.get_threshold()
    collector = IdleCollector()
    collector.start()
    try:
        assert gc.get_threshold()[2] == NEVER
        middle_collections(USUAL)
        assert not collector.tick(quiet_seconds=0.1)  # someone is typing
        assert collector.tick(quiet_seconds=5.0)
        assert not collector.tick(quiet_seconds=5.0)  # nothing has piled up since
        middle_collections(FORCED)
        assert collector.tick(quiet_seconds=0.0)  # too much: even while someone types
    finally:
        collector.stop()
    assert gc.get_threshold() == before
    assert not collector.tick(quiet_seconds=5.0)  # stopped: Python's own rules again

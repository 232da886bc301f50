"""Signing in to the office reads the section shown, not every section: the sign-in's own audit row moves the
ledger, and when the change watch notices it while the office is still mounting, it reloads only what is
shown (every section used to read at once: on a 10,000-student camp, 6 s of statistics and 200 MB)."""

from __future__ import annotations

import pytest
from manager_pilot import Seeded, run, settle, sign_in
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher

from campbank.app import CampBankApp
from campbank.widgets import live
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.pane import Pane


def test_a_change_noticed_while_the_office_mounts_reloads_the_shown_section_alone(
        seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    readers: list[str] = []
    fetch = LedgerWork.fetch

    def recorded(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(self, Pane):
            readers.append(type(self).__name__)
        return fetch(self, *args, **kwargs)

    mounted = ContentSwitcher._on_mount

    def watch_fires_first(self, event):  # type: ignore[no-untyped-def]
        live.refresh(self.screen)  # the change watch, at the worst moment: the sections are in, not yet switched
        return mounted(self, event)

    monkeypatch.setattr(LedgerWork, "fetch", recorded)
    monkeypatch.setattr(ContentSwitcher, "_on_mount", watch_fires_first)

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await settle(pilot)
        assert set(readers) == {"DashboardPane"}, readers

    run(CampBankApp(seeded.db), script)

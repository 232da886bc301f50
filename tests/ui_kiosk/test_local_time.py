"""Every time on screen is the camp's local time; the ledger keeps UTC."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from helpers import STUDENT_PASSWORD, T0, query
from kiosk_support import run, settle, sign_in
from textual.widgets import DataTable

from campbank.app import CampBankApp
from campbank.ledger import clock
from campbank.ledger.actions import files
from campbank.widgets.when import LONG, SECONDS, when


@pytest.fixture
def yekaterinburg(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone is UTC+5 (a camp in the Urals), for this test only."""
    monkeypatch.setenv("TZ", "Asia/Yekaterinburg")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_stored_utc_time_is_shown_in_the_local_zone(yekaterinburg) -> None:  # type: ignore[no-untyped-def]
    stored = datetime(2018, 8, 10, 21, 30)  # as the ledger reads it back: UTC, without a zone
    assert when(stored) == "08-11 02:30"
    assert when(stored, LONG) == "2018-08-11 02:30"
    assert when(stored.replace(tzinfo=UTC), SECONDS) == "2018-08-11 02:30:00"
    assert when(None) == ""


def test_the_kiosk_shows_when_a_file_was_added_in_local_time(camp, today, yekaterinburg) -> None:  # type: ignore[no-untyped-def]
    with clock.fixed_at(T0):  # 12:00 UTC
        files.add_file(camp.db, camp.actor("t1"), "menu.md", b"# Soup")
    assert query(camp.path, "SELECT added_at FROM shared_file")[0][0].startswith("2018-08-10 12:00")

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        pilot.app.screen.query_one("#student-tabs").active = "tab-files"
        await settle(pilot)
        table = pilot.app.screen.query_one("#files-list", DataTable)
        assert str(table.get_row_at(0)[table.get_column_index("added")]) == "08-10 17:00"

    run(CampBankApp(camp.db, kiosk=True, idle_seconds=3600), script)

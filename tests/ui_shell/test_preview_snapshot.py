"""The preview before posting, on the smallest terminal the office supports (80x24): every name readable,
one line per student, Back and Post on screen."""

from __future__ import annotations

import contextlib

from helpers import STAFF_PASSWORD
from test_snapshots import app_factory, loaded, signing_in  # noqa: F401  (app_factory is a fixture)
from textual.widgets import OptionList
from textual.worker import WorkerFailed

from campbank.screens.staff.transaction_form import TransactionFormScreen
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.group_entry import GroupEntry

SIZE = (80, 24)


async def settled(pilot) -> None:  # type: ignore[no-untyped-def]
    """`loaded`, where the live summary of a half-filled form may have been refused on the way."""
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):
            await loaded(pilot)


def test_preview_of_a_workout_at_80x24(snap_compare, app_factory) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await signing_in("t1", STAFF_PASSWORD)(pilot)
        pilot.app.screen.query_one("#menu", OptionList).highlighted = 1  # New transaction
        await pilot.pause()
        pilot.app.push_screen(TransactionFormScreen("workout"))
        await settled(pilot)
        table = pilot.app.screen.query_one("#students-table", GroupEntry)
        table.tick("attendees", ["s1", "s2", "s3", "s5"])
        await pilot.press("f2")
        for _ in range(20):
            await settled(pilot)
            if isinstance(pilot.app.screen, ConfirmDialog):
                break
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await settled(pilot)

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=run_before)

"""Open screens follow changes made by another process, within 2 s, keeping the cursor where it was."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from time import monotonic

from helpers import STAFF_PASSWORD, STUDENT_PASSWORD, money
from kiosk_support import run, settle, sign_in
from textual.widgets import DataTable, Digits

from campbank.app import CampBankApp
from campbank.ledger.actions.posting import post
from campbank.screens.student.home import StudentScreen
from campbank.widgets.live import CHECK_SECONDS

FAST_CLI = ("from argon2 import PasswordHasher; from campbank.ledger.actions import auth; "
            "auth.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1); "
            "from campbank.cli import app; app()")


def post_from_another_process(path: Path, payload: dict[str, object]) -> None:
    """`campbank post` in its own process, with its own connection to the database file."""
    done = subprocess.run([sys.executable, "-c", FAST_CLI, "--db", str(path), "post", "--as", "t1", "-"],
                          input=json.dumps(payload), capture_output=True, text=True, timeout=120,
                          env={"CAMPBANK_PASSWORD": STAFF_PASSWORD, "PATH": "/usr/bin:/bin", "COLUMNS": "160"})
    assert done.returncode == 0, done.stdout + done.stderr


async def shown_by_the_watch(pilot, check, reads: int) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until `check()` holds, which must happen by the time the ledger watch has read the
    change marker `reads` times more (it reads once every CHECK_SECONDS, so two reads are the promised two
    seconds; one may have begun before the change) and the reload the last one started is drawn: one read
    more is allowed for that. Counted in the app's own reads, not in seconds, so a busy machine slows both
    alike; a change never shown fails after a minute."""
    watch = pilot.app.ledger_watch
    seen, done = watch.seen, []

    def counting(version: int) -> None:
        done.append(version)
        seen(version)

    watch.seen = counting
    start = monotonic()
    try:
        while not check():
            assert len(done) <= reads + 1, f"the change was not shown after {len(done)} reads of the marker"
            assert monotonic() - start < 60, "the change was never shown"
            await pilot.pause(0.05)
    finally:
        watch.seen = seen


def test_the_watch_reads_the_change_marker_every_second() -> None:
    assert CHECK_SECONDS == 1.0  # two reads after a change: it is shown within two seconds


def test_a_reward_posted_by_another_process_shows_on_the_open_kiosk_within_two_reads(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "s2", STUDENT_PASSWORD)
        assert isinstance(app.screen, StudentScreen)
        balance = app.screen.query_one("#balance", Digits)
        assert balance.value == "120.00@"
        await asyncio.to_thread(post_from_another_process, camp.path, money({"s2": "7.25"}))
        await shown_by_the_watch(pilot, lambda: balance.value == "127.25@", reads=2)

    run(CampBankApp(camp.db, kiosk=True, idle_seconds=3600), script)


def test_the_history_reloads_by_itself_keeping_the_cursor_on_its_line(camp, today) -> None:  # type: ignore[no-untyped-def]
    for amount in ("1", "2", "3"):
        post(camp.db, camp.actor("t1"), money({"s3": amount}))

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "s3", STUDENT_PASSWORD)
        await pilot.press("right")  # the History tab
        await settle(pilot)
        table = app.screen.query_one("#history", DataTable)
        table.focus()
        await pilot.press("down", "down")
        chosen = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rows_before = table.row_count
        await asyncio.to_thread(post_from_another_process, camp.path, money({"s3": "4"}))
        await shown_by_the_watch(pilot, lambda: table.row_count == rows_before + 1, reads=2)

        def under_cursor() -> object:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

        # the cursor is put back on its line once the new rows are drawn (the next frame)
        await shown_by_the_watch(pilot, lambda: under_cursor() == chosen, reads=0)
        assert table.cursor_row == 3  # the same line, one lower: the new one came in on top

    run(CampBankApp(camp.db, kiosk=True, idle_seconds=3600), script)

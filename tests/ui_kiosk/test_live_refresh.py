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

FAST_CLI = ("from argon2 import PasswordHasher; from campbank.ledger.actions import auth; "
            "auth.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1); "
            "from campbank.cli import app; app()")


def post_from_another_process(path: Path, payload: dict[str, object]) -> None:
    """`campbank post` in its own process, with its own connection to the database file."""
    done = subprocess.run([sys.executable, "-c", FAST_CLI, "--db", str(path), "post", "--as", "t1", "-"],
                          input=json.dumps(payload), capture_output=True, text=True, timeout=120,
                          env={"CAMPBANK_PASSWORD": STAFF_PASSWORD, "PATH": "/usr/bin:/bin", "COLUMNS": "160"})
    assert done.returncode == 0, done.stdout + done.stderr


async def shown_within(pilot, seconds: float, check) -> float:  # type: ignore[no-untyped-def]
    """Let the app run until `check()` holds; how long it took (fails after `seconds`)."""
    start = monotonic()
    while not check():
        assert monotonic() - start < seconds, "the change did not show in time"
        await pilot.pause(0.05)
    return monotonic() - start


def test_a_reward_posted_by_another_process_shows_on_the_open_kiosk_within_2_seconds(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "s2", STUDENT_PASSWORD)
        assert isinstance(app.screen, StudentScreen)
        balance = app.screen.query_one("#balance", Digits)
        assert balance.value == "120.00@"
        await asyncio.to_thread(post_from_another_process, camp.path, money({"s2": "7.25"}))
        await shown_within(pilot, 2.0, lambda: balance.value == "127.25@")

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
        await shown_within(pilot, 2.0, lambda: table.row_count == rows_before + 1)

        def under_cursor() -> object:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

        # the cursor is put back on its line once the new rows are drawn (the next frame)
        await shown_within(pilot, 1.0, lambda: under_cursor() == chosen)
        assert table.cursor_row == 3  # the same line, one lower: the new one came in on top

    run(CampBankApp(camp.db, kiosk=True, idle_seconds=3600), script)

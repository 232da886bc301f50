"""Snapshots of the key screens of each role, on fixed data and a fixed day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import DAY, STAFF_PASSWORD, STUDENT_PASSWORD, copy_database
from textual.widgets import Input

from campbank.app import CampBankApp
from campbank.ledger import clock
from campbank.ledger.store.database import open_database

SIZE = (120, 40)


@pytest.fixture
def app_factory(camp_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "today", lambda: date.fromisoformat(DAY))
    path = tmp_path / "snap.db"
    copy_database(camp_template, path)
    databases = []

    def make(**options: object) -> CampBankApp:
        database = open_database(path)
        databases.append(database)
        return CampBankApp(database, **options)  # type: ignore[arg-type]

    yield make
    for database in databases:
        database.dispose()


def signing_in(username: str, password: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        pilot.app.screen.query_one("#username", Input).value = username
        pilot.app.screen.query_one("#password", Input).value = password
        await pilot.click("#sign-in")
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return run_before


async def loaded(pilot) -> None:  # type: ignore[no-untyped-def]
    """The screen as it stands once its ledger reads are shown (on a busy machine they come late), with a
    steady cursor: a blinking one is drawn or not depending on when the picture is taken."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def test_login_screen(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=loaded)


def test_kiosk_login_screen(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(kiosk=True), terminal_size=SIZE, run_before=loaded)


def test_student_home(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=signing_in("s1", STUDENT_PASSWORD))


def test_staff_dashboard(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=signing_in("t1", STAFF_PASSWORD))


def test_kiosk_home_at_100_by_30(snap_compare, app_factory) -> None:  # type: ignore[no-untyped-def]
    """The kiosk a student signs in to, at a small kiosk's size: every tab label and percentage whole."""
    assert snap_compare(app_factory(kiosk=True), terminal_size=(100, 30),
                        run_before=signing_in("s1", STUDENT_PASSWORD))

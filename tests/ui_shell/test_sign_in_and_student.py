"""Pilot tests of signing in and out, the student screens, the office idle lock and the kiosk."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from helpers import DAY, STAFF_PASSWORD, STUDENT_PASSWORD, copy_database, query
from textual.widgets import Button, Digits, Input, Static
from textual.worker import WorkerFailed

from campbank.app import CampBankApp
from campbank.ledger import clock
from campbank.ledger.store.database import open_database
from campbank.screens.kiosk_exit import KioskExitScreen
from campbank.screens.lock import LockScreen
from campbank.screens.login import LoginScreen
from campbank.screens.office import OfficeScreen
from campbank.screens.student.home import StudentScreen

SIZE = (120, 40)


@pytest.fixture
def camp_db(camp_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from datetime import date

    monkeypatch.setattr(clock, "today", lambda: date.fromisoformat(DAY))
    path = tmp_path / "ui.db"
    copy_database(camp_template, path)
    db = open_database(path)
    yield db
    db.dispose()


def run(app: CampBankApp, script: Callable[..., Awaitable[None]]) -> None:
    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await script(pilot)

    asyncio.run(main())


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the ledger workers (a refused call is shown by the app, not raised here)."""
    with contextlib.suppress(WorkerFailed):
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def sign_in(pilot, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await pilot.pause()
    app.screen.query_one("#username", Input).value = username
    app.screen.query_one("#password", Input).value = password
    button = app.screen.query_one("#sign-in", Button)
    while button.has_class("-active"):  # a button takes no click for 0.2 s after a press (no double submit)
        await pilot.pause(0.02)
    await pilot.click("#sign-in")
    await settle(pilot)


def test_a_student_signs_in_sees_their_balance_and_signs_out(camp_db) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        assert isinstance(app.screen, StudentScreen)
        await settle(pilot)
        assert app.screen.query_one("#balance", Digits).value == "120.00@"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
        assert app.screen.query_one("#username", Input).value == ""

    run(CampBankApp(camp_db), script)
    actions = [a for (a,) in query(camp_db.path, "SELECT action FROM audit_log WHERE target = 'user:s1'")]
    assert "login.ok" in actions and "logout" in actions


def test_a_wrong_password_is_refused_with_a_message_and_five_lock_the_account(camp_db) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        for _ in range(5):
            await sign_in(pilot, "s1", "wrong-password")
        assert isinstance(app.screen, LoginScreen)
        message = str(app.screen.query_one("#login-message", Static).render())
        assert "locked" in message
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        assert isinstance(app.screen, LoginScreen)  # the right password waits for the lockout to end
        assert "locked" in str(app.screen.query_one("#login-message", Static).render())

    run(CampBankApp(camp_db), script)


def test_a_student_asks_to_send_money_and_cancels_the_request(camp_db) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        await pilot.press("right", "right")  # to the "Send" tab
        await settle(pilot)
        screen = app.screen
        screen.query_one("#who", Input).focus()
        await pilot.press(*"Student02")
        await pilot.press("enter", "enter")  # into the matches, pick the first
        await pilot.pause()
        await pilot.press(*"12.50", "enter")
        await pilot.press(*"for the cake", "enter")
        await settle(pilot)
        rows = query(camp_db.path, "SELECT id, state FROM txn WHERE type = 'p2p'")
        assert len(rows) == 1 and rows[0][1] == "created"
        await settle(pilot)
        screen.query_one("#requests").focus()
        await pilot.press("c")
        await settle(pilot)
        assert query(camp_db.path, "SELECT state FROM txn WHERE type = 'p2p'") == [("declined",)]

    run(CampBankApp(camp_db), script)


def test_the_office_locks_when_idle_and_the_same_password_unlocks_it(camp_db) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "t1", STAFF_PASSWORD)
        assert isinstance(app.screen, OfficeScreen)
        app.idle_seconds = 0.0
        app.lock_when_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, LockScreen)  # escape does not unlock
        app.idle_seconds = 3600
        await pilot.press(*STAFF_PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, OfficeScreen)

    run(CampBankApp(camp_db), script)


def test_the_kiosk_takes_students_only_and_signs_out_when_idle(camp_db) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "t1", STAFF_PASSWORD)
        assert isinstance(app.screen, LoginScreen)
        assert "cannot sign in here" in str(app.screen.query_one("#login-message", Static).render())
        await sign_in(pilot, "s2", STUDENT_PASSWORD)
        assert isinstance(app.screen, StudentScreen)
        app.idle_seconds = 0.0
        app.lock_when_idle()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.actor is None

    run(CampBankApp(camp_db, kiosk=True), script)
    assert query(camp_db.path, "SELECT COUNT(*) FROM audit_log WHERE action = 'logout' "
                               "AND detail LIKE '%idle%'") == [(1,)]


def test_the_kiosk_cannot_be_quit_without_a_staff_password(camp_db) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, KioskExitScreen)
        await pilot.press(*"s1", "enter", *STUDENT_PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, KioskExitScreen) and app.is_running  # a student cannot close it
        await pilot.press("escape")
        await pilot.press("ctrl+q")
        await pilot.pause()
        app.screen.query_one("#exit-username", Input).value = "t1"
        app.screen.query_one("#exit-password", Input).focus()
        await pilot.press(*STAFF_PASSWORD, "enter")
        await settle(pilot)
        assert app.return_code is not None or not app.is_running

    run(CampBankApp(camp_db, kiosk=True), script)

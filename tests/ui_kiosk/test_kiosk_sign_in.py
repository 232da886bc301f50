"""Signing in on the kiosk as a password manager or a card scanner types, and the idle start-over."""

from __future__ import annotations

from helpers import STUDENT_PASSWORD
from kiosk_support import burst, run, settle
from textual.widgets import Input

from campbank.app import CampBankApp
from campbank.screens.login import LoginScreen
from campbank.screens.student.home import StudentScreen


def test_a_whole_login_sent_at_once_keeps_its_tab(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        burst(pilot.app, f"s1\t{STUDENT_PASSWORD}\r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StudentScreen), pilot.app.screen.query_one("#login-message").render()
        assert pilot.app.actor.username == "s1"

    run(CampBankApp(camp.db, kiosk=True, idle_seconds=3600), script)


def test_a_whole_login_with_enter_between_the_fields_signs_in_too(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        burst(pilot.app, f"s2\r{STUDENT_PASSWORD}\r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StudentScreen)
        assert pilot.app.actor.username == "s2"

    run(CampBankApp(camp.db, idle_seconds=3600), script)


def test_a_half_typed_login_is_wiped_when_the_kiosk_goes_quiet(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await settle(pilot)
        await pilot.press(*"s3", "tab", *"stud")
        login = app.screen
        assert isinstance(login, LoginScreen)
        assert login.query_one("#password", Input).value == "stud"
        app.idle_seconds = 3600
        app.lock_when_idle()  # not quiet long enough: nothing is wiped
        assert login.query_one("#username", Input).value == "s3"
        app.idle_seconds = 0.0
        app.lock_when_idle()
        await pilot.pause()
        assert login.query_one("#username", Input).value == ""
        assert login.query_one("#password", Input).value == ""
        assert app.focused is login.query_one("#username", Input)

    run(CampBankApp(camp.db, kiosk=True, idle_seconds=3600), script)

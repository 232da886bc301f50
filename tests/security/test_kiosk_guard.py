"""The kiosk stays a kiosk: an unexpected error signs the student out instead of closing it, the kiosk
command starts the app again unless staff closed it, and the README's login shell starts it again even
after the process is killed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import typer
from helpers import STUDENT_PASSWORD, query
from hostile import message_of, run, settle, sign_in
from textual.widgets import TabbedContent

from campbank import app as app_module
from campbank.app import CampBankApp
from campbank.cli import ui
from campbank.screens.login import LoginScreen
from campbank.screens.student import transfer
from campbank.screens.student.home import StudentScreen

README = Path(__file__).parents[2] / "README.md"


def broken_send(self) -> None:  # type: ignore[no-untyped-def]
    raise RuntimeError("an unexpected error inside a kiosk screen")


def test_an_error_in_a_kiosk_screen_signs_the_student_out(hostile_camp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The student is signed out and the login is back; past the limit, the kiosk closes (its login program
    starts a fresh one)."""
    monkeypatch.setattr(transfer.TransferView, "send", broken_send)
    monkeypatch.setattr(app_module, "KIOSK_RECOVERIES_PER_MINUTE", 2)  # (5 in the kiosk; fewer, for speed)

    async def crash(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        assert isinstance(pilot.app.screen, StudentScreen)
        pilot.app.screen.query_one("#student-tabs", TabbedContent).active = "tab-transfer"
        await settle(pilot)
        await pilot.click("#send")
        await settle(pilot)

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        for count in (1, 2):
            await crash(pilot)
            assert app.is_running and isinstance(app.screen, LoginScreen) and app.actor is None
            assert [str(e) for e in app.recovered] == ["an unexpected error inside a kiosk screen"] * count
            assert "signed out" in message_of(app, "#login-message")
        await crash(pilot)  # one more within the minute: the kiosk closes

    with pytest.raises(RuntimeError, match="an unexpected error inside a kiosk screen"):
        run(CampBankApp(hostile_camp.db, kiosk=True), script)
    assert query(hostile_camp.path, "SELECT COUNT(*) FROM audit_log WHERE action = 'logout' "
                                    "AND detail LIKE '%\"error\"%'") == [(2,)]


def test_an_error_in_the_login_screen_itself_gives_a_fresh_one(hostile_camp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    tries = {"n": 0}
    sign_in_for_real = LoginScreen.sign_in

    def flaky(self) -> None:  # type: ignore[no-untyped-def]
        tries["n"] += 1
        if tries["n"] == 1:
            raise RuntimeError("the login screen failed")
        sign_in_for_real(self)

    monkeypatch.setattr(LoginScreen, "sign_in", flaky)

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        assert isinstance(app.screen, LoginScreen) and app.screen.is_running and app.recovered
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        assert isinstance(app.screen, StudentScreen)
        app.action_logout()
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.screen.is_running

    run(CampBankApp(hostile_camp.db, kiosk=True), script)


def test_the_office_is_not_guarded(hostile_camp, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Staff see what went wrong: only the kiosk hides errors behind a fresh login."""
    monkeypatch.setattr(transfer.TransferView, "send", broken_send)

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        pilot.app.screen.query_one("#student-tabs", TabbedContent).active = "tab-transfer"
        await settle(pilot)
        await pilot.click("#send")
        await settle(pilot)

    with pytest.raises(RuntimeError):
        run(CampBankApp(hostile_camp.db), script)


class FakeKiosk:
    """Stands in for the app: `run` returns as the real one does, closed by staff or not."""

    def __init__(self, runs: list[str], closed_by_staff: bool) -> None:
        self.runs = runs
        self.closed_by_staff = closed_by_staff

    def run(self) -> None:
        self.runs.append("run")


def test_the_kiosk_command_starts_the_app_again_until_staff_close_it() -> None:
    runs: list[str] = []
    outcomes = iter([False, False, True])  # crashed, crashed, closed with a staff password

    def ours(_number: int, _frame: object) -> None: ...

    # A handler of our own, whatever this process started with (a shell's background job ignores SIGINT)
    before = {number: signal.signal(number, ours) for number in (signal.SIGINT, signal.SIGQUIT)}
    try:
        ui.run_kiosk(lambda: FakeKiosk(runs, next(outcomes)), pause=0)
        given_back = {number: signal.getsignal(number) for number in before}
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
    assert runs == ["run", "run", "run"]
    assert given_back == {signal.SIGINT: ours, signal.SIGQUIT: ours}  # the handlers are given back


def test_the_kiosk_command_gives_up_on_a_kiosk_that_cannot_start() -> None:
    runs: list[str] = []
    with pytest.raises(typer.Exit):
        ui.run_kiosk(lambda: FakeKiosk(runs, False), pause=0)
    assert len(runs) == ui.KIOSK_RESTARTS_PER_MINUTE + 1


def login_shell(tmp_path: Path) -> Path:
    """The README's login shell for the kiosk account, with a fake `campbank` that dies at once (SIGKILL)."""
    found = re.search(r"`/usr/local/bin/campbank-kiosk-shell`[^\n]*\n\n```sh\n(.*?)```", README.read_text(), re.S)
    assert found, "the README shows the kiosk account's login shell"
    fake = tmp_path / "campbank"
    fake.write_text(f'#!/bin/sh\necho "$* $CAMPBANK_DB" >> {tmp_path}/starts\nkill -9 $$\n')
    fake.chmod(0o755)
    script = tmp_path / "campbank-kiosk-shell"
    script.write_text(found.group(1).replace("/usr/local/bin/campbank", str(fake)))
    script.chmod(0o755)
    return script


def test_the_readme_login_shell_starts_a_crashed_kiosk_again(tmp_path: Path) -> None:
    shell = subprocess.Popen([str(login_shell(tmp_path))], start_new_session=True)
    starts = tmp_path / "starts"
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(starts.read_text().splitlines() if starts.exists() else []) < 2:
            time.sleep(0.1)
        os.killpg(shell.pid, signal.SIGINT)  # Ctrl+C and Ctrl+\ between two runs change nothing
        os.killpg(shell.pid, signal.SIGQUIT)
        seen = len(starts.read_text().splitlines())
        while time.monotonic() < deadline and len(starts.read_text().splitlines()) <= seen:
            time.sleep(0.1)
        assert shell.poll() is None, "the login shell ended"
        lines = starts.read_text().splitlines()
        assert len(lines) > seen >= 2
        assert set(lines) == {"kiosk /srv/camp/campbank.db"}
    finally:
        os.killpg(shell.pid, signal.SIGKILL)
        shell.wait()

"""The office page and the kiosk in headless Chromium: a student signs in at the kiosk and sees the balance."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import balance
from web_support import Server

from campbank.core.money import format_amount

pytestmark = pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(),
    reason="Debian's chromium is not installed here (.ci/run installs it with apt-get install chromium)")


def test_office_and_kiosk_pages_in_chromium(server: Server, tmp_path: Path) -> None:
    from web_browser import Terminal, chromium, shows_digits

    with chromium() as browser:
        office = Terminal(browser.new_page())
        office.open(server.url + "/")
        screen = office.wait_for("Sign in")
        assert "student kiosk" not in screen
        office.page.screenshot(path=tmp_path / "office.png")

        kiosk = Terminal(browser.new_page())
        kiosk.open(server.url + "/kiosk")
        kiosk.wait_for("student kiosk")
        kiosk.type("s1")
        kiosk.wait_for("s1 ")
        kiosk.press("Enter")
        kiosk.page.wait_for_timeout(300)  # the password field takes the focus
        kiosk.type("student-pass-1")
        kiosk.press("Enter")
        screen = kiosk.wait_for("Book certificates")
        assert len(server.session_processes()) == 2  # one process per open page

        expected = format_amount(balance(server.db_path, "s1"), "@")
        assert shows_digits(screen, expected), f"{expected} not drawn in large digits on:\n{screen}"
        assert "Book certificates: 0.00@" in screen
        kiosk.page.screenshot(path=tmp_path / "kiosk-student.png")
    assert (tmp_path / "kiosk-student.png").stat().st_size > 10_000

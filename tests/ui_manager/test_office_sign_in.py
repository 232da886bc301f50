"""Signing in to the office reads the section shown, not every section: the sign-in's own audit row moves the
ledger, and when the change watch notices it while the office is still mounting, it reloads only what is
shown (every section used to read at once: on a 10,000-student camp, 6 s of statistics and 200 MB)."""

from __future__ import annotations

import subprocess
import sys
from textwrap import wrap

import pytest
from helpers import MANAGER, MANAGER_PASSWORD, money
from manager_pilot import Seeded, run, settle, sign_in
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Static

from campbank.app import CampBankApp
from campbank.ledger.actions.posting import post
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES
from campbank.widgets import live
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.pane import Pane

CLASSIC = SEASON_FILES["classic"].read_text(encoding="utf-8")


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


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_every_dashboard_card_draws_all_its_words(seeded: Seeded, size: tuple[int, int]) -> None:
    """A card grows to hold its words rather than losing its last lines on a narrow terminal: here the
    transfers' card also says a reward waits for a second manager."""
    camp = seeded.camp
    held = CLASSIC.replace("[oversight]\nenabled = false", '[oversight]\nenabled = true\nsecond_approval_above = "50"')
    season_store.load(camp.db, camp.manager, held, "classic-four-eyes.toml")
    assert post(camp.db, camp.actor("t1"), money({"s4": "90"})).waits

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await settle(pilot)
        for card in pilot.app.screen.query(".card").results(Static):
            inside = card.content_size.width
            words = str(card.render()).split("\n")
            needed = sum(len(wrap(line, inside)) for line in words)
            assert card.content_size.height >= needed, (card.id, words, card.content_size)

    run(CampBankApp(seeded.db, idle_seconds=3600), script, size=size)


def test_a_section_made_once_shows_again_when_chosen_again(seeded: Seeded) -> None:
    """Each section is made the first time it is chosen; choosing it again later shows it again, and a
    section chosen while another is still being made is the one shown."""
    def shown(pilot: Pilot) -> str | None:
        return pilot.app.screen.query_one(ContentSwitcher).current

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        screen = pilot.app.screen
        for section in ("students", "dashboard", "students", "approvals", "dashboard", "approvals"):
            screen.show_section(section)
            await settle(pilot)
            assert shown(pilot) == section
        screen.show_section("audit")  # never made yet: chosen, and left before it is mounted
        screen.show_section("students")
        await settle(pilot)
        assert shown(pilot) == "students"
        assert len(screen.query_one(ContentSwitcher).children) == 4  # made once each

    run(CampBankApp(seeded.db, idle_seconds=3600), script)


def test_enter_on_a_section_goes_into_it_and_the_arrows_only_show_it(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        screen = pilot.app.screen
        menu = screen.query_one("#menu")
        menu.focus()
        await pilot.press("down", "down")  # dashboard, new transaction, students
        await settle(pilot)
        assert screen.query_one(ContentSwitcher).current == "students"
        assert screen.focused is menu  # looking through the sections leaves the focus in the menu
        await pilot.press("enter")
        await settle(pilot)
        students = screen.query_one(ContentSwitcher).get_child_by_id("students")
        assert screen.focused is not None and students in screen.focused.ancestors, screen.focused
        await pilot.press("ctrl+o", "down", "enter")  # a section not made yet: made, then entered
        await settle(pilot)
        section = screen.query_one(ContentSwitcher).current
        assert section == "my-transactions"
        shown = screen.query_one(ContentSwitcher).get_child_by_id(section)
        assert screen.focused is not None and shown in screen.focused.ancestors, screen.focused

    run(CampBankApp(seeded.db, idle_seconds=3600), script)


SIGN_IN_AND_LIST_SECTIONS_CODE = """
import asyncio, sys
from textual.widgets import Input
from campbank.app import CampBankApp
from campbank.ledger.store.database import open_database

async def main():
    app = CampBankApp(open_database(sys.argv[1]), idle_seconds=3600)
    async with app.run_test() as pilot:
        await pilot.pause()
        app.screen.query_one("#username", Input).value = sys.argv[2]
        app.screen.query_one("#password", Input).value = sys.argv[3]
        await pilot.click("#sign-in")
        while type(app.screen).__name__ != "OfficeScreen":
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        print(" ".join(sorted(name for name in sys.modules if name.startswith(("campbank.screens.staff.",
                                                                              "campbank.screens.manager.",
                                                                              "campbank.screens.disputes.")))))

asyncio.run(main())
"""


def test_signing_in_loads_the_code_of_the_first_section_only(seeded: Seeded) -> None:
    """A section's code loads when it is first opened: in a fresh process (a browser session), a manager's
    sign-in loads the dashboard's and none of the other nineteen sections'."""
    loaded = subprocess.run([sys.executable, "-c", SIGN_IN_AND_LIST_SECTIONS_CODE, str(seeded.db.path), MANAGER,
                             MANAGER_PASSWORD], capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert loaded == ["campbank.screens.staff.dashboard"], loaded

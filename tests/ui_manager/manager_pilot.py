"""Pilot helpers for the manager's screens: run a script, wait for the ledger, sign in, open a section."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from helpers import MANAGER, MANAGER_PASSWORD, Camp
from textual.pilot import Pilot
from textual.widgets import Input, OptionList
from textual.worker import WorkerFailed

from campbank.app import CampBankApp
from campbank.screens.office import OfficeScreen

SIZE = (120, 40)


@dataclass
class Seeded:
    """The camp and the transactions the tests look for."""

    camp: Camp
    by_t1: int  # general_money from staff t1 to s1 and s2
    by_t2: int  # general_money from staff t2 to s3

    @property
    def db(self):  # type: ignore[no-untyped-def]
        return self.camp.db


def run(app: CampBankApp, script: Callable[[Pilot], Awaitable[None]], size: tuple[int, int] = SIZE) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await script(pilot)

    asyncio.run(main())


async def settle(pilot: Pilot) -> None:
    """Wait for the ledger workers (a refused call is shown by the app, not raised here)."""
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def sign_in(pilot: Pilot, username: str = MANAGER, password: str = MANAGER_PASSWORD) -> None:
    app = pilot.app
    await pilot.pause()
    app.screen.query_one("#username", Input).value = username
    app.screen.query_one("#password", Input).value = password
    await pilot.click("#sign-in")
    await settle(pilot)
    assert isinstance(app.screen, OfficeScreen), f"{username} did not reach the office"


async def open_section(pilot: Pilot, section: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, OfficeScreen)
    screen.show_section(section)
    await settle(pilot)


def menu_ids(pilot: Pilot) -> list[str]:
    menu = pilot.app.screen.query_one("#menu", OptionList)
    return [menu.get_option_at_index(i).id or "" for i in range(menu.option_count)]


def notices(pilot: Pilot) -> list[str]:
    return [n.message for n in pilot.app._notifications]  # Textual keeps them here

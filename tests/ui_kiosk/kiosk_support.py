"""Steps the kiosk and refresh tests share: the app on a test camp, a burst of keys as a terminal sends it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from textual import events
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from campbank.app import CampBankApp

SIZE = (120, 40)

KEY_NAMES = {"\t": ("tab", None), "\r": ("enter", "\r")}


def run(app: CampBankApp, script: Callable[[Pilot], Awaitable[None]], *, size: tuple[int, int] = SIZE) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await script(pilot)

    asyncio.run(main())


async def settle(pilot: Pilot) -> None:
    """Until the app is quiet: two rounds in a row with no worker running. A tab's view is made when the tab
    is first opened, and starts its read only once mounted, a round or two after the tab was chosen."""
    quiet = 0
    for _ in range(20):
        busy = any(not worker.is_finished for worker in pilot.app.workers)
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        quiet = 0 if busy else quiet + 1
        if quiet == 2:
            return


def burst(app: CampBankApp, text: str) -> None:
    """Queue every key of `text` at once, as a terminal delivers one read of a password manager or a card
    scanner (Pilot's `press` waits after each key, which hides what a burst does)."""
    for char in text:
        key, character = KEY_NAMES.get(char, (char, char))
        app.post_message(events.Key(key, character))


async def sign_in(pilot: Pilot, username: str, password: str) -> None:
    """Each field as one paste and Enter (typed key by key in the sign-in tests and by `burst`)."""
    await settle(pilot)
    for text in (username, password):
        pilot.app.post_message(events.Paste(text))
        await pilot.press("enter")
    await settle(pilot)

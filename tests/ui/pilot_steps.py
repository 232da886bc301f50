"""Steps the UI tests share: sign in, open a section, wait for the ledger workers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList
from textual.worker import WorkerFailed

from campbank.app import CampBankApp

STAFF_PASSWORD = "staff-pass-1"


def make_app(camp) -> CampBankApp:  # type: ignore[no-untyped-def]
    """The app on a test camp, with an idle lock that never fires during a test."""
    return CampBankApp(camp.db, idle_seconds=3600)


def run(test: Callable[[], Awaitable[None]]) -> None:
    """Run an async test body (pytest-asyncio is not installed)."""
    asyncio.run(test())


async def settle(pilot: Pilot) -> None:
    """Let every ledger worker finish and its result show (a refused call is shown by the app, not raised
    here: the live summary of a half-filled form is refused whenever its timer fires first)."""
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def sign_in(pilot: Pilot, username: str, password: str = STAFF_PASSWORD) -> None:
    """Each field as one paste and Enter: typing them key by key is the sign-in tests' business, and costs a
    test a quarter of a second."""
    await settle(pilot)
    for text in (username, password):
        pilot.app.post_message(events.Paste(text))
        await pilot.press("enter")
    await settle(pilot)


async def open_section(pilot: Pilot, section_id: str) -> None:
    """Highlight a section in the office menu and move into it (Tab), as a person would."""
    menu = pilot.app.screen.query_one("#menu", OptionList)
    menu.focus()
    await pilot.pause()
    target = menu.get_option_index(section_id)
    steps = target - (menu.highlighted or 0)
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))
    await pilot.press("tab")
    await settle(pilot)


async def choose(pilot: Pilot, select_id: str, text: str) -> None:
    """Open a Select from the keyboard and move down to the option whose label contains `text`."""
    from textual.widgets import Select
    from textual.widgets._select import SelectOverlay

    select = pilot.app.screen.query_one(f"#{select_id}", Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    overlay = select.query_one(SelectOverlay)
    for _ in range(overlay.option_count + 1):
        highlighted = overlay.highlighted
        if highlighted is not None and text in str(overlay.get_option_at_index(highlighted).prompt):
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def focus_on(pilot: Pilot, selector: str, *, most: int = 12) -> None:
    """Press Tab until the widget matching `selector` has the focus."""
    target = pilot.app.screen.query_one(selector)
    for _ in range(most + 1):
        if pilot.app.focused is target or (pilot.app.focused is not None and target in pilot.app.focused.ancestors):
            return
        if _ < most:
            await pilot.press("tab")
    raise AssertionError(f"Tab never reached {selector}; the focus is on {pilot.app.focused}")

"""Target 7 through the TUI itself: the manager's table of all transactions, driven by Textual's Pilot.

Each figure is the time from the key event reaching the app (or from choosing the section) to the
frame that shows the new page (or cursor) being written to the headless 120x40 terminal, with nothing
left to draw. (Pilot's wait for "every widget has handled its messages" is not used: it posts a callback
to each of the office's two hundred widgets, a round trip no key press in a terminal makes, and it was
measured with the page.) The keys are posted as the terminal driver posts them, not with `Pilot.press`,
whose idle waits (at least 40 ms a key) would be measured too. The app signs in as the manager through
the login screen first, as a person would.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input

from campbank.app import CampBankApp
from campbank.ledger.store.database import open_database
from campbank.screens.manager.transaction_filter import TransactionFilterForm
from campbank.screens.manager.transactions import TransactionsPane
from campbank.screens.office import OfficeScreen
from campbank.widgets.page_table import PageTable

POLL = 0.001
QUIET = 0.2
ROW_STEPS = 5  # one row down, this many times a run: a step is a few milliseconds, so one sample is noise
ACTIONS = (  # name, keys pressed on the table
    ("next page (])", "right_square_bracket"),
    ("sort: amount (4)", "4"),
    ("sort: amount again, flips (4)", "4"),
    ("sort: recipients (7)", "7"),
    ("sort: description (8)", "8"),
    ("sort: creator (5)", "5"),
)


def measure(path: Path, username: str, password: str, runs: int) -> dict[str, list[float]]:
    """Seconds per step of each run: open, the actions above, a text filter and clearing it, one row down.

    Each run is a fresh process, as the office is: one app started from the command line (several apps in
    one process would each inherit the garbage and the collector's work of the ones before)."""
    times: dict[str, list[float]] = {}
    spawn = multiprocessing.get_context("spawn")
    for _ in range(runs):
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as process:
            for name, seconds in process.submit(_measure_once, path, username, password).result().items():
                times.setdefault(name, []).extend(seconds)
    return times


def _measure_once(path: Path, username: str, password: str) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    db = open_database(path)
    try:
        asyncio.run(_one_run(CampBankApp(db), username, password, times))
    finally:
        db.dispose()
    return times


async def _one_run(app: CampBankApp, username: str, password: str, times: dict[str, list[float]]) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await _sign_in(pilot, username, password)
        office = app.screen
        assert isinstance(office, OfficeScreen)

        # A section is made the first time it is opened (its code imported, its widgets mounted): that is
        # part of opening it. The switcher is found before the clock starts, so the wait below polls its
        # child, not a query of the whole screen every millisecond (which the event loop would run between
        # the table's own steps and count as opening time).
        switcher = office.query_one(ContentSwitcher)

        def opened() -> bool:
            pane = switcher.visible_content
            return isinstance(pane, TransactionsPane) and pane.page is not None

        app.last_activity = time.monotonic()  # what the click on the menu that chooses the section does
        start = time.perf_counter()
        office.show_section("transactions")
        shown = await _until(pilot, opened)
        times.setdefault("open the table", []).append(shown - start)
        pane = switcher.visible_content
        assert isinstance(pane, TransactionsPane)
        table = pane.query_one("#tx-table", PageTable)
        table.focus()
        await pilot.pause()

        for name, key in ACTIONS:
            times.setdefault(name, []).append(
                await _timed_page(pilot, pane, table, lambda key=key: _press(pilot, key)))

        for _ in range(ROW_STEPS):
            row = table.cursor_row
            start = time.perf_counter()
            await _press(pilot, "j")
            shown = await _until(pilot, lambda row=row: table.cursor_row != row, table)
            times.setdefault("one row down (j)", []).append(shown - start)
            await asyncio.sleep(0.05)  # a person's next key press comes later than the frame

        await pilot.press("slash")
        form = pane.query_one(TransactionFilterForm)
        await _until(pilot, lambda: bool(form.display))
        await pilot.press(*"olympiad")  # typed into the form's text box, as a person types it
        assert form.query_one("#f-text", Input).value == "olympiad"
        await pilot.pause()
        times.setdefault("filter: text 'olympiad'", []).append(
            await _timed_page(pilot, pane, table, lambda: _press(pilot, "enter")))
        table.focus()
        await pilot.pause()
        times.setdefault("clear the filter (Esc)", []).append(
            await _timed_page(pilot, pane, table, lambda: _press(pilot, "escape")))


async def _press(pilot: Pilot, key: str) -> None:
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(pilot.app)
    pilot.app.post_message(event)


async def _sign_in(pilot: Pilot, username: str, password: str) -> None:
    await pilot.pause()
    pilot.app.screen.query_one("#username", Input).value = username
    pilot.app.screen.query_one("#password", Input).value = password
    await pilot.click("#sign-in")
    await _until(pilot, lambda: isinstance(pilot.app.screen, OfficeScreen), limit=30)
    # A person reads the dashboard before choosing a section: its figures are read in full, and the app
    # has its quiet second (when it collects the garbage of starting and signing in: campbank/idle_collector.py).
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(1.5)


async def _timed_page(pilot: Pilot, pane: TransactionsPane, table: PageTable,
                      act: Callable[[], Awaitable[object]]) -> float:
    before = pane.page
    start = time.perf_counter()
    await act()
    return await _until(pilot, lambda: pane.page is not before, table) - start


async def _until(pilot: Pilot, ready: Callable[[], bool], widget: Widget | None = None, limit: float = 10) -> float:
    """Wait for `ready`, then for the frame that draws it; returns when that frame was written.

    A change makes its widget dirty until a frame draws it, but the widget hands the change to the screen
    in a message and looks clean meanwhile: so the frame counted is one written after `ready` was seen,
    with nothing left to draw. (If the change was drawn in the millisecond before it was seen, no frame
    follows: after QUIET seconds of a clean screen that earlier frame is the one.)"""
    frames = _frames(pilot.app)
    give_up = time.perf_counter() + limit
    while not ready():
        await _poll(give_up)
    seen = time.perf_counter()
    while _dirty(pilot.app.screen, widget) or (frames.last < seen and time.perf_counter() - seen < QUIET):
        await _poll(give_up)
    return frames.last


async def _poll(give_up: float) -> None:
    if time.perf_counter() > give_up:
        raise TimeoutError("the TUI did not get there")
    await asyncio.sleep(POLL)


def _dirty(screen: Screen, widget: Widget | None) -> bool:
    return bool(screen._layout_required or screen._repaint_required or screen._dirty_widgets
                or (widget is not None and widget._repaint_required))


class _Frames:
    """When the app last wrote a frame to its terminal."""

    def __init__(self, app: App) -> None:
        self.last = time.perf_counter()
        display = app._display

        def timed(screen: Screen, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:  # a screen update that found nothing to draw writes nothing
                self.last = time.perf_counter()

        app._display = timed  # type: ignore[method-assign]


def _frames(app: App) -> _Frames:
    frames: _Frames | None = getattr(app, "_bench_frames", None)
    if frames is None:
        frames = _Frames(app)
        app._bench_frames = frames  # type: ignore[attr-defined]
    return frames


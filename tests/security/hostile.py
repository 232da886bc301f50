"""Hostile text and the checks every hostile-text test shares: what the screen shows, what reaches the
terminal, and whether the app is still alive.

`HOSTILE` is what a student (or a careless secretary) can type or paste: markup that Rich and Textual
would parse, terminal escape sequences, control characters, direction overrides, a 10,000-character string,
and text a spreadsheet would run. `OLD` is text an older CampBank stored before the input filter existed.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled, WorkerFailed

from campbank.app import CampBankApp
from campbank.core.text import text_problem

SIZE = (120, 40)

MARKUP = {"closing tag": "thanks [/b]", "link": "[link=x]y[/link]", "style": "[bold red]boo"}
ESCAPES = {"OSC retitle": "hi \x1b]0;pwned\x07", "clear screen": "\x1b[2Jgone"}
CONTROLS = {"NUL": "a\x00b", "DEL": "a\x7fb", "C1 CSI": "a\x9b31mb"}  # (BEL ends the OSC sequence above)
BIDI = {"override": "invoice\u202egpj.exe", "isolate": "a\u2067b"}
RTL_TEXT = {"hebrew and a mark": "תודה \u200fרבה"}
LONG = {"10,000 characters": "x" * 10_000}
FORMULAS = {"hyperlink": '=HYPERLINK("http://x","y")', "at": "@SUM(A1)"}

HOSTILE = {**MARKUP, **ESCAPES, **CONTROLS, **BIDI, **RTL_TEXT, **LONG, **FORMULAS}
"""Every kind, by name."""

SAMPLE = {
    "markup, formula and right-to-left": '=HYPERLINK("http://x","y") [/b] [link=x]y[/link] [bold red]שלום',
    "escapes, controls and an override": "hi \x1b]0;pwned\x07\x1b[2J \x00\x7f\x9b31m \u202eevil",
    "10,000 characters": "x" * 10_000,
}
"""Every kind in three texts, for the many fields: what the filter lets in (markup, a formula, right-to-left
letters), what it refuses (escape sequences, control characters, a direction override), and a 10,000-character
string. The fields whose text is stored and shown to others (a transfer's comment, a transaction's
description) get every text of `HOSTILE`, one kind at a time."""

REFUSED = {name for name, text in HOSTILE.items() if text_problem(text)}
"""The kinds the input filter refuses in any one-line field (the others are ordinary text, stored as typed)."""


def refused(text: str, *, limit: int, name: bool = False) -> bool:
    """Whether a field of at most `limit` characters refuses `text` (names refuse invisible characters)."""
    return bool(text_problem(text, name=name)) or len(text.strip()) > limit

OLD = {"retitle and clear": "old \x1b]0;PWNED\x07\x1b[2J", "C1 and override": "old \x9b2J \u202eevil"}

# What must never reach the terminal from the text of a screen (Textual writes its own styles separately).
_TERMINAL_ACTS_ON = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def run(app: CampBankApp, script: Callable[[Pilot], Awaitable[None]]) -> None:
    """Run a Pilot script; an exception the app died of is raised here (Textual re-raises it)."""

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await script(pilot)

    asyncio.run(main())


async def settle(pilot: Pilot, rounds: int = 2) -> None:
    """Let every message be handled, the ledger workers finish and their results show. (`pause(0)` waits
    for the screen's messages without Pilot's wait for the whole process to be idle, which costs up to a
    second on a busy machine.)"""
    for _ in range(rounds):
        await pilot.pause(0)
        with contextlib.suppress(WorkerFailed, WorkerCancelled):  # a newer fetch cancels an older one
            await pilot.app.workers.wait_for_complete()
        await pilot.pause(0)


def screen_text(app: CampBankApp) -> str:
    """Every line of the current screen as it is drawn (toasts included): what the person reads."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def assert_alive(app: CampBankApp) -> None:
    """The app runs, no exception escaped, and the kiosk did not have to start over."""
    assert app.is_running, "the app exited"
    assert app._exception is None, f"the app died of {app._exception!r}"
    assert app.recovered == [], f"the kiosk started over after {app.recovered!r}"


def reaches_terminal(text: str) -> bool:
    """Whether `text` holds a character a terminal would act on (the screens must show it otherwise)."""
    return bool(_TERMINAL_ACTS_ON.search(text))


def assert_terminal_safe(app: CampBankApp) -> str:
    """Nothing on screen is a character a terminal would act on; returns the screen's text."""
    text = screen_text(app)
    found = _TERMINAL_ACTS_ON.findall(text)
    assert not found, f"characters that reach the terminal raw: {found!r}"
    return text


def flat(text: str) -> str:
    """Screen text with its line breaks and box drawing removed, to find a phrase that wrapped."""
    return re.sub(r"\s+", " ", re.sub(r"[│┃▏▕|]", " ", text))


def message_of(app: CampBankApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def notifications(app: CampBankApp) -> list[str]:
    return [n.message for n in app._notifications]


def clear_notifications(app: CampBankApp) -> None:
    app.clear_notifications()


async def fill(pilot: Pilot, selector: str, text: str) -> None:
    """Put `text` into an Input as a paste would (control characters cannot be typed as keys)."""
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    box.value = text


async def sign_in(pilot: Pilot, username: str, password: str) -> None:
    app = pilot.app
    await pilot.pause()
    app.screen.query_one("#username", Input).value = username
    app.screen.query_one("#password", Input).value = password
    app.screen.query_one("#password", Input).focus()
    await pilot.press("enter")
    await settle(pilot)




async def choose(pilot: Pilot, select_id: str, text: str) -> None:
    """Open a Select from the keyboard and pick the option whose label contains `text`."""
    from textual.widgets import Select
    from textual.widgets._select import SelectOverlay

    select = pilot.app.screen.query_one(f"#{select_id}", Select)
    select.focus()
    await pilot.press("enter")
    overlay = select.query_one(SelectOverlay)
    for _ in range(overlay.option_count + 1):
        highlighted = overlay.highlighted
        if highlighted is not None and text in str(overlay.get_option_at_index(highlighted).prompt):
            break
        await pilot.press("down")
    await pilot.press("enter")

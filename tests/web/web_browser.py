"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) on a served CampBank page, and
the terminal's text as the page shows it.

The page draws the terminal on a canvas, so its text is not in the DOM. A script added before the page
loads keeps a copy of every byte the page's websocket receives (and each size it asks for); the test
replays them into pyte, a terminal emulator, which gives the same screen xterm.js drew.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

import pyte
from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

RECORDER = """
(() => {
  const Native = window.WebSocket;
  const record = window.__terminal = {events: []};
  function Recorded(url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const query = new URL(url).searchParams;
    record.events.push({size: [Number(query.get("width")), Number(query.get("height"))]});
    const send = socket.send.bind(socket);
    socket.send = (data) => {
      try {
        const message = JSON.parse(data);
        if (message[0] === "resize") record.events.push({size: [message[1].width, message[1].height]});
      } catch (error) {}
      return send(data);
    };
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") record.events.push({bytes: Array.from(new Uint8Array(event.data))});
    });
    return socket;
  }
  Recorded.prototype = Native.prototype;
  Object.assign(Recorded, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Recorded;
})();
"""


@contextmanager
def chromium(viewport: tuple[int, int] = (1100, 700)) -> Iterator[BrowserContext]:
    with sync_playwright() as playwright, TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=FLAGS, ignore_https_errors=True,
            viewport={"width": viewport[0], "height": viewport[1]})
        context.add_init_script(RECORDER)
        try:
            yield context
        finally:
            context.close()


class Terminal:
    """A served app's page, and the text of its terminal screen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)

    def open(self, url: str, timeout: float = 30) -> None:
        """Open the page as a person does; the keys then go to the terminal without a click."""
        self.page.goto(url)
        self.page.wait_for_selector("body.-first-byte", timeout=timeout * 1000)

    def text(self) -> str:
        for event in self.page.evaluate("window.__terminal.events.splice(0)"):
            if "size" in event:
                width, height = event["size"]
                self.screen.resize(lines=height, columns=width)
            else:
                self.stream.feed(bytes(event["bytes"]))
        return "\n".join(self.screen.display)

    def wait_for(self, words: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.text()
            if words in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{words!r} never appeared; the screen:\n{screen}")
            time.sleep(0.1)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text, delay=15)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)


def shows_digits(screen: str, text: str) -> bool:
    """Whether `text` is drawn in Textual's large digits (three rows, one above the other)."""
    from rich.console import Console
    from textual.renderables.digits import Digits

    console = Console(width=200, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    with console.capture() as captured:
        console.print(Digits(text))
    rows = [row.rstrip() for row in captured.get().splitlines()]
    lines = screen.splitlines()
    for y, line in enumerate(lines[:-2]):
        x = line.find(rows[0])
        while x >= 0:
            if all(lines[y + k][x:x + len(rows[k])] == rows[k] for k in (1, 2)):
                return True
            x = line.find(rows[0], x + 1)
    return False

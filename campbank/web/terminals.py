"""Browser sessions of the Textual app: one process per websocket, at most `limit` at once.

Each websocket gets textual-serve's `AppService`, which starts the session process and relays the
terminal's bytes both ways (the protocol is textual-serve's). The command is `exec`ed so the shell is
replaced by the app and killing it reaches the app. When the socket closes, the app is asked to quit
and killed if it has not within a few seconds; when the server stops, every session is ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shlex
import sys
from asyncio.subprocess import Process
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

log = logging.getLogger("campbank.web")

QUIT_GRACE_SECONDS = 3.0
TRY_AGAIN_LATER = 1013  # websocket close code: the server is overloaded, try again later
POLICY_VIOLATION = 1008
MAX_SIZE = 1000  # columns or rows a browser may ask for


def session_command(db_path: Path, kind: str) -> str:
    """The shell command of one session: this Python, CampBank's session entry point, the camp's file (or its
    server's URL; the password then goes to the session in the environment, not on its command line)."""
    from campbank.ledger.store.dialects import without_password

    location, password = without_password(db_path)
    if password is not None:
        os.environ["PGPASSWORD"] = password
    return " ".join(["exec", shlex.quote(sys.executable), "-m", "campbank.web.session",
                     "--db", shlex.quote(location), kind])


@dataclass
class Terminals:
    """The running sessions and the cap on them."""

    db_path: Path
    limit: int
    downloads: DownloadManager = field(default_factory=DownloadManager)
    processes: set[Process] = field(default_factory=set)
    active: int = 0

    @property
    def full(self) -> bool:
        return self.active >= self.limit

    async def serve(self, websocket: WebSocket, kind: str) -> None:
        """Run one session for this websocket until either side ends it."""
        if not same_origin(websocket):
            await websocket.close(code=POLICY_VIOLATION)  # before accept: the browser sees 403
            return
        await websocket.accept()
        if self.full:  # the page was loaded before the last free place was taken
            await websocket.send_text(json.dumps(["open_url", {"url": "/busy", "new_tab": False}]))
            await websocket.close(code=TRY_AGAIN_LATER)
            return
        self.active += 1
        service = AppService(session_command(self.db_path, kind), write_bytes=websocket.send_bytes,
                             write_str=websocket.send_text, close=websocket.close, download_manager=self.downloads)
        try:
            await service.start(_size(websocket, "width", 80), _size(websocket, "height", 24))
            if service._process is not None:
                self.processes.add(service._process)
            await self._relay(websocket, service)
        except (WebSocketDisconnect, RuntimeError, ConnectionError):
            pass
        finally:
            self.active -= 1
            await self._end(service)
            if websocket.application_state != WebSocketState.DISCONNECTED:
                with contextlib.suppress(RuntimeError, ConnectionError):
                    await websocket.close()

    async def _relay(self, websocket: WebSocket, service: AppService) -> None:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if not text:
                continue
            try:
                envelope = json.loads(text)
                kind, payload = envelope[0], (envelope[1] if len(envelope) > 1 else None)
            except (ValueError, TypeError, IndexError, KeyError):
                continue  # not the page's protocol: ignore it
            if kind == "stdin" and isinstance(payload, str):
                await service.send_bytes(payload.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(payload, dict):
                await service.set_terminal_size(_bounded(payload.get("width"), 80), _bounded(payload.get("height"), 24))
            elif kind == "ping":
                await websocket.send_text(json.dumps(["pong", str(payload)[:64]]))
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _end(self, service: AppService) -> None:
        """Ask the app to quit; kill it if it is still there after a short grace."""
        process = service._process
        # the app or the browser may be gone already: the kill below makes sure
        with contextlib.suppress(TimeoutError, RuntimeError, ConnectionError, AssertionError, WebSocketDisconnect):
            await asyncio.wait_for(service.stop(), timeout=QUIT_GRACE_SECONDS)
        if process is not None:
            await _kill(process)
            self.processes.discard(process)

    async def end_all(self) -> None:
        """The server is stopping: end every session process."""
        await asyncio.gather(*(_kill(process) for process in list(self.processes)), return_exceptions=True)
        self.processes.clear()


async def _kill(process: Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    with contextlib.suppress(ProcessLookupError):
        await process.wait()


def same_origin(websocket: WebSocket) -> bool:
    """A page of another site must not open sessions here: the Origin (when sent) must name this host."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser (a script or a test client)
    return urlsplit(origin).netloc.lower() == websocket.headers.get("host", "").lower()


def _size(websocket: WebSocket, name: str, default: int) -> int:
    return _bounded(websocket.query_params.get(name), default)


def _bounded(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return min(max(number, 1), MAX_SIZE)


"""Running the site with uvicorn: one process, one port, HTTPS when given a certificate.

It says what it serves where, warns when it listens on the network without TLS (passwords would cross
the camp's network readable by anyone on it), and on SIGTERM or Ctrl+C stops taking requests, ends
every browser session's process and exits.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import uvicorn

from campbank.core.errors import InputError
from campbank.ledger.store.database import Database
from campbank.web.site import SiteOptions, create_site

WEBSOCKET_MAX_BYTES = 1 << 20  # keystrokes and pastes; a page never sends more


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    certfile: Path | None = None
    keyfile: Path | None = None
    max_sessions: int = 20
    public_url: str | None = None

    @property
    def tls(self) -> bool:
        return self.certfile is not None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def check_address(host: str, port: int) -> None:
    """Refuse, before anything starts, an address this machine does not have or a port already taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise InputError(f"{host!r} is not an address of this machine ({error.strerror})", field="--host") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise InputError(f"{port} is in use on {host} (another program, or CampBank serving already)",
                                 field="--port") from None
            raise InputError(f"cannot listen on {host}:{port} ({error.strerror})", field="--host") from None


def base_url(options: ServeOptions) -> str:
    scheme = "https" if options.tls else "http"
    if options.public_url:
        return options.public_url.rstrip("/")
    host = options.host
    if host in ("0.0.0.0", "::", ""):
        host = "<this machine's address>"
    elif ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{options.port}"


def announce(db: Database, options: ServeOptions, out: TextIO) -> None:
    url = base_url(options)
    lines = [
        f"CampBank is serving {_shown(db)}",
        f"  office UI       {url}/",
        f"  kiosk           {url}/kiosk",
        f"  JSON API        {url}/api/v1   (documentation: {url}/api/v1/docs)",
        f"  up to {options.max_sessions} browser screens at once, each its own process; Ctrl+C stops the server.",
    ]
    if not is_loopback(options.host):
        lines.append(f"  listening on {options.host}: every device on the network can reach it.")
    out.write("\n".join(lines) + "\n")
    if not is_loopback(options.host) and not options.tls:
        out.write("warning: listening on the network without TLS: passwords and balances cross it readable by "
                  "anyone on it. Give --certfile and --keyfile (see the README).\n")
    out.flush()


def serve(db: Database, options: ServeOptions, *, out: TextIO = sys.stdout) -> None:
    """Serve until SIGTERM or Ctrl+C."""
    site = create_site(db, SiteOptions(max_sessions=options.max_sessions, public_url=options.public_url))
    config = uvicorn.Config(
        site, host=options.host, port=options.port,
        ssl_certfile=str(options.certfile) if options.certfile else None,
        ssl_keyfile=str(options.keyfile) if options.keyfile else None,
        log_level="warning", access_log=False, ws_max_size=WEBSOCKET_MAX_BYTES,
        timeout_graceful_shutdown=5, proxy_headers=True, server_header=False,
    )
    server = _AnnouncingServer(config, lambda: announce(db, options, out))
    server.run()
    out.write("CampBank stopped serving.\n")
    out.flush()


class _AnnouncingServer(uvicorn.Server):
    """Says what is served where once the port is open (so the words are true when they appear)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.should_exit:
            self._on_ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """SIGTERM and Ctrl+C stop the server gracefully, and that is a normal exit (status 0): unlike
        uvicorn's own handling, the signal is not raised again once the server has stopped."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _shown(db: Database) -> str:
    """The camp's file, or its server's URL without the password."""
    from campbank.ledger.store.dialects import masked

    return masked(db.path)

"""A real `campbank serve` process on a free localhost port, and an HTTP client for it.

Each test module starts one server on its own copy of the test camp (whose season is moved so that
today lies inside it, as the demo does) and stops it at the end with SIGTERM, as systemd would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

from campbank.demo import demo_season_text
from campbank.ledger.season.in_force import load as load_season
from campbank.ledger.store.database import open_database

PASSWORDS = {"manager": "manager-pass-1", "m1": "manager-pass-1", "t1": "staff-pass-1", "t2": "staff-pass-1",
             **{f"s{i}": "student-pass-1" for i in range(1, 6)}}
READY_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def season_text(*, token_seconds: int | None = None, api_enabled: bool = True) -> str:
    """The classic season moved so that today is its eighth day, with the API settings given."""
    text = demo_season_text(date.today())
    if token_seconds is not None:
        text = text.replace("token_seconds = 43200", f"token_seconds = {token_seconds}")
    if not api_enabled:
        text = text.replace("[api]\nenabled = true", "[api]\nenabled = false")
    return text


def prepare_camp(template: Path, target: Path, **season: object) -> Path:
    """A copy of the test camp (manager, m1, t1, t2, s1..s5) with a season that includes today."""
    from helpers import actor_of, copy_database

    copy_database(template, target)
    db = open_database(target)
    try:
        load_season(db, actor_of(db, "manager"), season_text(**season), "web-test.toml")  # type: ignore[arg-type]
    finally:
        db.dispose()
    return target


@dataclass
class Server:
    """A running `campbank serve` and what it printed."""

    process: subprocess.Popen[str]
    port: int
    db_path: Path
    log: Path
    scheme: str = "http"

    @property
    def output(self) -> list[str]:
        """What the server printed so far."""
        return self.log.read_text(errors="replace").splitlines() if self.log.exists() else []

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.api, headers=headers, timeout=30, verify=False)

    def token(self, username: str, password: str | None = None) -> str:
        with self.client() as client:
            response = client.post("/auth/token", json={"username": username,
                                                        "password": password or PASSWORDS[username]})
        assert response.status_code == 201, response.text
        return str(response.json()["token"])

    def as_user(self, username: str) -> httpx.Client:
        return self.client(self.token(username))

    def session_processes(self) -> list[int]:
        """The ids of the server's child processes (one per open browser session)."""
        listing = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True,
                                 text=True, check=False).stdout
        return [int(pid) for pid in listing.split()]


def campbank_command(db_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "campbank", "--db", str(db_path), *args]


@contextmanager
def running_server(db_path: Path, *extra: str, scheme: str = "http") -> Iterator[Server]:
    """Start `campbank serve`, wait until it answers, stop it (SIGTERM) at the end.

    What it prints goes to a file beside the camp (a pipe nobody reads could fill up and stall it)."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = db_path.with_name(f"serve-{port}.log")
    with open(log, "w") as out:
        process = subprocess.Popen(campbank_command(db_path, "serve", "--port", str(port), *extra),
                                   stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
    server = Server(process, port, db_path, log, scheme)
    try:
        _wait_until_ready(server, log)
        yield server
    finally:
        stop(server)


def _wait_until_ready(server: Server, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"campbank serve exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(server.api + "/health", timeout=2, verify=False).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("campbank serve did not answer in time")


def stop(server: Server) -> None:
    """SIGTERM, as systemd stops a service; kill only if it does not stop by itself."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def table_counts(path: Path) -> dict[str, int]:
    """Rows per table: compare before and after a refused request to see that nothing was written."""
    from helpers import dump

    return {table: len(rows) for table, rows in dump(path).items()}

"""Browser sessions: one process each, a cap with a polite busy page, foreign pages refused, every
process ended when a session closes or the server stops; HTTPS; what `serve` says when it starts."""

from __future__ import annotations

import io
import json
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from web_support import Server, prepare_camp, running_server
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from campbank.web.server import ServeOptions, announce, is_loopback


@pytest.fixture(scope="module")
def capped(camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    camp = prepare_camp(camp_template, tmp_path_factory.mktemp("capped") / "camp.db")
    with running_server(camp, "--max-sessions", "2") as server:
        yield server
    assert server.process.returncode == 0, server.output


@contextmanager
def session(server: Server, path: str = "/ws", **headers: str) -> Iterator[ClientConnection]:
    """A websocket session that has drawn its first screen (the app is up)."""
    url = server.url.replace("http", "ws", 1) + path + "?width=100&height=30"
    with connect(url, additional_headers=headers, open_timeout=20, max_size=None) as socket:
        received = 0
        while received < 2000:
            message = socket.recv(timeout=30)
            if isinstance(message, bytes):
                received += len(message)
        yield socket


def wait_until(condition, timeout: float = 15) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_each_session_is_a_process_and_the_cap_is_polite(capped: Server) -> None:
    with session(capped, "/ws"), session(capped, "/kiosk/ws") as kiosk:
        pids = capped.session_processes()
        assert len(pids) == 2
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in pids]
        assert sorted(c[-2] for c in commands) == [b"kiosk", b"office"]  # exec'd: no shell in between
        assert all(b"campbank.web.session" in c for c in commands)

        busy = httpx.get(capped.url + "/")
        assert busy.status_code == 503 and busy.headers["retry-after"] == "60"
        assert "try again in a minute" in busy.text
        assert httpx.get(capped.url + "/kiosk").status_code == 503

        url = capped.url.replace("http", "ws", 1) + "/ws"
        with connect(url, open_timeout=20) as third:
            assert json.loads(third.recv(timeout=10)) == ["open_url", {"url": "/busy", "new_tab": False}]
            with pytest.raises(ConnectionClosed) as closed:
                third.recv(timeout=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
        assert len(capped.session_processes()) == 2

        kiosk.send(json.dumps(["ping", "hello"]))
        while True:
            reply = kiosk.recv(timeout=10)
            if isinstance(reply, str):
                assert json.loads(reply) == ["pong", "hello"]
                break
    wait_until(lambda: not capped.session_processes())
    assert not [pid for pid in pids if alive(pid)]
    assert httpx.get(capped.url + "/").status_code == 200


def test_a_page_of_another_site_cannot_open_a_session(capped: Server) -> None:
    url = capped.url.replace("http", "ws", 1) + "/ws"
    with pytest.raises(InvalidStatus) as refused, connect(url, origin="http://evil.example", open_timeout=10):  # type: ignore[arg-type]
        pass
    assert refused.value.response.status_code == 403
    assert not capped.session_processes()


def test_the_page_opens_its_session_where_the_browser_found_it(capped: Server) -> None:
    page = httpx.get(capped.url + "/kiosk", headers={"Host": "bank.camp:9000"})
    assert 'data-session-websocket-url="ws://bank.camp:9000/kiosk/ws"' in page.text
    assert "googleapis" not in page.text and "://" not in page.text.replace("ws://bank.camp:9000", "")


def test_sigterm_ends_every_session_process(camp_template: Path, tmp_path: Path) -> None:
    camp = prepare_camp(camp_template, tmp_path / "camp.db")
    with running_server(camp) as server, ExitStack() as sessions:
        for path in ("/ws", "/kiosk/ws", "/ws"):
            sessions.enter_context(session(server, path))
        pids = server.session_processes()
        assert len(pids) == 3
        server.process.terminate()
        assert server.process.wait(timeout=20) == 0
    wait_until(lambda: not [pid for pid in pids if alive(pid)], timeout=10)
    assert "CampBank stopped serving." in server.output


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")
def test_https_with_a_self_signed_certificate(camp_template: Path, tmp_path: Path) -> None:
    camp = prepare_camp(camp_template, tmp_path / "camp.db")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    with running_server(camp, "--certfile", str(cert), "--keyfile", str(key), scheme="https") as server:
        trusted = ssl.create_default_context(cafile=str(cert))
        page = httpx.get(server.url + "/", verify=trusted)
        assert page.status_code == 200 and f'"wss://127.0.0.1:{server.port}/ws"' in page.text
        with httpx.Client(base_url=server.api, verify=trusted) as client:
            token = client.post("/auth/token", json={"username": "s1", "password": "student-pass-1"}).json()["token"]
            assert client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()["username"] == "s1"
    assert any(line.strip().startswith("office UI") and "https://" in line for line in server.output)


def test_what_serve_says_and_the_warning_without_tls(tmp_path: Path) -> None:
    class Db:
        path = tmp_path / "camp.db"

    quiet, loud, safe = io.StringIO(), io.StringIO(), io.StringIO()
    announce(Db(), ServeOptions(), quiet)  # type: ignore[arg-type]
    announce(Db(), ServeOptions(host="0.0.0.0", port=8080), loud)  # type: ignore[arg-type]
    announce(Db(), ServeOptions(host="0.0.0.0", certfile=Path("c"), keyfile=Path("k")), safe)  # type: ignore[arg-type]
    assert "http://127.0.0.1:8000/kiosk" in quiet.getvalue() and "warning" not in quiet.getvalue()
    assert "/api/v1/docs" in quiet.getvalue()
    assert "warning: listening on the network without TLS" in loud.getvalue()
    assert "https://" in safe.getvalue() and "warning" not in safe.getvalue()
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("bank.camp")


def test_serve_refuses_half_a_certificate(tmp_path: Path) -> None:
    from web_support import campbank_command

    done = subprocess.run(campbank_command(tmp_path / "x.db", "serve", "--certfile", str(tmp_path)),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "--keyfile" in done.stderr


def test_serve_says_when_the_port_is_taken(capped: Server) -> None:
    from web_support import campbank_command

    done = subprocess.run(campbank_command(capped.db_path, "serve", "--port", str(capped.port)),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and f"--port: {capped.port} is in use" in done.stderr

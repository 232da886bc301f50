"""`campbank serve` under load (not a test): the JSON API's throughput and each browser session's memory.

    python bench/web.py                      # 10,000-student camp, 50 clients for 30 s, 20 sessions
    python bench/web.py --clients 50 --seconds 30 --sessions 20 --students 10000

1. GET /api/v1/me with a student's token from `--clients` concurrent clients for `--seconds` seconds,
   with `hey` when it is installed (Debian: apt-get install hey), else a Python aiohttp load generator:
   requests/s, p50/p99 latency, errors. Goals: >= 500 requests/s, p99 < 100 ms, no errors.
2. `--sessions` browser sessions opened over the page's websocket protocol (half office, half kiosk;
   half of each signed in: a manager in the office, a student at the kiosk), then the resident memory
   (RSS) of each session process and their total. Goal: <= 80 MB a session.

Camps come from bench/camp.py (cached in /tmp/campbank-bench); the server runs on a working copy, on
a free port of 127.0.0.1, and is stopped at the end. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from camp import FULL, PASSWORD, Scale, student_name, working_copy

GOAL_RPS, GOAL_P99_MS, GOAL_SESSION_MB = 500, 100, 80


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(db: Path, port: int, sessions: int) -> subprocess.Popen[bytes]:
    log = open(db.with_suffix(".serve.log"), "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen([sys.executable, "-m", "campbank", "--db", str(db), "serve", "--port", str(port),
                                "--max-sessions", str(sessions + 5)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start; see {log.name}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sign_in(port: int, username: str) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": username, "password": PASSWORD}).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["token"])


# --- 1. the API under load ---------------------------------------------------------------------------


def load_with_hey(url: str, token: str, clients: int, seconds: int) -> dict[str, float]:
    out = subprocess.run(["hey", "-z", f"{seconds}s", "-c", str(clients), "-H", f"Authorization: Bearer {token}",
                          url], capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for name, percent in (("p50", "50"), ("p99", "99")):
        found = re.search(rf"\s{percent}% in ([\d.]+) secs", out)
        figures[name] = float(found.group(1)) * 1000 if found else float("nan")
    codes = dict(re.findall(r"\[(\d+)\]\s+(\d+) responses", out))
    figures["ok"] = float(codes.get("200", 0))
    figures["errors"] = float(sum(int(n) for code, n in codes.items() if code != "200"))
    errors = re.search(r"Error distribution:(.*)", out, re.S)
    if errors:
        figures["errors"] += sum(int(n) for n in re.findall(r"\[(\d+)\]", errors.group(1)))
    return figures


def load_with_aiohttp(url: str, token: str, clients: int, seconds: int) -> dict[str, float]:
    import aiohttp

    latencies: list[float] = []
    errors = 0

    async def client(session: aiohttp.ClientSession, stop: float) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            began = time.perf_counter()
            try:
                async with session.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                        continue
            except aiohttp.ClientError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - began)

    async def main() -> float:
        connector = aiohttp.TCPConnector(limit=clients)
        async with aiohttp.ClientSession(connector=connector) as session:
            began = time.perf_counter()
            await asyncio.gather(*(client(session, began + seconds) for _ in range(clients)))
            return time.perf_counter() - began

    elapsed = asyncio.run(main())
    ordered = sorted(latencies) or [0.0]
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(ordered) * 1000,
            "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000, "ok": float(len(latencies)), "errors": float(errors)}


# --- 2. memory per browser session --------------------------------------------------------------------


async def open_sessions(port: int, count: int, students: list[str]) -> list[object]:
    """Open `count` sessions like the page does; sign half of them in; keep them open."""
    import websockets

    async def one(n: int) -> object:
        path = "/ws" if n % 2 == 0 else "/kiosk/ws"
        socket = await websockets.connect(f"ws://127.0.0.1:{port}{path}?width=120&height=40", max_size=None,
                                          open_timeout=120, ping_interval=None)
        await drain(socket, 3000, 120)
        if n % 4 in (0, 1):  # half of each kind signs in
            who = "manager" if path == "/ws" else students[n]
            for keys in (who, "\r"):
                await socket.send(json.dumps(["stdin", keys]))
                await asyncio.sleep(0.5)
            for keys in (PASSWORD, "\r"):
                await socket.send(json.dumps(["stdin", keys]))
            await drain(socket, 6000, 120)
        readers.append(asyncio.create_task(keep_reading(socket)))  # as a page does: the app keeps drawing
        return socket

    readers: list[asyncio.Task[None]] = []

    sockets = []
    for start in range(0, count, 5):  # five at a time, as pupils arriving at the screens
        sockets += await asyncio.gather(*(one(n) for n in range(start, min(count, start + 5))))
    await asyncio.sleep(5)  # let every app settle after its first screen
    return sockets


async def keep_reading(socket) -> None:  # type: ignore[no-untyped-def]
    import websockets

    try:
        while True:
            await socket.recv()
    except websockets.ConnectionClosed:
        return


async def drain(socket, at_least: int, timeout: float) -> None:  # type: ignore[no-untyped-def]
    received, deadline = 0, time.monotonic() + timeout
    while received < at_least and time.monotonic() < deadline:
        try:
            message = await asyncio.wait_for(socket.recv(), timeout=max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            break
        if isinstance(message, bytes):
            received += len(message)


async def close_all(sockets: list[object]) -> None:
    await asyncio.gather(*(s.close() for s in sockets))  # type: ignore[attr-defined]


def proportional_mb(pid: int) -> float:
    """PSS: the process's own memory plus its share of what it shares (libraries) with others."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except FileNotFoundError:
        return 0.0
    found = re.search(r"^Pss:\s+(\d+)", rollup, re.M)
    return int(found.group(1)) / 1024 if found else 0.0


def session_memory(server_pid: int) -> list[tuple[int, str, float]]:
    listing = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server_pid)], capture_output=True, text=True,
                             check=False).stdout
    found = []
    for pid in map(int, listing.split()):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        rss_kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        found.append((pid, argv[-2].decode() if len(argv) > 1 else "?", rss_kb / 1024))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=FULL.students)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--python-load", action="store_true", help="use the aiohttp load generator, not hey")
    args = parser.parse_args()
    scale = FULL if args.students == FULL.students else Scale(args.students, max(2, args.students // 50),
                                                                 args.students * 20, args.students * 100)
    db = working_copy(scale, "web")
    port = free_port()
    server = start_server(db, port, args.sessions)
    try:
        print(f"campbank serve on {db.name} ({scale.students} students), port {port}, SQLite "
              f"{__import__('sqlite3').sqlite_version}")
        token = sign_in(port, student_name(7))
        url = f"http://127.0.0.1:{port}/api/v1/me"
        use_hey = shutil.which("hey") is not None and not args.python_load
        tool = "hey" if use_hey else "aiohttp (Python)"
        cpu_before = cpu_seconds(server.pid)
        load = (load_with_hey if use_hey else load_with_aiohttp)(url, token, args.clients, args.seconds)
        cpu_per_request = (cpu_seconds(server.pid) - cpu_before) / max(1.0, load["ok"] + load["errors"]) * 1000
        ok = load["rps"] >= GOAL_RPS and load["p99"] < GOAL_P99_MS and load["errors"] == 0
        print(f"GET /api/v1/me, {args.clients} clients, {args.seconds} s ({tool}): {load['rps']:.0f} requests/s, "
              f"p50 {load['p50']:.1f} ms, p99 {load['p99']:.1f} ms, {int(load['ok'])} answered, "
              f"{int(load['errors'])} errors  [goal >= {GOAL_RPS}/s, p99 < {GOAL_P99_MS} ms, 0 errors: "
              f"{'met' if ok else 'MISSED'}]")
        print(f"  the server's CPU time per request: {cpu_per_request:.2f} ms (one core at most: the GIL); "
              f"load average during the run {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

        students = [student_name(i) for i in range(args.sessions)]
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        sockets = loop.run_until_complete(open_sessions(port, args.sessions, students))
        memory = session_memory(server.pid)
        for kind in ("office", "kiosk"):
            sizes = [mb for _pid, k, mb in memory if k == kind]
            if sizes:
                print(f"  {kind}: {len(sizes)} sessions, RSS min {min(sizes):.1f} / median "
                      f"{statistics.median(sizes):.1f} / max {max(sizes):.1f} MB")
        total = sum(mb for _pid, _k, mb in memory)
        largest = max((mb for _pid, _k, mb in memory), default=0.0)
        pss = sum(proportional_mb(pid) for pid, _k, _mb in memory)
        print(f"{len(memory)} browser sessions open (half signed in): total PSS {pss:.0f} MB, "
              f"total RSS {total:.0f} MB, "
              f"{total / max(1, len(memory)):.1f} MB a session, largest {largest:.1f} MB  "
              f"[goal <= {GOAL_SESSION_MB} MB a session: {'met' if largest <= GOAL_SESSION_MB else 'MISSED'}]")
        own = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{server.pid}/status").read_text()).group(1))  # type: ignore[union-attr]
        print(f"the server process itself: RSS {own / 1024:.0f} MB")
        loop.run_until_complete(close_all(sockets))
        loop.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()

"""While `serve` answers the API, cron's `tax run` and the office UI's posts go on: nothing is lost,
nothing is doubled, nobody sees "database is locked"."""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from helpers import actor_of, query, recomputed_balances
from web_support import Server, campbank_command

from campbank.ledger.actions.posting import post
from campbank.ledger.store.database import journal_mode, open_database
from campbank.ledger.verify import verify_file

API_LANES, API_POSTS = 3, 12
UI_LANES, UI_POSTS = 2, 12


def test_tax_run_api_posts_and_ui_posts_at_once(server: Server) -> None:
    before = dict(query(server.db_path, "SELECT username, balance FROM account WHERE role = 'student'"))
    token = server.token("t1")
    db = open_database(server.db_path)
    office = actor_of(db, "t2")
    problems: list[str] = []
    start = threading.Barrier(API_LANES + UI_LANES + 1)

    def api_lane(lane: int) -> None:
        with server.client(token) as client:
            start.wait()
            for n in range(API_POSTS):
                response = client.post("/transactions", json={
                    "type": "general_money", "money_type": "reward", "description": f"api {lane}-{n}",
                    "idempotency_key": f"api-{lane}-{n}", "amounts": {f"s{1 + (lane + n) % 5}": "1.50"}})
                if response.status_code != 201:
                    problems.append(f"api {lane}-{n}: {response.status_code} {response.text}")

    def ui_lane(lane: int) -> None:
        start.wait()
        for n in range(UI_POSTS):
            try:
                post(db, office, {"type": "fine", "fine_type": "fine_lang", "description": f"ui {lane}-{n}",
                                  "amounts": {f"s{1 + (lane + n) % 5}": "0.25"}})
            except Exception as error:  # a refusal here is what the test is looking for
                problems.append(f"ui {lane}-{n}: {error}")

    lanes = [threading.Thread(target=api_lane, args=(i,)) for i in range(API_LANES)]
    lanes += [threading.Thread(target=ui_lane, args=(i,)) for i in range(UI_LANES)]
    for lane in lanes:
        lane.start()
    start.wait()
    tax = subprocess.run(campbank_command(server.db_path, "tax", "run"), capture_output=True, text=True,
                         timeout=300, check=False)
    for lane in lanes:
        lane.join(timeout=300)
    db.dispose()

    assert tax.returncode == 0, tax.stdout + tax.stderr
    assert not problems, problems
    assert "locked" not in tax.stdout + tax.stderr
    api = query(server.db_path, "SELECT COUNT(*), SUM(amount) FROM txn WHERE description LIKE 'api %'")[0]
    ui = query(server.db_path, "SELECT COUNT(*), SUM(amount) FROM txn WHERE description LIKE 'ui %'")[0]
    assert api == (API_LANES * API_POSTS, API_LANES * API_POSTS * 150)
    assert ui == (UI_LANES * UI_POSTS, -UI_LANES * UI_POSTS * 25)
    taxes = query(server.db_path, "SELECT id, amount, recipients FROM txn WHERE type = 'tax' AND day = ?",
                  (date.today().isoformat(),))
    assert len(taxes) == 1 and taxes[0][2] == 5 and taxes[0][1] < 0
    after = dict(query(server.db_path, "SELECT username, balance FROM account WHERE role = 'student'"))
    assert sum(after.values()) - sum(before.values()) == api[1] + ui[1] + taxes[0][1]
    assert {u: b for u, b in recomputed_balances(server.db_path).items() if u in after} == after
    report = verify_file(server.db_path)
    assert report.ok, report.findings
    assert not [line for line in server.output if "locked" in line]


@pytest.mark.sqlite_only("a reader shut out by a writer's exclusive lock (the rollback journal)")
def test_while_a_writer_holds_the_file_me_waits_for_it_and_the_server_answers_everyone_else(server: Server) -> None:
    """/me reads on the event loop when it can: it must go to a worker thread to wait out a writer's commit,
    never hold up the server's other requests (and browser sessions) while it waits."""
    if journal_mode() == "wal":
        pytest.skip("in WAL mode nothing shuts a reader out")
    token = server.token("s1")
    writer = sqlite3.connect(server.db_path, timeout=10, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # as a writer committing: no reader gets in
    try:
        with ThreadPoolExecutor(2) as pool, server.client(token) as client, server.client() as other:
            waiting = [pool.submit(client.get, "/me") for _ in range(2)]
            time.sleep(0.5)  # for the two requests to reach the server (the assertions below say if they did)
            for _ in range(3):
                assert other.get("/health", timeout=5).status_code == 200
            answered = [request.result().text for request in waiting if request.done()]
            assert not answered, f"/me answered while the file was held: {answered}"
            writer.execute("ROLLBACK")
            answers = [request.result(timeout=30) for request in waiting]
    finally:
        writer.close()
    assert [answer.status_code for answer in answers] == [200, 200], [answer.text for answer in answers]
    assert {answer.json()["username"] for answer in answers} == {"s1"}

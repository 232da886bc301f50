"""The JSON API against a real `campbank serve`: every endpoint, each role allowed and refused."""

from __future__ import annotations

import csv
import io
import re
from itertools import pairwise

import httpx
import pytest
from helpers import audit_actions, audit_details, balance, query
from web_support import Server

from campbank.ledger.verify import verify_file

STUDENT_FIELDS = {"username", "full_name", "squad", "grade", "balance"}


def error_of(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"field", "message"}, body
    return body["error"]


class _Db:
    def __init__(self, server: Server) -> None:
        self.path = server.db_path


def test_sign_in_gives_a_token_that_is_stored_only_as_its_digest(server: Server) -> None:
    with server.client() as client:
        response = client.post("/auth/token", json={"username": "s1", "password": "student-pass-1"})
    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "bearer" and body["username"] == "s1" and body["role"] == "student"
    token = body["token"]
    assert len(token) >= 40
    stored = [row[0] for row in query(server.db_path, "SELECT digest FROM api_token")]
    assert token not in stored and not any(token in digest for digest in stored)
    import hashlib

    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert "token.issued" in audit_actions(_Db(server), target="user:s1")  # type: ignore[arg-type]


def test_a_wrong_password_is_401_and_audited_like_the_office(server: Server) -> None:
    with server.client() as client:
        response = client.post("/auth/token", json={"username": "s3", "password": "not-the-password"})
        unknown = client.post("/auth/token", json={"username": "nobody", "password": "not-the-password"})
    assert response.status_code == 401 and error_of(response)["field"] == "password"
    assert response.headers["www-authenticate"] == "Bearer"
    assert error_of(unknown)["message"] == error_of(response)["message"]  # no hint which usernames exist
    failures = [d for d in audit_details(_Db(server), "login.failed") if d.get("place") == "api"]  # type: ignore[arg-type]
    assert any(d.get("reason") == "wrong password" for d in failures)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic czE6eA=="}])
def test_every_endpoint_needs_a_good_token(server: Server, headers: dict[str, str]) -> None:
    with httpx.Client(base_url=server.api, headers=headers) as client:
        for method, path in (("GET", "/me"), ("GET", "/me/history"), ("GET", "/students"),
                             ("POST", "/transfers"), ("DELETE", "/transfers/1"), ("POST", "/transactions"),
                             ("POST", "/transfers/1/approve"), ("POST", "/transfers/1/reject"),
                             ("GET", "/exports/money.csv"), ("DELETE", "/auth/token")):
            response = client.request(method, path, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert error_of(response)["field"] == "token"


def test_me_shows_what_the_kiosk_shows(server: Server) -> None:
    with server.as_user("s2") as client:
        me = client.get("/me").json()
    assert me["username"] == "s2" and me["role"] == "student"
    assert me["balance"] == f"{balance(server.db_path, 's2') / 100:.2f}"
    assert me["currency_sign"] == "@" and me["certificates"] == "0.00"
    final = me["final"]
    assert final["visits_target"] == 18 and final["expected_fine"] == "1285.00" and not final["complete"]
    assert me["equator"]["visits_target"] == 9
    assert me["next_lecture_fine"] == "10.00"
    with server.as_user("t1") as client:
        staff = client.get("/me").json()
    assert staff["role"] == "staff" and staff["final"] is None and staff["next_lecture_fine"] is None


def test_history_is_paged_newest_first_with_the_running_balance(server: Server) -> None:
    with server.as_user("t1") as staff:
        for n in range(3):
            posted = staff.post("/transactions", json={"type": "general_money", "money_type": "reward",
                                                       "description": f"help {n}", "amounts": {"s4": f"{n + 1}.25"}})
            assert posted.status_code == 201, posted.text
    with server.as_user("s4") as client:
        first = client.get("/me/history", params={"limit": 2}).json()
        second = client.get("/me/history", params={"limit": 2, "before": first["next_before"]}).json()
        bad = client.get("/me/history", params={"limit": 0})
    items = first["items"] + second["items"]
    assert [i["description"] for i in items[:3]] == ["help 2", "help 1", "help 0"]
    assert items[0]["balance_after"] == f"{balance(server.db_path, 's4') / 100:.2f}"
    for newer, older in pairwise(items):
        assert _cents(newer["balance_after"]) - _cents(newer["amount"]) == _cents(older["balance_after"])
    assert second["next_before"] is None and items[-1]["money_type"] == "initial"
    assert bad.status_code == 400 and error_of(bad)["field"] == "limit"


def test_staff_see_balances_and_students_see_names_only(server: Server) -> None:
    with server.as_user("t1") as staff:
        listed = staff.get("/students").json()
    assert {row["username"] for row in listed} == {f"s{i}" for i in range(1, 6)}
    assert all(set(row) == STUDENT_FIELDS and row["balance"] is not None and row["squad"] for row in listed)
    with server.as_user("s1") as student:
        response = student.get("/students")
    seen = response.json()
    assert {row["username"] for row in seen} == {"s2", "s3", "s4", "s5"}
    assert all(row["balance"] is None and row["squad"] is None and row["grade"] is None for row in seen)
    others = [f"{balance(server.db_path, u) / 100:.2f}" for u in ("s2", "s3", "s4", "s5")]
    assert not any(amount in response.text for amount in others)


def test_a_student_asks_for_a_transfer_and_withdraws_it(server: Server) -> None:
    before = balance(server.db_path, "s1")
    with server.as_user("s1") as s1, server.as_user("s2") as s2:
        asked = s1.post("/transfers", json={"receiver": "s2", "amount": "5", "comment": "for the cake"})
        assert asked.status_code == 201, asked.text
        request = asked.json()
        assert request["state"] == "created" and request["total"] == "5.00" and not request["duplicate"]
        assert [r["id"] for r in s1.get("/me").json()["pending_requests"]] == [request["id"]]
        someone_else = s2.delete(f"/transfers/{request['id']}")
        withdrawn = s1.delete(f"/transfers/{request['id']}")
        again = s1.delete(f"/transfers/{request['id']}")
        missing = s1.delete("/transfers/999999")
    assert someone_else.status_code == 403 and error_of(someone_else)["field"] == "id"
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "declined"
    assert again.status_code == 409
    assert missing.status_code == 404 and error_of(missing)["field"] == "id"
    assert balance(server.db_path, "s1") == before


def test_staff_decide_transfers_and_students_cannot(server: Server) -> None:
    with server.as_user("s3") as s3, server.as_user("t1") as t1, server.as_user("m1") as m1:
        one = s3.post("/transfers", json={"receiver": "s5", "amount": "2.50", "comment": "book"}).json()["id"]
        two = s3.post("/transfers", json={"receiver": "s5", "amount": "1", "comment": "pen"}).json()["id"]
        refused = s3.post(f"/transfers/{one}/approve")
        approved = t1.post(f"/transfers/{one}/approve", json={"reason": "ok"})
        twice = m1.post(f"/transfers/{one}/approve")
        rejected = m1.post(f"/transfers/{two}/reject", json={"reason": "not now"})
        unknown = t1.post("/transfers/999999/reject")
        student_post = s3.post("/transactions", json={"type": "general_money", "money_type": "reward",
                                                      "amounts": {"s3": "100"}})
        staff_transfer = t1.post("/transfers", json={"receiver": "s5", "amount": "1", "comment": "x"})
    assert refused.status_code == 403
    assert approved.status_code == 200 and approved.json()["state"] == "processed"
    assert twice.status_code == 409 and "already" in str(error_of(twice)["message"])
    assert rejected.json() == {"id": two, "type": "p2p", "old_state": "created", "state": "declined"}
    assert unknown.status_code == 404
    assert student_post.status_code == 403
    assert staff_transfer.status_code == 403
    assert audit_details(_Db(server), "txn.declined")[-1]["reason"] == "not now"  # type: ignore[arg-type]


def test_staff_post_any_payload_and_see_the_ledger_refusals(server: Server) -> None:
    with server.as_user("t2") as t2:
        fine = t2.post("/transactions", json={"type": "fine", "fine_type": "fine_lang", "description": "Dinner",
                                             "amounts": {"s5": "2.50"}})
        not_a_student = t2.post("/transactions", json={"type": "fine", "fine_type": "fine_lang",
                                                       "amounts": {"nobody": "1"}})
        tax = t2.post("/transactions", json={"type": "tax"})
    assert fine.status_code == 201 and fine.json()["total"] == "-2.50" and fine.json()["state"] == "processed"
    assert not_a_student.status_code == 400 and error_of(not_a_student)["field"] == "amounts.nobody"
    assert tax.status_code == 403 and error_of(tax)["field"] == "type"


def test_the_same_idempotency_key_makes_one_transfer(server: Server) -> None:
    body = {"receiver": "s2", "amount": "1.10", "comment": "retry", "idempotency_key": "phone-42"}
    with server.as_user("s5") as s5:
        first = s5.post("/transfers", json=body)
        second = s5.post("/transfers", json=body)
        by_header = s5.post("/transfers", json={k: v for k, v in body.items() if k != "idempotency_key"},
                            headers={"Idempotency-Key": "phone-42"})
        changed = s5.post("/transfers", json={**body, "amount": "9"})
    assert first.status_code == 201 and second.status_code == 200 and by_header.status_code == 200
    assert first.json()["id"] == second.json()["id"] == by_header.json()["id"] and second.json()["duplicate"]
    assert changed.status_code == 409 and error_of(changed)["field"] == "idempotency_key"
    rows = query(server.db_path, "SELECT COUNT(*) FROM txn WHERE type = 'p2p' AND description = 'retry'")
    assert rows == [(1,)]


def test_managers_download_exports_and_each_is_audited(server: Server) -> None:
    with server.as_user("manager") as manager, server.as_user("t1") as staff, server.as_user("s1") as student:
        money = manager.get("/exports/money.csv")
        counters = manager.get("/exports/counters.csv")
        balances = manager.get("/exports/balances.csv")
        refused = [staff.get("/exports/money.csv"), student.get("/exports/balances.csv")]
        unknown = manager.get("/exports/secrets.csv")
    assert money.status_code == 200 and money.headers["content-type"].startswith("text/csv")
    assert "attachment" in money.headers["content-disposition"]
    assert money.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(money.content.decode("utf-8-sig"))))
    entries = query(server.db_path, "SELECT COUNT(*) FROM money_entry")[0][0]
    assert len(rows) == entries and {"transaction_id", "amount", "receiver_username"} <= set(rows[0])
    assert counters.status_code == 200
    assert {r["username"] for r in csv.DictReader(io.StringIO(balances.content.decode("utf-8-sig")))} == {
        f"s{i}" for i in range(1, 6)}
    assert [r.status_code for r in refused] == [403, 403]
    assert unknown.status_code == 400 and error_of(unknown)["field"] == "kind"
    exports = audit_details(_Db(server), "export.money")  # type: ignore[arg-type]
    assert exports and exports[-1]["format"] == "csv"
    assert query(server.db_path, "SELECT target FROM audit_log WHERE action = 'export.balances'")[-1][0] == \
        "api:127.0.0.1"


def test_verify_passes_after_everything_above(server: Server) -> None:
    report = verify_file(server.db_path)
    assert report.ok, report.findings


def test_the_openapi_document_is_valid_and_the_docs_work_offline(server: Server) -> None:
    from openapi_spec_validator import validate

    document = httpx.get(server.api + "/openapi.json").json()
    validate(document)
    assert {"/auth/token", "/me", "/me/history", "/students", "/transfers", "/transfers/{transfer_id}",
            "/transfers/{transfer_id}/approve", "/transfers/{transfer_id}/reject", "/transactions",
            "/exports/{kind}.csv"} <= set(document["paths"])
    page = httpx.get(server.api + "/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and not [a for a in assets if "://" in a or a.startswith("//")], assets
    for asset in assets:
        if not asset.startswith("data:"):
            assert httpx.get(server.url + asset).status_code == 200, asset


def _cents(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    whole, frac = text.lstrip("-").split(".")
    return sign * (int(whole) * 100 + int(frac))

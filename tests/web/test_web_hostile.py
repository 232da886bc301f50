"""Hostile request bodies: each is refused with the field named, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from helpers import checksum, query
from web_support import Server

from campbank.ledger.verify import verify_file

GOOD = {"receiver": "s2", "amount": "1", "comment": "ok"}


@pytest.fixture(scope="module")
def student(server: Server) -> Iterator[httpx.Client]:
    with server.as_user("s1") as client:
        yield client


@pytest.fixture(scope="module")
def staff(server: Server) -> Iterator[httpx.Client]:
    with server.as_user("t1") as client:
        yield client


def nested(depth: int) -> str:
    return '{"receiver": ' + "[" * depth + "]" * depth + "}"


CASES: list[tuple[str, str, str, int, str]] = [
    # (who, path, raw body, status, field)
    ("student", "/transfers", '{"receiver": "s2", "amount": ', 400, "body"),
    ("student", "/transfers", "not json at all", 400, "body"),
    ("student", "/transfers", "[1, 2, 3]", 400, "body"),
    ("student", "/transfers", '"just text"', 400, "body"),
    ("student", "/transfers", json.dumps({**GOOD, "receiver": 5}), 400, "receiver"),
    ("student", "/transfers", json.dumps({**GOOD, "amount": True}), 400, "amount"),
    ("student", "/transfers", json.dumps({**GOOD, "amount": ["1"]}), 400, "amount"),
    ("student", "/transfers", json.dumps({**GOOD, "comment": {"text": "x"}}), 400, "comment"),
    ("student", "/transfers", json.dumps({**GOOD, "bogus": 1}), 400, "bogus"),
    ("student", "/transfers", json.dumps({"receiver": "s2", "amount": "1"}), 400, "comment"),
    ("student", "/transfers", '{"receiver": "s2", "receiver": "s3", "amount": "1", "comment": "x"}', 400,
     "receiver"),
    ("student", "/transfers", '{"receiver": "s2", "amount": NaN, "comment": "x"}', 400, "body"),
    ("student", "/transfers", json.dumps({**GOOD, "amount": "12.345"}), 400, "amount"),
    ("student", "/transfers", '{"receiver": "s2", "amount": 1e3, "comment": "x"}', 400, "amount"),
    ("student", "/transfers", json.dumps({**GOOD, "amount": "-5"}), 400, "amount"),
    ("student", "/transfers", '{"receiver": "s2", "amount": ' + "9" * 4300 + ', "comment": "x"}', 400, "amount"),
    ("student", "/transfers", '{"receiver": "s2", "amount": ' + "9" * 5000 + ', "comment": "x"}', 400, "body"),
    ("student", "/transfers", nested(25_000), 400, "body"),
    ("student", "/transfers", nested(100_000), 413, "body"),
    ("student", "/transfers", json.dumps({**GOOD, "comment": "x" * 70_000}), 413, "body"),
    ("student", "/transfers", json.dumps({**GOOD, "comment": "\x1b[2J\x1b[31mred alert"}), 400, "comment"),
    ("student", "/transfers", json.dumps({**GOOD, "comment": "bell\x07"}), 400, "comment"),
    ("student", "/transfers", json.dumps({**GOOD, "comment": "c1\x9b31m"}), 400, "comment"),
    ("student", "/transfers", json.dumps({**GOOD, "comment": "\ud800"}), 400, "comment"),
    ("student", "/transfers", json.dumps({**GOOD, "receiver": "nobody"}), 400, "receiver"),
    ("student", "/transfers", json.dumps({**GOOD, "receiver": "s1"}), 400, "receiver"),
    ("student", "/transfers", json.dumps({**GOOD, "amount": "100000"}), 409, "amount"),
    ("staff", "/transactions", json.dumps({"type": "fine", "fine_type": "fine_lang",
                                           "amounts": {"s2": "1"}, "colour": "red"}), 400, "colour"),
    ("staff", "/transactions", json.dumps({"type": "fine", "fine_type": "fine_lang", "description": "\x1b]0;pwned\x07",
                                           "amounts": {"s2": "1"}}), 400, "description"),
    ("staff", "/transactions", json.dumps({"type": "fine", "fine_type": "fine_lang",
                                           "amounts": {"s2\x1b[8m": "1"}}), 400, "amounts.s2\x1b[8m"),
    ("staff", "/transactions", json.dumps({"type": "fine", "fine_type": "fine_lang",
                                           "amounts": {"s2": 12.345}}), 400, "amounts.s2"),
    ("staff", "/transactions", json.dumps({"type": "nothing"}), 400, "type"),
    ("staff", "/transactions", json.dumps({"type": "fine", "fine_type": "fine_lang", "amounts": {"s2": "1"},
                                           "date": "1999-01-01"}), 400, "date"),
    ("staff", "/transactions", '{"type": "fine", "amounts": ' + "[" * 40 + "]" * 40 + "}", 400, "body"),
    ("staff", "/transfers/1/approve", json.dumps({"reason": "x", "extra": 1}), 400, "extra"),
    ("staff", "/transfers/1/approve", json.dumps({"reason": 7}), 400, "reason"),
    ("staff", "/transfers/99999999999999999999/approve", "{}", 400, "transfer_id"),
]


@pytest.mark.parametrize(("who", "path", "raw", "status", "field"), CASES,
                         ids=[f"{n}-{case[1]}-{case[4]}" for n, case in enumerate(CASES)])
def test_a_hostile_body_is_refused_naming_the_field_and_writes_nothing(
        server: Server, student: httpx.Client, staff: httpx.Client,
        who: str, path: str, raw: str, status: int, field: str) -> None:
    client = student if who == "student" else staff
    before = checksum(server.db_path)
    response = client.post(path, content=raw.encode("utf-8", "surrogatepass"),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field, response.text
    assert response.json()["error"]["message"]
    assert checksum(server.db_path) == before


def test_a_body_without_a_length_is_cut_off_at_the_limit(server: Server, student: httpx.Client) -> None:
    before = checksum(server.db_path)

    def chunks() -> Iterator[bytes]:
        yield b'{"receiver": "s2", "amount": "1", "comment": "'
        for _ in range(200):
            yield b"x" * 1024
        yield b'"}'

    response = student.post("/transfers", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["field"] == "body"
    assert checksum(server.db_path) == before


def test_markup_is_stored_and_returned_literally(server: Server, student: httpx.Client, staff: httpx.Client) -> None:
    """Square brackets are ordinary text: accepted, kept byte for byte, never interpreted."""
    comment = "[bold red]free money[/] [link=http://x]click[/link] <script>alert(1)</script> =1+1"
    asked = student.post("/transfers", json={"receiver": "s3", "amount": "0.50", "comment": comment})
    assert asked.status_code == 201, asked.text
    pending = student.get("/me").json()["pending_requests"]
    assert [r["comment"] for r in pending if r["id"] == asked.json()["id"]] == [comment]
    assert query(server.db_path, "SELECT description FROM txn WHERE id = ?", (asked.json()["id"],)) == [(comment,)]


def test_an_exact_decimal_amount_is_read_exactly(server: Server, student: httpx.Client) -> None:
    asked = student.post("/transfers", content=b'{"receiver": "s4", "amount": 0.3, "comment": "exact"}',
                         headers={"Content-Type": "application/json"})
    assert asked.status_code == 201, asked.text
    assert asked.json()["total"] == "0.30"


def test_the_camp_verifies_after_the_attack(server: Server) -> None:
    report = verify_file(server.db_path)
    assert report.ok, report.findings

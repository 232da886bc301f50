"""Raw exports: money, counters and balances as CSV and JSON, read back with csv and json."""

from __future__ import annotations

import csv
import inspect
import io
import json
import re

import pytest
from helpers import query

from campbank.core.errors import InputError, PermissionDenied
from campbank.formats import exports
from campbank.formats.exports import (
    FIELDS,
    balances_csv,
    balances_json,
    entries_csv,
    entries_json,
    entry_records,
    save_text,
)

AMOUNT = re.compile(r"^-?\d+\.\d{2}$")


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff"), "a BOM, so spreadsheets read UTF-8"
    body = text[1:]
    assert body.count("\r\n") == body.count("\n") > 0, "CRLF line ends (no text here holds a newline)"
    return list(csv.DictReader(io.StringIO(body, newline="")))


def cents(text: str) -> int:
    whole, _, frac = text.lstrip("-").partition(".")
    value = int(whole) * 100 + int(frac)
    return -value if text.startswith("-") else value


def test_money_csv_round_trip(market):
    text = "".join(entries_csv(market.db, market.manager, "money"))
    assert text.endswith("\r\n") and "\r\n" in text
    rows = read_csv(text)
    raw = query(market.path, """SELECT m.id, m.transaction_id, m.amount, m.money_type, r.username, r.last_name,
        r.first_name, r.middle_name, r.balance, c.username, t.state FROM money_entry m
        JOIN txn t ON t.id = m.transaction_id JOIN account r ON r.id = m.receiver_id
        JOIN account c ON c.id = t.creator_id ORDER BY m.id""")
    assert len(rows) == len(raw)
    assert list(rows[0]) == list(FIELDS["money"])
    for row, raw_row in zip(rows, raw, strict=True):
        entry, txn, amount, money_type, username, last, first, middle, balance, creator, state = raw_row
        assert (int(row["entry_id"]), int(row["transaction_id"]), cents(row["amount"])) == (entry, txn, amount)
        assert (row["money_type"], row["receiver_username"], row["creator"], row["state"]) == (
            money_type, username, creator, state)
        assert row["receiver_last_name"] == (last if not last.startswith("-") else "'" + last)
        assert (row["receiver_first_name"], row["receiver_middle_name"]) == (first, middle)
        assert cents(row["receiver_balance"]) == balance
        assert row["counted"] == ("yes" if state == "processed" else "no")
    by_txn = {int(r["transaction_id"]): r for r in rows}
    obrien = next(r for r in rows if r["receiver_username"] == "obrien")
    assert (obrien["receiver_last_name"], obrien["receiver_middle_name"]) == ('O"Brien, Jr.', "Мария")
    assert by_txn[market.ids["reward"]]["description"] == 'Prize, "best" team'
    assert by_txn[market.ids["olympiad"]]["description"] == "'=1+2", "formula-looking text gets an apostrophe"
    assert by_txn[market.ids["radio"]]["group"] == "work"
    assert by_txn[market.ids["olympiad"]]["group"] == "studies"
    assert (by_txn[market.ids["cancelled"]]["state"], by_txn[market.ids["cancelled"]]["counted"]) == ("declined", "no")
    assert (by_txn[market.ids["pending"]]["state"], by_txn[market.ids["pending"]]["counted"]) == ("created", "no")
    petrov = next(r for r in rows if r["receiver_username"] == "petrov")
    assert (petrov["receiver_last_name"], petrov["receiver_first_name"], petrov["receiver_squad"],
            petrov["receiver_grade"]) == ("Петров", "Пётр", "Squad 3", "10")


def test_counted_money_adds_up_to_each_students_balance(market):
    records = list(entry_records(market.db, market.manager, "money"))
    for username in ("s2", "s3", "s4", "petrov", "obrien"):  # students who sent no transfer
        mine = [r for r in records if r["receiver_username"] == username]
        assert sum(cents(r["amount"]) for r in mine if r["counted"]) == cents(mine[0]["receiver_balance"])


def test_money_json_round_trip(market):
    records = json.loads("".join(entries_json(market.db, market.manager, "money")))
    assert len(records) == query(market.path, "SELECT COUNT(*) FROM money_entry")[0][0]
    for record in records:
        assert list(record) == list(FIELDS["money"])
        assert isinstance(record["amount"], str) and AMOUNT.match(record["amount"])
        assert isinstance(record["receiver_balance"], str) and AMOUNT.match(record["receiver_balance"])
        assert isinstance(record["counted"], bool) and record["counted"] == (record["state"] == "processed")
        assert record["created_at"].endswith("Z") and len(record["day"]) == 10
    minus = next(r for r in records if r["receiver_username"] == "minus")
    assert minus["receiver_last_name"] == "-2+3", "JSON keeps text exactly"
    assert any(r["description"] == "=1+2" for r in records)


def test_counters_csv_and_json(market):
    rows = read_csv("".join(entries_csv(market.db, market.manager, "counters")))
    records = json.loads("".join(entries_json(market.db, market.manager, "counters")))
    count = query(market.path, "SELECT COUNT(*) FROM counter_entry")[0][0]
    assert len(rows) == len(records) == count
    fac = [r for r in records if r["transaction_id"] == market.ids["fac"]]
    assert {r["receiver_username"] for r in fac} == {"s1", "s2", "petrov"}
    assert all((r["counter_type"], r["value"], r["block"], r["date"]) == ("fac_attend", 1, "fac_1", "2018-08-10")
               for r in fac)
    labs = [r for r in rows if r["counter_type"] == "lab_pass"]
    assert sorted(r["receiver_username"] for r in labs) == ["s1", "s3"] and all(r["value"] == "1" for r in labs)
    petrov = next(r for r in rows if r["receiver_username"] == "petrov")
    assert (petrov["receiver_last_name"], petrov["counted"]) == ("Петров", "yes")


def test_book_certificates_are_amounts(market):
    from campbank.ledger.actions.posting import post

    post(market.db, market.manager, {"type": "certificate", "date": "2018-08-10", "certificates": ["s3"]})
    records = json.loads("".join(entries_json(market.db, market.manager, "counters")))
    (certificate,) = [r for r in records if r["counter_type"] == "book_certificate"]
    assert isinstance(certificate["value"], str) and AMOUNT.match(certificate["value"])


def test_balances_round_trip(market):
    rows = list(csv.DictReader(io.StringIO(balances_csv(market.db, market.manager), newline="")))
    records = json.loads(balances_json(market.db, market.manager))
    raw = dict(query(market.path, "SELECT username, balance FROM account WHERE role = 'student'"))
    assert {r["username"]: cents(r["balance"]) for r in rows} == raw
    assert {r["username"]: cents(r["balance"]) for r in records} == raw
    by_name = {r["username"]: r for r in rows}
    assert by_name["obrien"]["full_name"] == 'O"Brien, Jr. Ann Мария'
    assert by_name["minus"]["full_name"] == "'-2+3 Bob"
    assert {r["username"]: r["full_name"] for r in records}["petrov"] == "Петров Пётр"
    assert set(records[0]) == {"username", "full_name", "role", "squad", "grade", "active", "balance", "main",
                               "in_pockets", "certificates", "counters", "expected_fine"}


def test_csv_byte_order_mark_is_optional(market):
    text = "".join(entries_csv(market.db, market.manager, "money", bom=False))
    assert not text.startswith("\ufeff") and text.startswith("entry_id,")


def test_exports_stream_in_chunks(market, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)
    seen: list[tuple[int, int]] = []
    records = entry_records(market.db, market.manager, "money", progress=lambda done, total: seen.append((done, total)))
    assert inspect.isgenerator(records)
    ids = [r["entry_id"] for r in records]
    assert ids == [i for (i,) in query(market.path, "SELECT id FROM money_entry ORDER BY id")]
    assert seen[0] == (0, len(ids)) and seen[-1] == (len(ids), len(ids)) and len(seen) > 5
    assert json.loads("".join(entries_json(market.db, market.manager, "money")))[-1]["entry_id"] == ids[-1]


def test_an_empty_camp_exports_valid_files(db):
    from helpers import actor_of

    manager = actor_of(db, "manager")
    assert json.loads("".join(entries_json(db, manager, "money"))) == []
    assert "".join(entries_csv(db, manager, "counters")) == "\ufeff" + ",".join(FIELDS["counters"]) + "\r\n"
    assert json.loads(balances_json(db, manager)) == []


@pytest.mark.parametrize("who", ["t1", "s1"])
def test_only_managers_export(market, who):
    for kind in ("money", "counters"):
        with pytest.raises(PermissionDenied):
            entries_csv(market.db, market.actor(who), kind)  # refused at the call, not at the first row
        with pytest.raises(PermissionDenied):
            entries_json(market.db, market.actor(who), kind)


def test_saving_goes_through_a_temporary_file(tmp_path):
    target = tmp_path / "out.csv"
    save_text(["a,b\r\n", "1,2\r\n"], target, bom=True)
    assert target.read_bytes() == b"\xef\xbb\xbfa,b\r\n1,2\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]

    def failing():  # type: ignore[no-untyped-def]
        yield "half"
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        save_text(failing(), target, force=True)
    assert target.read_bytes() == b"\xef\xbb\xbfa,b\r\n1,2\r\n", "a failed export leaves the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with pytest.raises(InputError):
        save_text(["x"], tmp_path / "missing" / "out.csv")
    with pytest.raises(InputError):
        save_text(["x"], tmp_path)

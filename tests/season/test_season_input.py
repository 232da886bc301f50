"""Input rules of the command line: exact JSON decimals, one exit code for what does not exist, and every
usage error on one `error:` line."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from helpers import MANAGER_PASSWORD, query
from season_cli import cli

from campbank.core.errors import InputError
from campbank.core.money import parse_amount


def post(camp, tmp_path, text: str, code: int = 0):  # type: ignore[no-untyped-def]
    payload = tmp_path / "p.json"
    payload.write_text(text, encoding="utf-8")
    return cli(camp.path, "post", "--as", "manager", str(payload), password=MANAGER_PASSWORD, code=code)


def test_a_json_number_with_two_decimals_is_read_exactly(camp, tmp_path):
    out = post(camp, tmp_path, '{"type": "general_money", "money_type": "reward", "description": "x", '
                               '"date": "2018-08-10", "amounts": {"s1": 12.5, "s2": 0.1, "s3": 1e1}}').output
    assert "total 22.60@" in out
    amounts = dict(query(camp.path, """SELECT a.username, m.amount FROM money_entry m JOIN account a
                                       ON a.id = m.receiver_id WHERE m.description != 'Initial grant'
                                       AND m.money_type = 'reward'"""))
    assert amounts == {"s1": 1250, "s2": 10, "s3": 1000}
    stored = json.loads(query(camp.path, "SELECT payload FROM txn ORDER BY id DESC LIMIT 1")[0][0])
    assert stored["amounts"] == {"s1": "12.5", "s2": "0.1", "s3": "10"}


@pytest.mark.parametrize("number", ["12.555", "0.001", "1e-3", "1.0e400"])
def test_more_than_two_decimals_or_absurd_numbers_are_refused(camp, tmp_path, number):
    out = post(camp, tmp_path, '{"type": "general_money", "money_type": "reward", "description": "x", '
                               f'"amounts": {{"s1": {number}}}}}', code=2).output
    assert out.startswith("error:")
    assert query(camp.path, "SELECT COUNT(*) FROM txn WHERE type = 'general_money' AND description = 'x'") == [(0,)]


def test_parse_amount_takes_a_decimal_only_with_two_decimals():
    assert parse_amount(Decimal("12.5")) == 1250
    assert parse_amount(Decimal("7")) == 700
    with pytest.raises(InputError, match="more than 2 decimals"):
        parse_amount(Decimal("12.345"))
    with pytest.raises(InputError):
        parse_amount(Decimal("NaN"))
    with pytest.raises(InputError, match="floating-point"):
        parse_amount(12.5)


@pytest.mark.parametrize("argv", [
    ["approve", "99999", "--as", "manager"],
    ["cancel", "99999", "--as", "manager"],
    ["users", "passwd", "nosuchuser", "--as", "manager"],
    ["users", "deactivate", "nosuchuser", "--as", "manager"],
    ["users", "reactivate", "nosuchuser", "--as", "manager"],
])
def test_a_name_or_id_that_does_not_exist_is_bad_input(camp, argv):
    out = cli(camp.path, *argv, password=MANAGER_PASSWORD, code=2).output
    assert out.startswith("error:") and out.count("\n") == 1


def test_an_unknown_username_in_a_payload_is_bad_input_too(camp, tmp_path):
    post(camp, tmp_path, '{"type": "general_money", "money_type": "reward", "description": "x", '
                         '"amounts": {"nosuchuser": 1}}', code=2)


@pytest.mark.parametrize("argv", [
    ["tax", "run", "--bogus"], ["approve"], ["season", "nope"], ["users", "add", "--last-name", "x"],
    ["nosuchcommand"], ["tax", "run", "--date"],
])
def test_every_usage_error_is_one_error_line(camp, argv):
    out = cli(camp.path, *argv, code=2).output
    assert out.startswith("error: ") and out.count("\n") == 1, out
    assert "╭" not in out and "Usage:" not in out

"""`campbank report xlsx|stats` and `campbank export money|counters|balances` through typer's runner."""

from __future__ import annotations

import csv
import io
import json

from helpers import MANAGER_PASSWORD, STAFF_PASSWORD, STUDENT_PASSWORD, query
from openpyxl import load_workbook
from typer.testing import CliRunner

from campbank.cli import app
from campbank.formats.exports import balances_csv

PASSWORDS = {"s": STUDENT_PASSWORD, "t": STAFF_PASSWORD, "m": MANAGER_PASSWORD}


def cli(camp, *args: str, as_user: str | None = "manager", code: int = 0):  # type: ignore[no-untyped-def]
    argv = ["--db", str(camp.path), *args] + (["--as", as_user] if as_user else [])
    env = {"CAMPBANK_PASSWORD": PASSWORDS[as_user[0]] if as_user else None, "CAMPBANK_DB": None, "COLUMNS": "120"}
    result = CliRunner().invoke(app, argv, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}:\n{result.output}"
    return result


def test_report_xlsx(market, tmp_path):
    target = tmp_path / "out" / "camp.xlsx"
    target.parent.mkdir()
    result = cli(market, "report", "xlsx", "-o", str(target))
    assert f"Wrote {target} (8 students, " in result.output
    assert load_workbook(target).sheetnames[0] == "Balances"
    assert query(market.path, "SELECT COUNT(*) FROM audit_log WHERE action = 'export.xlsx'") == [(1,)]
    cli(market, "report", "xlsx", "-o", str(tmp_path / "missing" / "x.xlsx"), code=2)
    refused = cli(market, "report", "xlsx", "-o", str(tmp_path / "out" / "staff.xlsx"), as_user="t1", code=1)
    assert "may not" in refused.output and not (tmp_path / "out" / "staff.xlsx").exists()


def test_report_stats(market):
    out = cli(market, "report", "stats", as_user="t1").stdout
    for words in ("Market statistics", "students", "median", "in danger", "pending transfers", "Money by report group",
                  "Money by transaction day", "Money supply", "█"):
        assert words in out
    cli(market, "report", "stats", as_user="s1", code=1)


def test_export_money_json_to_stdout(market):
    records = json.loads(cli(market, "export", "money", "--format", "json").stdout)
    assert len(records) == query(market.path, "SELECT COUNT(*) FROM money_entry")[0][0]
    assert query(market.path, "SELECT target FROM audit_log WHERE action = 'export.money'") == [("stdout",)]


def test_export_counters_csv_to_a_file_with_and_without_bom(market, tmp_path):
    target = tmp_path / "counters.csv"
    result = cli(market, "export", "counters", "-o", str(target))
    assert "counter entries" in result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == query(market.path, "SELECT COUNT(*) FROM counter_entry")[0][0]
    assert any(r["receiver_last_name"] == "Петров" for r in rows)
    cli(market, "export", "counters", "-o", str(target), "--no-bom", "--force")
    assert target.read_bytes() == raw[3:]


def test_export_balances_keeps_its_behaviour(market, tmp_path):
    out = cli(market, "export", "balances").stdout_bytes.decode("utf-8")
    assert out == balances_csv(market.db, market.manager), "stdout: the CSV, no BOM"
    target = tmp_path / "balances.csv"
    cli(market, "export", "balances", "-o", str(target))
    assert target.read_bytes() == b"\xef\xbb\xbf" + out.encode("utf-8")
    cli(market, "export", "balances", "-o", str(target), "--no-bom", "--force")
    assert target.read_bytes() == out.encode("utf-8")
    records = json.loads(cli(market, "export", "balances", "--format", "json").stdout)
    assert {r["username"] for r in records} == set(market.students)


def test_export_refusals(market, tmp_path):
    for kind in ("money", "counters", "balances"):
        cli(market, "export", kind, "--format", "xml", code=2)
        result = cli(market, "export", kind, "--format", "json", as_user="t1", code=1)
        assert "120.00" not in result.stdout
        cli(market, "export", kind, "-o", str(tmp_path / "missing" / "x.csv"), code=2)

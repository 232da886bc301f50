"""Closing the season: refused before the last day is over (unless --force) and while anything is left
undone, each thing named; afterwards every change is refused and every read works."""

from __future__ import annotations

from datetime import date, timedelta

from helpers import query
from season_cli import cli, new_camp

from campbank.ledger.verify import verify_file

M = ("--as", "manager")


def camp(tmp_path, first_day: date):
    path = tmp_path / "camp.db"
    password = new_camp(path, "--first-day", first_day.isoformat(), "--days", "5")
    roster = tmp_path / "r.csv"
    roster.write_text("last_name,first_name,squad,grade,username,password\nA,Ann,1,9,ann,student-pass-1\n",
                      encoding="utf-8")
    cli(path, "users", "import", str(roster), *M, password=password)
    return path, password


def test_closing_lists_what_is_missing_and_refuses_until_it_is_done(tmp_path):
    path, password = camp(tmp_path, date.today() - timedelta(days=5))  # the last day was yesterday
    before = query(path, "SELECT * FROM txn"), query(path, "SELECT * FROM meta")
    out = cli(path, "season", "close", *M, password=password, code=1).output
    assert "not taxed" in out and "final study fine" in out and "tax run --through" in out
    assert (query(path, "SELECT * FROM txn"), query(path, "SELECT * FROM meta")) == before
    assert not (tmp_path / "camp-statements.pdf").exists()
    cli(path, "tax", "run", "--through", "yesterday")
    cli(path, "fines", "charge", "--stage", "final", "--yes", *M, password=password)
    out = cli(path, "season", "close", *M, password=password).output
    assert "is closed" in out and (tmp_path / "camp-statements.pdf").exists()
    assert query(path, "SELECT COUNT(*) FROM audit_log WHERE action = 'season.close'") == [(1,)]
    refused = cli(path, "users", "add", "--last-name", "B", "--first-name", "Bob", "--role", "staff", *M,
                  password=password, code=1).output
    assert "the season is closed" in refused
    again = cli(path, "season", "close", "--statements", str(tmp_path / "again.pdf"), *M, password=password, code=1)
    assert "the season is closed" in again.output  # closed once
    cli(path, "report", "xlsx", "-o", str(tmp_path / "r.xlsx"), *M, password=password)
    cli(path, "statement", "ann", "-o", str(tmp_path / "ann.pdf"), *M, password=password)
    assert verify_file(path).ok


def test_closing_before_the_last_day_is_over_needs_force(tmp_path):
    path, password = camp(tmp_path, date.today() - timedelta(days=1))
    out = cli(path, "season", "close", *M, password=password, code=1).output
    assert f"runs until {date.today() + timedelta(days=3)}" in out and "--force" in out
    out = cli(path, "season", "close", "--force", *M, password=password, code=1).output
    assert "not taxed" in out  # forced past the date, never past what is missing
    cli(path, "tax", "run", "--through", "today")
    cli(path, "fines", "charge", "--stage", "final", "--force", "--yes", *M, password=password)
    cli(path, "season", "close", "--force", "--statements", str(tmp_path / "closing.pdf"), *M, password=password)
    assert (tmp_path / "closing.pdf").exists()

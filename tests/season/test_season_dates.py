"""This summer's dates: `init --first-day/--days` and `season dates`, with every dated rule following."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta

import pytest
from helpers import query
from season_cli import cli, new_camp

from campbank.core.errors import InputError
from campbank.ledger.season.dates import redate
from campbank.ledger.season.load import SEASON_FILES, parse_season
from campbank.ledger.verify import verify_file

CLASSIC = SEASON_FILES["classic"].read_text(encoding="utf-8")


def test_redate_moves_both_days_and_keeps_the_schedule_by_day_number():
    season = parse_season(redate(CLASSIC, date(2026, 7, 1)), "x")
    assert (season.first_day, season.last_day) == (date(2026, 7, 1), date(2026, 7, 21))
    assert season.tax_for(date(2026, 7, 2)) == 500  # day 2 is 5@ whatever the dates
    assert season.tax_for(date(2026, 7, 21)) == 2500
    assert season.tax_for(date(2026, 7, 22)) is None


def test_redate_stretches_and_shortens_the_tax_schedule():
    longer = parse_season(redate(CLASSIC, date(2026, 7, 1), 25), "x")
    assert longer.days == 25 and len(longer.tax_schedule) == 25
    assert longer.tax_schedule[25] == longer.tax_schedule[21] == 2500
    shorter = parse_season(redate(CLASSIC, date(2026, 7, 1), 10), "x")
    assert shorter.last_day == date(2026, 7, 10)
    assert sorted(shorter.tax_schedule) == list(range(1, 11))
    assert shorter.tax_schedule[10] == 2300
    # the comments and every other table stay as written
    text = redate(CLASSIC, date(2026, 7, 1), 10)
    assert "# The evening tax, by season day" in text
    assert tomllib.loads(text)["budgets"] == tomllib.loads(CLASSIC)["budgets"]


@pytest.mark.parametrize("days", [0, -1, 367])
def test_redate_refuses_an_impossible_length(days):
    with pytest.raises(InputError) as refused:
        redate(CLASSIC, date(2026, 7, 1), days)
    assert refused.value.field == "--days"


@pytest.mark.parametrize("name", sorted(SEASON_FILES))
def test_every_shipped_season_can_be_dated(name):
    text = SEASON_FILES[name].read_text(encoding="utf-8")
    season = parse_season(redate(text, date.today(), 14), name)
    assert season.first_day == date.today() and season.days == 14


def test_init_on_this_summers_dates_posts_today_and_grants_today(tmp_path):
    path = tmp_path / "camp.db"
    today = date.today()
    password = new_camp(path, "--first-day", (today - timedelta(days=2)).isoformat(), "--days", "18")
    assert f"{today - timedelta(days=2)} to {today + timedelta(days=15)}" in cli(path, "season", "show").output
    cli(path, "users", "add", "--last-name", "Pervaya", "--first-name", "Olga", "--role", "student",
        "--squad", "Squad 1", "--grade", "7", "--as", "manager", password=password)
    payload = tmp_path / "p.json"
    payload.write_text('{"type": "general_money", "money_type": "reward", "description": "first day", '
                       '"amounts": {"pervaya.o": "5"}}', encoding="utf-8")
    assert "Posted #" in cli(path, "post", "--as", "manager", str(payload), password=password).output
    assert query(path, "SELECT day FROM txn ORDER BY id") == [(date.today().isoformat(),), (date.today().isoformat(),)]
    assert verify_file(path).ok


def test_a_student_added_before_the_camp_is_granted_on_its_first_day(tmp_path):
    path = tmp_path / "camp.db"
    first = date.today() + timedelta(days=10)
    password = new_camp(path, "--first-day", first.isoformat())
    cli(path, "users", "add", "--last-name", "Rannyaya", "--first-name", "Olga", "--role", "student",
        "--squad", "Squad 1", "--grade", "7", "--as", "manager", password=password)
    assert query(path, "SELECT day FROM txn") == [(first.isoformat(),)]


def test_season_dates_moves_the_season_unless_a_transaction_would_fall_outside(tmp_path):
    path = tmp_path / "camp.db"
    password = new_camp(path, "--first-day", date.today().isoformat())
    out = cli(path, "season", "dates", "--first-day", (date.today() - timedelta(days=3)).isoformat(), "--days", "30",
              "--as", "manager", password=password).output
    assert f"now runs {date.today() - timedelta(days=3)} to {date.today() + timedelta(days=26)} (30 days)" in out
    cli(path, "users", "add", "--last-name", "Pervaya", "--first-name", "Olga", "--role", "student",
        "--squad", "Squad 1", "--grade", "7", "--as", "manager", password=password)
    seasons = query(path, "SELECT COUNT(*) FROM season")
    refused = cli(path, "season", "dates", "--first-day", (date.today() + timedelta(days=1)).isoformat(),
                  "--as", "manager", password=password, code=1)
    assert f"#1 (general_money, {date.today()}) would fall outside" in refused.output
    assert query(path, "SELECT COUNT(*) FROM season") == seasons
    assert "season.dates" in {row[0] for row in query(path, "SELECT action FROM audit_log")}
    # needs a manager
    cli(path, "season", "dates", "--days", "20", code=2)
    assert verify_file(path).ok

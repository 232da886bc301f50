"""Study fines in a real camp: the total and head-count before charging, never before the stage's day
without --force, and a whole stage voided in one step (and charged again later)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import query
from season_cli import cli, new_camp

from campbank.ledger.verify import verify_file

GRANT = 12_000


def camp_on(tmp_path, first_day: date, students: int = 3):
    """A camp of the classic season starting `first_day` (21 days), students of grade 9 with nothing done."""
    path = tmp_path / "camp.db"
    password = new_camp(path, "--first-day", first_day.isoformat())
    roster = tmp_path / "r.csv"
    roster.write_text("Фамилия,Имя,Отряд,Класс,Логин,Пароль\n" + "".join(
        f"Ученик{i},Иван,{i % 4 + 1},9,s{i},student-pass-{i}\n" for i in range(1, students + 1)), encoding="utf-8")
    cli(path, "users", "import", str(roster), "--as", "manager", password=password)
    return path, password


def fines_of(path, state="processed"):
    return query(path, "SELECT COUNT(*), COALESCE(-SUM(amount), 0) FROM txn WHERE type = 'study_fine' AND state = ?",
                 (state,))[0]


def test_charging_before_the_stage_day_needs_force_and_shows_the_figures_first(tmp_path):
    path, password = camp_on(tmp_path, date.today() - timedelta(days=2))  # day 3 of 21
    me = ("--as", "manager")
    refused = cli(path, "fines", "charge", "--stage", "final", "--yes", *me, password=password, code=1).output
    assert "The final stage (due " in refused and "3 students would be charged 4005.00@ in all" in refused
    assert f"falls due on {date.today() + timedelta(days=18)}" in refused and "--force" in refused
    assert fines_of(path) == (0, 0)
    # the equator falls due on day 11
    out = cli(path, "fines", "charge", "--stage", "equator", "--yes", *me, password=password, code=1).output
    assert f"falls due on {date.today() + timedelta(days=8)}" in out
    # asked, and answered no: nothing
    cli(path, "fines", "charge", "--stage", "final", "--force", *me, password=password, input="n\n", code=1)
    assert fines_of(path) == (0, 0)
    charged = cli(path, "fines", "charge", "--stage", "final", "--force", *me, password=password, input="y\n").output
    assert "Charged 3 students 4005.00@ in all." in charged
    assert fines_of(path) == (3, 400_500)
    assert verify_file(path).ok


def test_fines_void_reverses_a_whole_stage_in_one_step_and_it_can_be_charged_again(tmp_path):
    path, password = camp_on(tmp_path, date.today() - timedelta(days=20))  # the last day: the final is due
    me = ("--as", "manager")
    cli(path, "fines", "charge", "--stage", "final", "--yes", *me, password=password)
    assert fines_of(path) == (3, 400_500)
    out = cli(path, "fines", "void", "--stage", "final", "--reason", "charged too early", *me,
              password=password).output
    assert "Voided the final study fines: 3 students, 4005.00@ given back" in out
    assert fines_of(path) == (0, 0) and fines_of(path, "declined") == (3, 400_500)
    assert query(path, "SELECT COUNT(*) FROM audit_log WHERE action = 'fines.voided'") == [(1,)]
    assert {b for (b,) in query(path, "SELECT balance FROM account WHERE role = 'student'")} == {GRANT}
    cli(path, "fines", "void", "--stage", "final", *me, password=password, code=1)  # nothing left to void
    again = cli(path, "fines", "charge", "--stage", "final", "--yes", *me, password=password).output
    assert "Charged 3 students 4005.00@ in all." in again
    assert fines_of(path) == (3, 400_500)
    keys = [k for (k,) in query(path, "SELECT idempotency_key FROM txn WHERE type = 'study_fine' ORDER BY id")]
    assert all(k.endswith(":2") for k in keys[3:]) and len(keys) == 6
    assert "Charged 0 students" in cli(path, "fines", "charge", "--stage", "final", "--yes", *me,
                                       password=password).output
    assert verify_file(path).ok


@pytest.mark.parametrize("stage", ["midterm", ""])
def test_an_unknown_stage_is_bad_input(tmp_path, stage):
    path, password = camp_on(tmp_path, date.today(), students=1)
    cli(path, "fines", "void", "--stage", stage, "--as", "manager", password=password, code=2)

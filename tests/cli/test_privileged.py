"""Commands that change people, the season or money runs, or that let data leave, need a named manager and
that manager's password; only the scheduler's tax run, backup, verify, init and demo run without."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    MANAGER_PASSWORD,
    STAFF_PASSWORD,
    STUDENT_PASSWORD,
    checksum,
    checksum_apart_from_sign_in,
    query,
)
from typer.testing import CliRunner

from campbank.cli import app
from campbank.core.errors import AuthError
from campbank.ledger.actions.auth import sign_in

PASSWORDS = {"manager": MANAGER_PASSWORD, "t1": STAFF_PASSWORD, "s1": STUDENT_PASSWORD}
NAMES = ["users import", "users add", "users passwd", "users deactivate", "season load", "tax void", "fines preview",
         "fines charge", "report xlsx", "export money", "export counters", "export balances"]
ROSTER = "last_name,first_name,middle_name,squad,grade,role\nNew,Nina,,Squad 1,7,student\n"


def privileged(tmp: Path) -> dict[str, list[str]]:
    (tmp / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp / "menu.md").write_text("# Soup\n", encoding="utf-8")
    return {
        "users import": ["users", "import", str(tmp / "roster.csv"), "--credentials", str(tmp / "pw.xlsx")],
        "users add": ["users", "add", "--last-name", "Lee", "--first-name", "Kim", "--role", "manager"],
        "users passwd": ["users", "passwd", "manager"],
        "users deactivate": ["users", "deactivate", "s1"],
        "season load": ["season", "load", "flat-tax"],
        "tax void": ["tax", "void", "2018-08-07"],
        "fines preview": ["fines", "preview"],
        "fines charge": ["fines", "charge", "--stage", "final", "--yes"],
        "report xlsx": ["report", "xlsx", "-o", str(tmp / "report.xlsx")],
        "export money": ["export", "money"],
        "export counters": ["export", "counters", "-o", str(tmp / "counters.csv")],
        "export balances": ["export", "balances", "--format", "json"],
    }


def invoke(path: Path, argv: list[str], password: str | None = None):  # type: ignore[no-untyped-def]
    env = {"CAMPBANK_PASSWORD": password, "CAMPBANK_DB": None, "COLUMNS": "160"}
    result = CliRunner().invoke(app, ["--db", str(path), *argv], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def made_files(tmp: Path) -> set[str]:
    return {p.name for p in tmp.iterdir()} - {"roster.csv", "menu.md", "camp.db", "camp.db-journal"}


@pytest.fixture
def taxed(camp):  # type: ignore[no-untyped-def]
    from datetime import date

    from campbank.ledger.actions.tax import run

    run(camp.db, camp.manager, day=date(2018, 8, 7))
    return camp


@pytest.mark.parametrize("name", NAMES)
def test_without_as_a_privileged_command_is_refused_and_changes_nothing(taxed, tmp_path, name):
    argv = privileged(tmp_path)[name]
    before = checksum(taxed.path)
    result = invoke(taxed.path, argv, password=MANAGER_PASSWORD)
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: --as: ") and f"`campbank {name}` needs a manager" in line
    assert checksum(taxed.path) == before, "not even a sign-in was attempted"
    assert made_files(tmp_path) == set()


@pytest.mark.parametrize("who", ["t1", "s1"])
@pytest.mark.parametrize("name", NAMES)
def test_staff_and_students_get_a_clear_refusal(taxed, tmp_path, name, who):
    argv = privileged(tmp_path)[name]
    before = checksum_apart_from_sign_in(taxed.path)
    result = invoke(taxed.path, [*argv, "--as", who], password=PASSWORDS[who])
    assert result.exit_code == 1, result.output
    role = "staff" if who == "t1" else "student"
    assert f"error: password: a {role} may not run `campbank {name}`: it needs a manager" in result.output
    assert checksum_apart_from_sign_in(taxed.path) == before
    assert made_files(tmp_path) == set()
    assert query(taxed.path, "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == [("login.refused",)]


@pytest.mark.parametrize("name", NAMES)
def test_a_manager_with_the_password_may(taxed, tmp_path, name):
    result = invoke(taxed.path, [*privileged(tmp_path)[name], "--as", "manager"], password=MANAGER_PASSWORD)
    assert result.exit_code == 0, result.output


def test_users_passwd_manager_without_as_prints_no_password(camp):
    before = query(camp.path, "SELECT password_hash FROM account WHERE username = 'manager'")
    result = invoke(camp.path, ["users", "passwd", "manager"])
    assert result.exit_code == 2 and "New password" not in result.output
    assert query(camp.path, "SELECT password_hash FROM account WHERE username = 'manager'") == before
    assert sign_in(camp.db, "manager", MANAGER_PASSWORD).username == "manager"


def test_wrong_manager_passwords_on_the_command_line_count_towards_the_lockout(camp):
    for _ in range(5):
        wrong = invoke(camp.path, ["users", "passwd", "s1", "--as", "manager"], password="not-the-password")
        assert wrong.exit_code == 1 and "New password" not in wrong.output
    locked = invoke(camp.path, ["users", "passwd", "s1", "--as", "manager"], password=MANAGER_PASSWORD)
    assert locked.exit_code == 1 and "locked" in locked.output
    with pytest.raises(AuthError, match="locked"):
        sign_in(camp.db, "manager", MANAGER_PASSWORD)  # the same sign-in as the office's
    places = query(camp.path, "SELECT detail FROM audit_log WHERE action = 'login.failed'")
    assert len(places) == 5 and all('"place": "cli"' in detail for (detail,) in places)


def test_reading_on_someones_behalf_needs_a_sign_in(camp, tmp_path):
    for argv in (["report", "stats"], ["files", "list"]):
        result = invoke(camp.path, argv)
        assert result.exit_code == 2 and "acts as someone" in result.output
    assert invoke(camp.path, ["report", "stats", "--as", "t1"], password=STAFF_PASSWORD).exit_code == 0
    assert invoke(camp.path, ["files", "list", "--by", "s1"], password=STUDENT_PASSWORD).exit_code == 0
    menu = tmp_path / "menu.md"
    menu.write_text("# Soup\n", encoding="utf-8")
    refused = invoke(camp.path, ["files", "add", str(menu)], password=MANAGER_PASSWORD)
    assert refused.exit_code == 2 and "needs a manager" in refused.output
    staff = invoke(camp.path, ["files", "add", str(menu), "--by", "t1"], password=STAFF_PASSWORD)
    assert staff.exit_code == 1 and "a staff may not run `campbank files add`" in staff.output
    added = invoke(camp.path, ["files", "add", str(menu), "--by", "manager"], password=MANAGER_PASSWORD)
    assert added.exit_code == 0 and "Added menu.md" in added.output


def test_the_scheduler_backup_verify_init_and_demo_need_no_manager(camp, tmp_path):
    assert invoke(camp.path, ["tax", "run", "--date", "2018-08-07"]).exit_code == 0
    assert invoke(camp.path, ["backup", str(tmp_path / "copy.db")]).exit_code == 0
    assert invoke(camp.path, ["verify"]).exit_code == 0
    assert invoke(tmp_path / "new.db", ["init"]).exit_code == 0
    assert invoke(tmp_path / "demo.db", ["demo", "--students", "8", "--no-open"]).exit_code == 0

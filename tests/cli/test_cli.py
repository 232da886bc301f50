"""The command line (the README's "Commands"): a contract that scripts rely on — its output, files and exit codes.

Exit codes: 0 done, 1 refused by a rule (or a permission / sign-in), 2 bad usage or input.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import (
    DAY,
    GRANT,
    MANAGER_PASSWORD,
    STAFF_PASSWORD,
    STUDENT_PASSWORD,
    balance,
    balances,
    dump,
    money,
    p2p,
    query,
)
from typer.testing import CliRunner

from campbank.cli import app
from campbank.ledger.actions.auth import sign_in
from campbank.ledger.store.database import open_database
from campbank.ledger.verify import verify_file

PASSWORDS = {"s": STUDENT_PASSWORD, "t": STAFF_PASSWORD, "m": MANAGER_PASSWORD}
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")


def cli(db: Path | None, *args: str, as_user: str | None = None, password: str | None = None,
        input: str | None = None, code: int = 0):  # type: ignore[no-untyped-def]
    """Run `campbank [--db DB] ARGS [--as USER]`, check the exit code and that nothing crashed."""
    argv = (["--db", str(db)] if db is not None else []) + list(args)
    if as_user is not None:
        argv += ["--as", as_user]
        password = password if password is not None else PASSWORDS[as_user[0]]
    env = {"CAMPBANK_PASSWORD": password, "CAMPBANK_DB": None}
    result = CliRunner().invoke(app, argv, input=input, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}:\n{result.output}"
    return result


def write_json(tmp_path: Path, payload: object, name: str = "payload.json") -> Path:
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    return path


def posted_id(output: str) -> int:
    match = re.search(r"Posted #(\d+):", output)
    assert match, output
    return int(match.group(1))


def max_txn(path: Path) -> int:
    return query(path, "SELECT MAX(id) FROM txn")[0][0]


# --- init and season -----------------------------------------------------------------------------------


def test_init_prints_the_manager_password_once_and_refuses_a_second_init(tmp_path):
    path = tmp_path / "camp.db"
    first = cli(path, "init")
    assert "Classic 2018" in first.output
    match = re.search(r"First manager: manager\s+password: (\S+)", first.output)
    assert match, first.output
    password = match.group(1)
    assert first.output.count(password) == 1
    database = open_database(path)
    assert sign_in(database, "manager", password).username == "manager"
    database.dispose()
    assert verify_file(path).ok

    before = dump(path)
    second = cli(path, "init", code=1)
    assert "already holds a camp" in second.output
    assert "password:" not in second.output
    assert dump(path) == before


def test_init_with_another_season_and_manager(tmp_path):
    path = tmp_path / "flat.db"
    out = cli(path, "init", "--season", "flat-tax", "--manager", "boss").output
    assert "First manager: boss" in out
    show = cli(path, "season", "show").output
    assert "80.00@" in show


def test_init_refuses_a_bad_manager_name_and_creates_nothing(tmp_path):
    path = tmp_path / "camp.db"
    result = cli(path, "init", "--manager", "Not Valid!", code=2)
    assert "manager" in result.output
    assert not path.exists()


def test_season_show(camp):
    out = cli(camp.path, "season", "show").output
    assert "Classic 2018" in out
    assert "2018-08-06 to 2018-08-26" in out
    assert "120.00@" in out
    assert "Squad 1" in out


def test_commands_on_a_missing_database_say_so(tmp_path):
    result = cli(tmp_path / "none.db", "season", "show", code=2)  # a name that does not exist: bad input
    assert "campbank init" in result.output
    assert not (tmp_path / "none.db").exists()


# --- users -------------------------------------------------------------------------------------------


ROSTER = ("last_name,first_name,middle_name,squad,grade,role\n"
          "Smith,Anna,,Squad 1,9,student\n"
          "Brown,Bob,,Squad 2,10,student\n")


def test_users_import_with_credentials(camp, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    creds = tmp_path / "creds.xlsx"

    dry = cli(camp.path, "users", "import", str(roster), "--dry-run", as_user="manager").output
    assert "would add 2" in dry
    assert len(balances(camp.db)) == 10  # nothing yet

    # generated passwords need somewhere to go
    refused = cli(camp.path, "users", "import", str(roster), as_user="manager", code=2).output
    assert "credentials" in refused
    assert len(balances(camp.db)) == 10

    out = cli(camp.path, "users", "import", str(roster), "--credentials", str(creds), as_user="manager").output
    assert "added 2" in out
    assert creds.exists()
    from openpyxl import load_workbook

    passwords = [row[3].value for row in load_workbook(creds).active.iter_rows(min_row=2)]
    assert len(passwords) == 2
    for password in passwords:
        assert password not in out, "generated passwords go only to the credentials file"
    new = [u for u in balances(camp.db) if u.startswith(("smith", "brown"))]
    assert len(new) == 2 and all(balance(camp.db, u) == GRANT for u in new)

    again = cli(camp.path, "users", "import", str(roster), as_user="manager").output
    assert "added 0" in again and "unchanged 2" in again


def test_users_import_bad_file_lists_the_lines(camp, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER + "Bad,Row,,Squad 9,10,student\nWorse,Row,,Squad 1,42,student\n", encoding="utf-8")
    before = dump(camp.path)["account"]
    result = cli(camp.path, "users", "import", str(roster), "--credentials", str(tmp_path / "c.xlsx"),
                 as_user="manager", code=2)
    assert "line 4" in result.output and "line 5" in result.output
    assert dump(camp.path)["account"] == before


def test_users_add_passwd_deactivate(camp):
    out = cli(camp.path, "users", "add", "--last-name", "Lee", "--first-name", "Kim", "--role", "student",
              "--squad", "Squad 3", "--grade", "8", "--username", "kim", as_user="manager").output
    password = re.search(r"username kim\s+password (\S+)", out).group(1)  # type: ignore[union-attr]
    assert sign_in(camp.db, "kim", password).username == "kim"
    assert balance(camp.db, "kim") == GRANT

    out = cli(camp.path, "users", "passwd", "kim", as_user="manager").output
    new_password = re.search(r"New password for kim: (\S+)", out).group(1)  # type: ignore[union-attr]
    assert sign_in(camp.db, "kim", new_password).username == "kim"

    cli(camp.path, "users", "deactivate", "kim", as_user="manager")
    assert query(camp.path, "SELECT active FROM account WHERE username = 'kim'") == [(0,)]
    cli(camp.path, "users", "deactivate", "kim", as_user="manager", code=1)  # already


def test_users_commands_refuse_staff(camp):
    before = dump(camp.path)["account"]
    cli(camp.path, "users", "add", "--last-name", "Lee", "--first-name", "Kim", "--role", "staff",
        as_user="t1", code=1)
    cli(camp.path, "users", "passwd", "s1", as_user="t1", code=1)
    cli(camp.path, "users", "deactivate", "s1", as_user="s2", code=1)
    after = dump(camp.path)["account"]
    # only sign-in bookkeeping may differ; nobody was added, reset or deactivated
    assert [(r[0], r[1], r[9]) for r in after] == [(r[0], r[1], r[9]) for r in before]
    assert [r[11] for r in after] == [r[11] for r in before]


# --- post -------------------------------------------------------------------------------------------


def test_post_from_a_file(camp, tmp_path):
    path = write_json(tmp_path, money({"s1": "10", "s2": "2.50"}, description="radio"))
    out = cli(camp.path, "post", str(path), as_user="t1").output
    txn_id = posted_id(out)
    assert txn_id == max_txn(camp.path)
    assert "general_money, 2 recipients, total 12.50@, processed" in out
    assert balance(camp.db, "s1") == GRANT + 1000


def test_post_from_stdin(camp):
    out = cli(camp.path, "post", "-", as_user="t1", input=json.dumps(money({"s3": "1"}))).output
    assert posted_id(out) == max_txn(camp.path)
    assert balance(camp.db, "s3") == GRANT + 100


def test_post_twice_with_a_key_posts_once(camp):
    payload = json.dumps(money({"s1": "10"}, idempotency_key="radio-1"))
    first = posted_id(cli(camp.path, "post", "-", as_user="t1", input=payload).output)
    again = cli(camp.path, "post", "-", as_user="t1", input=payload).output
    assert f"Already posted as #{first}" in again
    assert balance(camp.db, "s1") == GRANT + 1000


@pytest.mark.parametrize(
    ("text", "as_user", "code", "message"),
    [
        pytest.param("{not json", "t1", 2, "not valid JSON", id="bad JSON"),
        pytest.param("", "t1", 2, "not valid JSON", id="empty"),
        pytest.param(json.dumps(money({"s1": "1.234"})), "t1", 2, "amounts.s1", id="3 decimals"),
        pytest.param(json.dumps(money({"s1": "1"}, date="2019-01-01")), "t1", 2, "date", id="outside the season"),
        pytest.param(json.dumps({**money({"s1": "1"}), "type": "bonus"}), "t1", 2, "type", id="unknown type"),
        pytest.param(json.dumps([1, 2]), "t1", 2, "payload", id="not an object"),
        pytest.param('{"type": "general_money", "money_type": "reward", "date": "2018-08-10", '
                     '"amounts": {"s1": "5", "s1": "50"}}', "t1", 2, "twice", id="a student twice"),
        pytest.param(json.dumps(money({"s1": "1"})), "s1", 1, "may not", id="a student posting money"),
        pytest.param(json.dumps(p2p("s2", "500")), "s1", 1, "balance", id="more than the balance"),
    ],
)
def test_post_refusals_and_exit_codes(camp, text, as_user, code, message):
    before = dump(camp.path)
    result = cli(camp.path, "post", "-", as_user=as_user, input=text, code=code)
    assert message in result.output
    assert "Posted" not in result.output
    after = dump(camp.path)
    audited = ("audit_log", "chain")  # the sign-in's audit row, and the chain's link over it
    assert {t: r for t, r in after.items() if t not in audited} == {t: r for t, r in before.items()
                                                                     if t not in audited}, "only the sign-in is new"


def test_post_sign_in_failures(camp, tmp_path):
    path = write_json(tmp_path, money({"s1": "1"}))
    assert "wrong username or password" in cli(camp.path, "post", str(path), as_user="t1", password="nope",
                                               code=1).output
    missing = cli(camp.path, "post", str(tmp_path / "nope.json"), as_user="t1", code=2)
    assert "does not exist" in missing.output
    assert balance(camp.db, "s1") == GRANT


def test_post_without_any_password_source_is_bad_usage(camp, tmp_path):
    path = write_json(tmp_path, money({"s1": "1"}))
    result = CliRunner().invoke(app, ["--db", str(camp.path), "post", str(path), "--as", "t1"],
                                env={"CAMPBANK_PASSWORD": None})
    assert result.exit_code == 2, result.output
    assert "CAMPBANK_PASSWORD" in result.output


# --- approve / reject / cancel --------------------------------------------------------------------------


def test_approve_reject_cancel(camp):
    request = posted_id(cli(camp.path, "post", "-", as_user="s1", input=json.dumps(p2p("s2", "20"))).output)
    assert "created -> processed" in cli(camp.path, "approve", str(request), as_user="t1").output
    assert balance(camp.db, "s2") == GRANT + 2000
    twice = cli(camp.path, "approve", str(request), as_user="t1", code=1)
    assert "already processed" in twice.output

    other = posted_id(cli(camp.path, "post", "-", as_user="s1", input=json.dumps(p2p("s3", "5"))).output)
    assert "created -> declined" in cli(camp.path, "reject", str(other), "--reason", "no",
                                              as_user="t2").output
    cli(camp.path, "approve", str(other), as_user="t1", code=1)

    payment = posted_id(cli(camp.path, "post", "-", as_user="t1", input=json.dumps(money({"s4": "3"}))).output)
    cli(camp.path, "cancel", str(payment), as_user="t2", code=1)  # another staff member's
    cli(camp.path, "approve", str(payment), as_user="t1", code=1)  # not a request
    assert "processed -> declined" in cli(camp.path, "cancel", str(payment), "--reason", "wrong kid",
                                          as_user="t1").output
    assert balance(camp.db, "s4") == GRANT
    cli(camp.path, "cancel", "9999", as_user="manager", code=2)  # no such id: bad input
    cli(camp.path, "approve", "not-a-number", as_user="t1", code=2)
    assert verify_file(camp.path).ok


# --- export, backup, verify -------------------------------------------------------------------------------


def test_export_balances_json(camp):
    from campbank.ledger.actions.posting import post

    post(camp.db, camp.actor("t1"), money({"s1": "10.05"}))
    post(camp.db, camp.actor("t1"), {"type": "workout", "date": DAY, "attendees": ["s2"]})
    out = cli(camp.path, "export", "balances", "--format", "json", as_user="manager").stdout
    records = json.loads(out)
    assert isinstance(records, list) and len(records) == len(camp.students)
    by_name = {r["username"]: r for r in records}
    assert set(by_name) == set(camp.students), "students only"
    for record in records:
        assert {"username", "role", "squad", "grade", "balance", "certificates", "counters"} <= set(record)
        assert record["role"] == "student"
        assert isinstance(record["balance"], str) and AMOUNT.match(record["balance"])
        assert isinstance(record["certificates"], str) and AMOUNT.match(record["certificates"])
        assert isinstance(record["counters"], dict)
        assert int(record["balance"].replace(".", "")) == balance(camp.db, record["username"])
    assert by_name["s1"]["balance"] == "130.05"
    assert by_name["s1"]["squad"] == "Squad 1" and by_name["s1"]["grade"] == 7
    assert by_name["s2"]["counters"]["workout"] == 1
    assert query(camp.path, "SELECT COUNT(*) FROM audit_log WHERE action = 'export.balances'") == [(1,)]


def test_export_balances_csv(camp, tmp_path):
    out = cli(camp.path, "export", "balances", "--format", "csv", as_user="manager").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["username"] for r in rows] == ["s1", "s5", "s2", "s3", "s4"]  # squad, then surname
    assert all(r["balance"] == "120.00" for r in rows)
    target = tmp_path / "balances.csv"
    cli(camp.path, "export", "balances", "-o", str(target), as_user="manager")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, so spreadsheets read UTF-8"
    assert next(iter(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))))["username"] == "s1"


def test_export_refusals(camp):
    cli(camp.path, "export", "balances", "--format", "xml", as_user="manager", code=2)
    result = cli(camp.path, "export", "balances", "--format", "json", as_user="t1", code=1)
    assert "120.00" not in result.stdout
    cli(camp.path, "export", "balances", "--format", "json", as_user="s1", code=1)


@pytest.mark.sqlite_only("a backup that is a camp file verify opens (test_postgresql restores a pg_dump)")
def test_backup_and_verify(camp, tmp_path):
    assert "OK" in cli(camp.path, "verify").output
    dest = tmp_path / "copy.db"
    assert "Backed up to" in cli(camp.path, "backup", str(dest)).output
    assert verify_file(dest).ok
    assert cli(dest, "verify").exit_code == 0

    connection = __import__("sqlite3").connect(camp.path)
    connection.execute("UPDATE account SET balance = balance + 1 WHERE username = 's1'")
    connection.commit()
    connection.close()
    bad = cli(camp.path, "verify", code=1)
    assert "cached balance" in bad.output and "s1" in bad.output
    assert "problem(s) found" in bad.output
    assert cli(dest, "verify").exit_code == 0, "the backup is a separate file"


def test_verify_of_a_missing_or_damaged_file(tmp_path):
    assert "no file" in cli(tmp_path / "none.db", "verify", code=1).output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 1000)
    assert "damaged" in cli(junk, "verify", code=1).output


# --- end to end, through a real process ---------------------------------------------------------------


def campbank_command() -> list[str]:
    """The installed `campbank` script of this Python (not a shim in front of it), else the module."""
    beside = Path(sys.executable).parent / "campbank"
    script = str(beside) if beside.exists() else shutil.which("campbank")
    if script is not None:
        return [script]
    return [sys.executable, "-c", "from campbank.cli import app; app()"]


def run(*args: str, env: dict[str, str], input: str | None = None, code: int = 0,
        command: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*(command or campbank_command()), *args], input=input, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == code, f"exit {done.returncode}, expected {code}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_end_to_end_in_real_processes(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPBANK_")}
    env |= {"CAMPBANK_DB": str(tmp_path / "camp.db"), "COLUMNS": "200"}
    out = run("init", env=env).stdout
    manager_password = re.search(r"password: (\S+)", out).group(1)  # type: ignore[union-attr]

    as_manager = env | {"CAMPBANK_PASSWORD": manager_password}
    made = run("users", "add", "--last-name", "Ode", "--first-name", "Ida", "--role", "student", "--squad",
               "Squad 2", "--grade", "9", "--username", "ida", "--as", "manager", env=as_manager).stdout
    assert "username ida" in made
    made = run("users", "add", "--last-name", "Sim", "--first-name", "Sam", "--role", "staff", "--username", "sam",
               "--as", "manager", env=as_manager).stdout
    sam_password = re.search(r"username sam\s+password (\S+)", made).group(1)  # type: ignore[union-attr]

    as_sam = env | {"CAMPBANK_PASSWORD": sam_password}
    posted = run("post", "-", "--as", "sam", env=as_sam, input=json.dumps(money({"ida": "7.5"}))).stdout
    assert re.search(r"Posted #\d+: general_money, 1 recipient, total 7\.50@, processed", posted)
    bad = run("post", "-", "--as", "sam", env=as_sam, input="{oops", code=2)
    assert "not valid JSON" in bad.stderr

    exported = json.loads(run("export", "balances", "--format", "json", "--as", "manager", env=as_manager).stdout)
    assert [(r["username"], r["balance"]) for r in exported] == [("ida", "127.50")]
    assert "OK" in run("verify", env=env).stdout

    # the other way to start it, as the README's fallback
    fallback = [sys.executable, "-c", "from campbank.cli import app; app()"]
    assert "Classic 2018" in run("season", "show", env=env, command=fallback).stdout

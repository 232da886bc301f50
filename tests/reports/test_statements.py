"""Statements: totals equal the ledger's; the verification code holds until any of the student's entries of the
period changes (added, cancelled, altered, or tampered with in the file); the PDF reads back; outputs are safe."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
from datetime import date

import pytest
from helpers import MANAGER_PASSWORD, balance, fine, money, p2p, query
from typer.testing import CliRunner

from campbank.cli import app
from campbank.core.errors import InputError, PermissionDenied
from campbank.formats.statements.writer import write_statements
from campbank.ledger.actions.posting import alter, post
from campbank.ledger.actions.states import approve, cancel
from campbank.ledger.actions.users import deactivate
from campbank.ledger.views.statements import Selection, check_code, statements

FIRST, LAST = date(2018, 8, 6), date(2018, 8, 26)  # the classic season, over by now


def statement_of(camp, username: str, **period):  # type: ignore[no-untyped-def]
    [one] = list(statements(camp.db, camp.manager, Selection(usernames=(username,)), **period))
    return one


@pytest.fixture
def busy(camp):
    """s1 with a week's business: a reward, a fine, a transfer out and one in, a cancelled fine."""
    t1 = camp.actor("t1")
    ids = {"reward": post(camp.db, t1, money({"s1": "30", "s2": "5"}, description="Radio (club) \\ prize")).id,
           "fine": post(camp.db, t1, fine({"s1": "12.50"}, description="Noise")).id,
           "cancelled": post(camp.db, t1, fine({"s1": "7"}, description="Wrong student")).id}
    cancel(camp.db, t1, ids["cancelled"], reason="wrong student")
    ids["out"] = post(camp.db, camp.actor("s1"), p2p("s3", "4", "for the cake")).id
    approve(camp.db, t1, ids["out"])
    ids["in"] = post(camp.db, camp.actor("s2"), p2p("s1", "2", "back")).id
    approve(camp.db, t1, ids["in"])
    camp.ids = ids
    return camp


def test_the_totals_are_the_ledgers(busy):
    st = statement_of(busy, "s1")
    assert (st.first_day, st.last_day) == (FIRST, LAST)
    assert st.opening == 0 and st.closing == balance(busy.db, "s1") == 12_000 + 3_000 - 1_250 - 400 + 200
    rows = query(busy.path, "SELECT COUNT(*), SUM(amount) FROM journal j JOIN account a ON a.id = j.account_id "
                            "WHERE a.username = 's1' AND j.counter_type IS NULL")[0]
    assert (len(st.lines), sum(line.amount for line in st.lines)) == rows  # the cancelled fine and its reversal
    assert st.lines[-1].balance == st.closing
    assert (st.money_in, st.money_out) == (12_000 + 3_000 + 700 + 200, 1_250 + 700 + 400)
    others = {line.description: line.other_party for line in st.lines}
    assert others["for the cake"] == "Student03 Ann" and others["back"] == "Student02 Ann"
    assert others["Noise"] == "Teacher1 Tom" and others["Initial grant"] == "CampBank"
    assert "cancelled: Wrong student" in others


def test_a_period_has_its_opening_balance(busy):
    before = query(busy.path, "SELECT SUM(j.amount) FROM journal j JOIN txn t ON t.id = j.transaction_id "
                              "JOIN account a ON a.id = j.account_id WHERE a.username = 's1' "
                              "AND j.counter_type IS NULL AND t.day < '2018-08-11'")[0][0]
    st = statement_of(busy, "s1", first_day=date(2018, 8, 11), last_day=date(2018, 8, 20))
    assert st.opening == before == 12_000 + 3_000 - 1_250 - 400 + 200  # the grant (the first day) and the 10th
    assert st.lines == () and st.closing == st.opening


def test_the_code_checks_out_and_reads_in_any_case(busy):
    code = statement_of(busy, "s1").code
    assert check_code(busy.db, busy.manager, code).ok
    assert check_code(busy.db, busy.actor("t2"), code.lower().replace("-", " ")).ok
    checked = check_code(busy.db, busy.manager, code)
    assert (checked.username, checked.first_day, checked.last_day, checked.closing) == (
        "s1", FIRST, LAST, balance(busy.db, "s1"))


def test_someone_elses_business_leaves_the_code_good(busy):
    code = statement_of(busy, "s1").code
    post(busy.db, busy.actor("t1"), money({"s2": "50"}))
    assert check_code(busy.db, busy.manager, code).ok


@pytest.mark.parametrize("change", ["add", "cancel", "alter"])
def test_any_change_to_the_students_entries_breaks_the_code(busy, change):
    code = statement_of(busy, "s1").code
    t1 = busy.actor("t1")
    if change == "add":
        post(busy.db, t1, fine({"s1": "1"}))
    elif change == "cancel":
        cancel(busy.db, t1, busy.ids["fine"], reason="mistake")
    else:
        alter(busy.db, t1, busy.ids["fine"], fine({"s1": "10"}, description="Noise"))
    result = check_code(busy.db, busy.manager, code)
    assert not result.ok
    assert statement_of(busy, "s1").code != code  # a new statement has a new code, which checks out
    assert check_code(busy.db, busy.manager, statement_of(busy, "s1").code).ok


@pytest.mark.parametrize("sql", [
    "UPDATE journal SET amount = amount - 100 WHERE transaction_id = {fine} AND amount < 0",
    "UPDATE money_entry SET amount = -1150 WHERE transaction_id = {fine}",
    "UPDATE txn SET day = '2018-08-27' WHERE id = {fine}",
    "UPDATE txn SET description = 'Quiet' WHERE id = {fine}",
])
def test_tampering_with_the_file_breaks_the_code(busy, sql):
    code = statement_of(busy, "s1").code
    connection = sqlite3.connect(busy.path)
    triggers = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                  "AND tbl_name IN ('journal', 'money_entry')").fetchall()
    for name, _ in triggers:
        connection.execute(f"DROP TRIGGER {name}")
    connection.execute(sql.format(fine=busy.ids["fine"]))
    for _, text in triggers:
        connection.execute(text)
    connection.commit()
    connection.close()
    assert not check_code(busy.db, busy.manager, code).ok


def test_bad_codes_are_refused(busy):
    for bad in ("", "ABCD-EFGH", "!" * 32, "AAAA" * 8):
        with pytest.raises(InputError):
            check_code(busy.db, busy.manager, bad)


def test_students_do_not_make_statements_of_others(busy):
    with pytest.raises(PermissionDenied):
        statements(busy.db, busy.actor("s2"), Selection(usernames=("s1",)))
    with pytest.raises(PermissionDenied):
        check_code(busy.db, busy.actor("s2"), statement_of(busy, "s1").code)


# --- the PDF -----------------------------------------------------------------------------------------


def pdf_text(path) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


@needs_poppler
def test_the_pdf_reads_back_with_the_code_and_the_qr(busy, tmp_path):
    target = tmp_path / "s1.pdf"
    written = write_statements(busy.db, busy.manager, ["s1"], target)
    assert written.students == 1 and written.pages == 1
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    text = pdf_text(target)
    code = written.codes[0][1]
    for expected in ("Student01 Ann", "Radio (club) \\ prize", "cancelled: Wrong student", "Teacher1 Tom",
                     "Opening balance 0.00@", f"Closing balance on {LAST}: 135.50@", code):
        assert expected in text, expected
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(target), str(tmp_path / "page")],
                       check=True)
        decoded = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "page.png")], capture_output=True,
                                 text=True).stdout.strip()
        assert decoded == code.replace("-", "")
    assert check_code(busy.db, busy.manager, code).ok
    assert query(busy.path, "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == [("export.statements",)]


@needs_poppler
def test_a_squad_or_everyone_in_one_file(busy, tmp_path):
    squad = write_statements(busy.db, busy.manager, None, tmp_path / "squad.pdf", squad="Squad 1")
    assert squad.students == 2  # s1 and s5
    everyone = write_statements(busy.db, busy.manager, None, tmp_path / "all.pdf")
    assert everyone.students == 5 and everyone.pages == 5
    assert [username for username, _ in everyone.codes] == ["s1", "s5", "s2", "s3", "s4"]  # by squad
    text = pdf_text(tmp_path / "all.pdf")
    assert all(f"Student0{i} Ann" in text for i in range(1, 6))


def test_everyone_is_every_active_student_and_one_who_left_is_named(busy, tmp_path):
    deactivate(busy.db, busy.manager, "s5")
    everyone = write_statements(busy.db, busy.manager, None, tmp_path / "all.pdf")
    assert [username for username, _ in everyone.codes] == ["s1", "s2", "s3", "s4"]
    assert write_statements(busy.db, busy.manager, ["s5"], tmp_path / "s5.pdf").students == 1


def test_outputs_never_destroy_data(busy, tmp_path):
    existing = tmp_path / "old.pdf"
    existing.write_bytes(b"keep me")
    for target, why in ((busy.path, "is a database"), (tmp_path, "is a folder"), (existing, "already exists"),
                        (tmp_path / "missing" / "x.pdf", "does not exist"), (f"{busy.path}-journal", "belongs to")):
        with pytest.raises(InputError, match=why):
            write_statements(busy.db, busy.manager, ["s1"], target)
    assert existing.read_bytes() == b"keep me"
    write_statements(busy.db, busy.manager, ["s1"], existing, force=True)
    assert existing.read_bytes().startswith(b"%PDF-1.4")
    if os.path.exists("/dev/null"):
        with pytest.raises(InputError, match="device"):
            write_statements(busy.db, busy.manager, ["s1"], "/dev/null", force=True)


def test_the_command_line(busy, tmp_path):
    runner = CliRunner(env={"CAMPBANK_PASSWORD": MANAGER_PASSWORD})
    target = tmp_path / "s1.pdf"
    result = runner.invoke(app, ["--db", str(busy.path), "statement", "s1", "-o", str(target), "--as", "manager"])
    assert result.exit_code == 0, result.output
    code = result.output.split("Verification code: ")[1].split()[0]
    ok = runner.invoke(app, ["--db", str(busy.path), "statement", "check", code, "--as", "manager"])
    assert ok.exit_code == 0 and "OK" in ok.output
    post(busy.db, busy.actor("t1"), fine({"s1": "1"}))
    changed = runner.invoke(app, ["--db", str(busy.path), "statement", "check", code, "--as", "manager"])
    assert changed.exit_code == 1 and "DOES NOT MATCH" in changed.output
    again = runner.invoke(app, ["--db", str(busy.path), "statement", "s1", "-o", str(target), "--as", "manager"])
    assert again.exit_code == 2 and "already exists" in again.output
    for argv in (["statement", "-o", str(target)], ["statement", "s1", "--all", "-o", str(target)],
                 ["statement", "s1"], ["statement", "s1", "-o", str(tmp_path / "x.pdf"), "--from", "2018-13-01"]):
        assert runner.invoke(app, ["--db", str(busy.path), *argv]).exit_code == 2, argv

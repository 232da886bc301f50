"""The people of a real camp: a secretary's roster, credentials that are never lost, corrections,
namesakes, reactivation and the last manager."""

from __future__ import annotations

import pytest
from helpers import MANAGER_PASSWORD, balance, query
from openpyxl import Workbook, load_workbook
from season_cli import cli

from campbank.core.errors import RuleError
from campbank.formats.roster import read_roster
from campbank.ledger.actions.person_details import RosterError
from campbank.ledger.actions.user_changes import edit, reactivate
from campbank.ledger.actions.users import add_user, deactivate
from campbank.ledger.verify import verify_file

SQUADS = ("Squad 1", "Squad 2", "Squad 3", "Squad 4")
GRADES = (7, 8, 9, 10, 11)
M = ("--as", "manager")


def read(path, text):
    path.write_text(text, encoding="utf-8")
    return read_roster(path, squads=SQUADS, grades=GRADES)


def test_a_secretarys_roster_russian_headers_title_row_blank_lines_squad_numbers(tmp_path):
    rows = read(tmp_path / "r.csv", "\nСписок лагеря, лето 2026,,,,\n\nФамилия,Имя,Отчество,Отряд,Класс,Роль\n"
                                    "Сидоров,Иван,Петрович,1,7,ученик\n\nПетрова,Анна,,Squad 2,8,\n"
                                    "Учитель,Олег,,,,преподаватель\n")
    assert [(r.line, r.full_name, r.squad, r.grade, r.role) for r in rows] == [
        (5, "Сидоров Иван Петрович", "Squad 1", 7, "student"),
        (7, "Петрова Анна", "Squad 2", 8, "student"),
        (8, "Учитель Олег", None, None, "staff"),
    ]


def test_no_middle_name_no_role_and_a_full_name_column(tmp_path):
    [row] = read(tmp_path / "a.csv", "last_name,first_name,squad,grade\nSidorov,Ivan,4,11\n")
    assert (row.middle_name, row.squad, row.role) == ("", "Squad 4", "student")
    [row] = read(tmp_path / "b.csv", "ФИО;Отряд;Класс;Логин\nКозлов Егор Ильич;3;9;kozlov.eg\n")
    assert (row.last_name, row.first_name, row.middle_name, row.squad, row.username) == (
        "Козлов", "Егор", "Ильич", "Squad 3", "kozlov.eg")


def test_an_xlsx_roster_with_numbers_as_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Roster of the camp"])
    sheet.append([])
    sheet.append(["Фамилия", "Имя", "Отряд", "Класс"])
    sheet.append(["Иванова", "Мария", 2, 10])
    book.save(tmp_path / "r.xlsx")
    [row] = read_roster(tmp_path / "r.xlsx", squads=SQUADS, grades=GRADES)
    assert (row.line, row.full_name, row.squad, row.grade) == (4, "Иванова Мария", "Squad 2", 10)


@pytest.mark.parametrize("squad", ["0", "5", "Squad 9"])
def test_a_squad_number_outside_the_season_is_refused(tmp_path, squad):
    with pytest.raises(RosterError) as refused:
        read(tmp_path / "r.csv", f"last_name,first_name,squad,grade\nA,B,{squad},7\n")
    assert "or its number, 1 to 4" in str(refused.value)


def test_a_file_without_a_header_is_refused_naming_what_is_missing(tmp_path):
    with pytest.raises(RosterError) as refused:
        read(tmp_path / "r.csv", "just,some,words\nand,more,words\n")
    assert "missing required columns: last_name, first_name, squad, grade" in str(refused.value)


def test_a_row_matching_two_namesakes_is_refused_and_makes_no_third(camp, tmp_path):
    for username in ("kozlov.e", "kozlov.e2"):
        add_user(camp.db, camp.manager, last_name="Kozlov", first_name="Egor", role="student", squad="Squad 1",
                 grade=8, username=username)
    roster = tmp_path / "r.csv"
    roster.write_text("last_name,first_name,squad,grade\nKozlov,Egor,1,9\n", encoding="utf-8")
    out = cli(camp.path, "users", "import", str(roster), "--credentials", str(tmp_path / "pw.xlsx"), *M,
              password=MANAGER_PASSWORD, code=2).output
    assert "matches 2 people (kozlov.e, kozlov.e2)" in out
    assert query(camp.path, "SELECT COUNT(*) FROM account WHERE last_name = 'Kozlov'") == [(2,)]
    # naming a new username adds the namesake; naming an existing one updates that one
    roster.write_text("last_name,first_name,squad,grade,username\nKozlov,Egor,1,9,kozlov.e3\n"
                      "Kozlov,Egor,2,10,kozlov.e2\n", encoding="utf-8")
    cli(camp.path, "users", "import", str(roster), "--credentials", str(tmp_path / "pw.xlsx"), *M,
        password=MANAGER_PASSWORD)
    assert query(camp.path, "SELECT username, squad, grade FROM account WHERE last_name = 'Kozlov' ORDER BY id") == [
        ("kozlov.e", "Squad 1", 8), ("kozlov.e2", "Squad 2", 10), ("kozlov.e3", "Squad 1", 9)]
    assert verify_file(camp.path).ok


def test_users_add_for_an_existing_name_needs_a_distinct_username(camp):
    add_user(camp.db, camp.manager, last_name="Ivanov", first_name="Kirill", role="student", squad="Squad 1", grade=7)
    out = cli(camp.path, "users", "add", "--last-name", "Ivanov", "--first-name", "Kirill", "--role", "student",
              "--squad", "1", "--grade", "7", *M, password=MANAGER_PASSWORD, code=1).output
    assert "already here as ivanov.k" in out and "--username" in out
    assert query(camp.path, "SELECT COUNT(*) FROM account WHERE last_name = 'Ivanov'") == [(1,)]
    cli(camp.path, "users", "add", "--last-name", "Ivanov", "--first-name", "Kirill", "--role", "student",
        "--squad", "1", "--grade", "7", "--username", "ivanov.kirill", *M, password=MANAGER_PASSWORD)
    assert query(camp.path, "SELECT COUNT(*) FROM account WHERE last_name = 'Ivanov'") == [(2,)]


def test_importing_the_same_file_twice_changes_nothing(camp, tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("Лагерь 2026\nФамилия,Имя,Отряд,Класс\nСидоров,Иван,1,7\nПетрова,Анна,2,8\n", encoding="utf-8")
    credentials = tmp_path / "pw.xlsx"
    cli(camp.path, "users", "import", str(roster), "--credentials", str(credentials), *M, password=MANAGER_PASSWORD)
    before = query(camp.path, "SELECT * FROM account ORDER BY id"), query(camp.path, "SELECT COUNT(*) FROM txn")
    out = cli(camp.path, "users", "import", str(roster), "--credentials", str(credentials), *M,
              password=MANAGER_PASSWORD).output
    assert "added 0, updated 0, unchanged 2" in out
    after = query(camp.path, "SELECT * FROM account ORDER BY id"), query(camp.path, "SELECT COUNT(*) FROM txn")
    assert after == before


def credential_rows(path):
    sheet = load_workbook(path)["Credentials"]
    return [row for row in sheet.iter_rows(values_only=True)][1:]


def test_credentials_of_a_late_student_are_added_and_the_others_kept(camp, tmp_path):
    roster, late, credentials = tmp_path / "all.csv", tmp_path / "late.csv", tmp_path / "pw.xlsx"
    roster.write_text("last_name,first_name,squad,grade\n" + "".join(
        f"Uchenik{i:02d},Anna,{i % 4 + 1},{7 + i % 5}\n" for i in range(44)), encoding="utf-8")
    cli(camp.path, "users", "import", str(roster), "--credentials", str(credentials), *M, password=MANAGER_PASSWORD)
    first = credential_rows(credentials)
    assert len(first) == 44
    late.write_text("last_name,first_name,squad,grade\nOpozdavshiy,Boris,2,8\n", encoding="utf-8")
    cli(camp.path, "users", "import", str(late), "--credentials", str(credentials), *M, password=MANAGER_PASSWORD)
    after = credential_rows(credentials)
    assert after[:44] == first
    assert after[44][:3] == ("Opozdavshiy Boris", "Squad 2", "opozdavshiy.b")
    assert credentials.stat().st_mode & 0o777 == 0o600
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]


def test_credentials_into_a_workbook_that_is_not_one_is_refused(camp, tmp_path):
    other = tmp_path / "budget.xlsx"
    book = Workbook()
    book.active.append(["Item", "Cost"])
    book.save(other)
    before = other.read_bytes()
    late = tmp_path / "late.csv"
    late.write_text("last_name,first_name,squad,grade\nOpozdavshiy,Boris,2,8\n", encoding="utf-8")
    out = cli(camp.path, "users", "import", str(late), "--credentials", str(other), *M, password=MANAGER_PASSWORD,
              code=2).output
    assert "is not a credentials workbook" in out
    assert other.read_bytes() == before
    assert query(camp.path, "SELECT COUNT(*) FROM account WHERE last_name = 'Opozdavshiy'") == [(0,)]


def test_users_edit_and_reactivate(camp):
    out = cli(camp.path, "users", "edit", "s1", "--squad", "3", "--grade", "11", "--last-name", "Новикова", *M,
              password=MANAGER_PASSWORD).output
    assert "changed last_name, squad, grade" in out
    assert query(camp.path, "SELECT last_name, squad, grade FROM account WHERE username = 's1'") == [
        ("Новикова", "Squad 3", 11)]
    cli(camp.path, "users", "edit", "s1", "--squad", "9", *M, password=MANAGER_PASSWORD, code=2)
    cli(camp.path, "users", "edit", "s1", "--grade", "3", *M, password=MANAGER_PASSWORD, code=2)
    assert "nothing changed" in cli(camp.path, "users", "edit", "s1", "--squad", "Squad 3", *M,
                                    password=MANAGER_PASSWORD).output
    cli(camp.path, "users", "edit", "nobody", "--grade", "9", *M, password=MANAGER_PASSWORD, code=2)
    deactivate(camp.db, camp.manager, "s2")
    cli(camp.path, "users", "reactivate", "s2", *M, password=MANAGER_PASSWORD)
    assert query(camp.path, "SELECT active FROM account WHERE username = 's2'") == [(1,)]
    cli(camp.path, "users", "reactivate", "s2", *M, password=MANAGER_PASSWORD, code=1)
    actions = [row[0] for row in query(camp.path, "SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("user.edit") == 1 and actions.count("user.reactivate") == 1
    assert balance(camp.db, "s1") == 12_000
    assert verify_file(camp.path).ok


def test_the_last_active_manager_cannot_be_deactivated(camp):
    deactivate(camp.db, camp.manager, "m1")
    with pytest.raises(RuleError) as refused:
        deactivate(camp.db, camp.actor("bank"), "manager")
    assert "last active manager" in str(refused.value)
    cli(camp.path, "users", "deactivate", "manager", "--as", "manager", password=MANAGER_PASSWORD, code=1)
    assert query(camp.path, "SELECT active FROM account WHERE username = 'manager'") == [(1,)]
    reactivate(camp.db, camp.manager, "m1")
    deactivate(camp.db, camp.actor("m1"), "manager")  # another manager is left: allowed
    assert edit(camp.db, camp.actor("m1"), "s3", grade=None, squad="2") == ["squad"]

"""Roster files: reading .csv/.xlsx, checking every row, usernames, passwords, the credentials workbook."""

from __future__ import annotations

import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from campbank.core.errors import InputError
from campbank.formats.credentials import write_credentials
from campbank.formats.roster import (
    MAX_DATA_ROWS,
    RosterError,
    RosterRow,
    RowProblem,
    read_roster,
)
from campbank.ledger.actions.usernames import (
    PASSWORD_ALPHABET,
    USERNAME_RE,
    generate_password,
    generate_username,
    transliterate,
)

SQUADS = ("Alpha", "Beta", "Gamma", "Delta")
GRADES = (7, 8, 9, 10, 11)
HEADER = "last_name,first_name,middle_name,squad,grade,role,username,password"


def write_csv(tmp_path: Path, text: str, *, name: str = "roster.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path) -> list[RosterRow]:
    return read_roster(path, squads=SQUADS, grades=GRADES)


def refused(path: Path) -> RosterError:
    with pytest.raises(RosterError) as info:
        read(path)
    return info.value


def csv_with_rows(tmp_path: Path, *rows: str) -> Path:
    return write_csv(tmp_path, "\n".join((HEADER, *rows)) + "\n")


# --- good files ---------------------------------------------------------------------------------------


def test_good_csv_with_bom_and_semicolons(tmp_path):
    text = (
        "\ufeffLast_Name; First_Name ;middle_name;SQUAD;grade;role\r\n"
        "Иванов;Пётр;Сергеевич;alpha;9;student\r\n"
        "\r\n"
        ";;;;;\r\n"
        "Smith;Anna;;;;Staff\r\n"
        "  Brown ; Bob ;;Gamma;11;MANAGER\r\n"
    )
    rows = read(write_csv(tmp_path, text))
    assert rows == [
        RosterRow(2, "Иванов", "Пётр", "Сергеевич", "Alpha", 9, "student", None, None),
        RosterRow(5, "Smith", "Anna", "", None, None, "staff", None, None),
        RosterRow(6, "Brown", "Bob", "", "Gamma", 11, "manager", None, None),
    ]
    assert rows[0].full_name == "Иванов Пётр Сергеевич"


def test_good_csv_with_commas_quotes_and_optional_columns_in_any_order(tmp_path):
    text = (
        "role,username,password,grade,squad,middle_name,first_name,last_name\n"
        'student,ann.o,secret-pass,7,Beta,,Ann,"O\'Neil, Jr"\n'
        "staff,,,,,,Tom,-Dash\n"
    )
    rows = read(write_csv(tmp_path, text))
    assert rows[0] == RosterRow(2, "O'Neil, Jr", "Ann", "", "Beta", 7, "student", "ann.o", "secret-pass")
    assert rows[1].last_name == "-Dash"  # '-' is allowed: plausible in a name, stored as-is
    assert rows[1].username is None and rows[1].password is None


def test_good_xlsx_with_numeric_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Last_name", "first_name", "middle_name", "squad", "grade", "role", "password"])
    sheet.append(["Petrova", "Maria", None, "Delta", 9.0, "student", 12345678])
    sheet.append([None] * 7)
    sheet.append(["Lee", "Kim", "J", "Beta", 10, "Student", "longenough"])
    sheet.append(["Staff", "Person", None, None, None, "staff", None])
    workbook.create_sheet("ignored").append(["nothing", "here"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    rows = read(path)
    assert rows == [
        RosterRow(2, "Petrova", "Maria", "", "Delta", 9, "student", None, "12345678"),
        RosterRow(4, "Lee", "Kim", "J", "Beta", 10, "student", None, "longenough"),
        RosterRow(5, "Staff", "Person", "", None, None, "staff", None, None),
    ]


def test_staff_may_give_squad_and_grade_but_they_must_be_valid(tmp_path):
    path = csv_with_rows(tmp_path, "A,B,,Alpha,8,staff,,", "C,D,,Omega,13,manager,,")
    error = refused(path)
    assert [(p.line, p.field) for p in error.problems] == [(3, "squad"), (3, "grade")]


# --- bad rows: each kind, and all of them in one error ------------------------------------------------

BAD_ROWS = [
    ("Ivanov,Petr,,Alpha,9,pupil,,", "role", "'pupil' is not one of student, staff, manager"),
    ("Ivanov,Petr,,Alpha,,student,,", "grade", "is required for a student"),
    ("Ivanov,Petr,,Alpha,12,student,,", "grade", "must be one of 7, 8, 9, 10, 11 for a student"),
    ("Ivanov,Petr,,Alpha,nine,student,,", "grade", "must be one of 7, 8, 9, 10, 11 for a student"),
    ("Ivanov,Petr,,Alpha,9.5,student,,", "grade", "must be one of 7, 8, 9, 10, 11 for a student"),
    ("Ivanov,Petr,,Omega,9,student,,", "squad", "'Omega' is not a squad of this season"),
    ("Ivanov,Petr,,,9,student,,", "squad", "is required for a student"),
    ("Ivanov,Petr,,Alpha,9,student,Ivanov,", "username", "must be 2-32 characters"),
    ("Ivanov,Petr,,Alpha,9,student,9lives,", "username", "starting with a letter"),
    ("Ivanov,Petr,,Alpha,9,student,a,", "username", "must be 2-32 characters"),
    ("Ivanov,Petr,,Alpha,9,student," + "a" * 33 + ",", "username", "must be 2-32 characters"),
    ("Ivanov,Petr,,Alpha,9,student,bank,", "username", "'bank' is reserved"),
    ("Ivanov,Petr,,Alpha,9,student,,short", "password", "at least 8 characters"),
    (",Petr,,Alpha,9,student,,", "last_name", "is required"),
    ("Ivanov,,,Alpha,9,student,,", "first_name", "is required"),
    ("I" * 61 + ",Petr,,Alpha,9,student,,", "last_name", "at most 60"),
    ('"=HYPERLINK(""http://x"",""y"")",Petr,,Alpha,9,student,,', "last_name", "looks like a spreadsheet formula"),
    ("+cmd,Petr,,Alpha,9,student,,", "last_name", "looks like a spreadsheet formula"),
    ("Ivanov,@SUM(A1),,Alpha,9,student,,", "first_name", "looks like a spreadsheet formula"),
    ('Ivanov,Petr,"\t=1+1",Alpha,9,student,,', "middle_name", "looks like a spreadsheet formula"),
    ('Ivanov,"Pe\x07tr",,Alpha,9,student,,', "first_name", "control characters"),
    ("Ivanov,Petr,,Alpha,9,student,,,surplus", "row", "column without a header"),
]


@pytest.mark.parametrize(("row", "field", "reason"), BAD_ROWS)
def test_each_kind_of_bad_row_is_named_with_line_and_field(tmp_path, row, field, reason):
    path = csv_with_rows(tmp_path, "Good,One,,Beta,8,student,,", row)
    error = refused(path)
    assert isinstance(error, InputError)
    assert len(error.problems) == 1, error.problems
    problem = error.problems[0]
    assert (problem.line, problem.field) == (3, field)
    assert reason in problem.reason
    assert str(problem) in str(error)


def test_duplicate_username_is_reported_on_the_second_line_naming_the_first(tmp_path):
    path = csv_with_rows(
        tmp_path,
        "Ivanov,Petr,,Alpha,9,student,ivanov.p,",
        "Petrov,Ivan,,Beta,9,student,,",
        "Ivanova,Polina,,Beta,9,student,ivanov.p,short",
    )
    error = refused(path)
    assert [str(p) for p in error.problems] == [
        "line 4, username: 'ivanov.p' is already used on line 2",
        "line 4, password: must be at least 8 characters (leave it empty to generate one)",
    ]


def test_duplicate_person_is_a_problem_but_same_name_in_another_role_is_not(tmp_path):
    path = csv_with_rows(
        tmp_path,
        "Ivanov,Petr,Ivanovich,Alpha,9,student,,",
        "Ivanov,Petr,Ivanovich,,,staff,,",
        "Ivanov,Petr,Petrovich,Alpha,9,student,,",
        "IVANOV,petr,ivanovich,Beta,10,Student,,",
    )
    error = refused(path)
    assert len(error.problems) == 1
    assert error.problems[0].line == 5
    assert error.problems[0].field == "name"
    assert "line 2" in error.problems[0].reason


def test_every_problem_is_listed_sorted_by_line_in_one_error(tmp_path):
    path = csv_with_rows(
        tmp_path,
        "Ok,One,,Alpha,9,student,,",
        "Bad,Role,,Alpha,9,teacher,,",  # 3
        "Ok,Two,,Alpha,9,student,,",
        "No,Grade,,Alpha,,student,,",  # 5
        "Big,Grade,,Alpha,12,student,x,short",  # 6: grade, username, password
        "=evil(),Name,,Zeta,9,student,,",  # 7: last_name, squad
    )
    error = refused(path)
    assert [(p.line, p.field) for p in error.problems] == [
        (3, "role"),
        (5, "grade"),
        (6, "grade"),
        (6, "username"),
        (6, "password"),
        (7, "last_name"),
        (7, "squad"),
    ]
    message = str(error)
    assert "nothing imported" in message and "7 problems" in message
    body = message.splitlines()[1:]
    assert body == [f"  {p}" for p in error.problems]
    assert str(error.problems[2]) == (
        "line 6, grade: must be one of 7, 8, 9, 10, 11 for a student, not '12'"
    )


def test_row_problem_str():
    assert str(RowProblem(7, "grade", "must be one of 7, 8")) == "line 7, grade: must be one of 7, 8"
    assert str(RowProblem(0, "file", "is empty")) == "file: is empty"


# --- bad files ----------------------------------------------------------------------------------------


def test_missing_required_columns_are_named(tmp_path):
    error = refused(write_csv(tmp_path, "last_name,first_name,role\nA,B,staff\n"))
    assert [(p.line, p.field) for p in error.problems] == [(1, "header")]
    assert "missing required columns: squad, grade" in str(error)


def test_unknown_column_is_refused_by_name(tmp_path):
    text = "last_name,first_name,middle_name,squad,grade,role,Email\nA,B,,,,staff,a@b.c\n"
    error = refused(write_csv(tmp_path, text))
    assert "unknown columns: 'Email'" in str(error)


def test_duplicate_column_is_refused(tmp_path):
    text = "last_name,first_name,middle_name,squad,grade,role,ROLE\nA,B,,,,staff,staff\n"
    assert "column role appears twice" in str(refused(write_csv(tmp_path, text)))


def test_windows_1251_bytes_are_refused_with_line_and_byte(tmp_path):
    text = HEADER + "\nIvanov,Petr,,Alpha,9,student,,\nИванов,Пётр,,Alpha,9,student,,\n"
    error = refused(write_csv(tmp_path, text, encoding="cp1251"))
    (problem,) = error.problems
    assert problem.line == 3
    assert "not valid UTF-8" in problem.reason
    assert "byte 0xc8 at byte 1" in problem.reason
    assert "CSV UTF-8" in str(error)


def test_utf16_is_refused_clearly(tmp_path):
    error = refused(write_csv(tmp_path, HEADER + "\n", encoding="utf-16"))
    assert "UTF-16" in str(error)


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff", ";;;\n"])
def test_empty_file_is_refused(tmp_path, content):
    assert "is empty" in str(refused(write_csv(tmp_path, content)))


def test_header_without_data_rows_is_refused(tmp_path):
    assert "no data rows" in str(refused(write_csv(tmp_path, HEADER + "\n\n")))


@pytest.mark.parametrize("name", ["roster.xls", "roster.ods", "roster.txt", "roster"])
def test_other_file_types_are_refused_naming_the_type(tmp_path, name):
    path = tmp_path / name
    path.write_text(HEADER)
    message = str(refused(path))
    assert "is not supported" in message
    assert (Path(name).suffix or "without an extension") in message


def test_file_over_5_mb_is_refused(tmp_path):
    path = write_csv(tmp_path, HEADER + "\n" + "x" * (5 * 1024 * 1024) + "\n")
    assert "at most 5 MB" in str(refused(path))


def test_more_than_the_row_cap_is_refused(tmp_path):
    rows = [f"Name{i},First,,,,staff,," for i in range(MAX_DATA_ROWS + 1)]
    assert f"more than {MAX_DATA_ROWS} data rows" in str(refused(csv_with_rows(tmp_path, *rows)))


def test_row_cap_itself_is_accepted(tmp_path):
    rows = [f"Name{i},First,,,,staff,," for i in range(MAX_DATA_ROWS)]
    assert len(read(csv_with_rows(tmp_path, *rows))) == MAX_DATA_ROWS


def test_broken_xlsx_is_refused(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text(HEADER)
    assert "not a readable .xlsx" in str(refused(path))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert "not a readable .xlsx" in str(refused(path))


def test_xlsx_problems_use_sheet_row_numbers_and_formula_cells_are_refused(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["last_name", "first_name", "middle_name", "squad", "grade", "role"])
    sheet.append(["Good", "Row", None, "Alpha", 7, "student"])
    sheet["A4"] = '=HYPERLINK("http://evil","click")'
    sheet["B4"], sheet["D4"], sheet["E4"], sheet["F4"] = "Bad", "Alpha", 12, "student"
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    error = refused(path)
    assert [(p.line, p.field) for p in error.problems] == [(4, "last_name"), (4, "grade")]


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        read(tmp_path / "nope.csv")


# --- usernames ----------------------------------------------------------------------------------------


def test_username_from_surname_and_initial_with_cyrillic():
    assert generate_username("Иванов", "Пётр", set()) == "ivanov.p"
    assert generate_username("Щукина", "Жанна", set()) == "shchukina.zh"
    assert generate_username("Ёлкин", "Юрий", set()) == "elkin.yu"
    assert generate_username("Smith", "John", set()) == "smith.j"
    assert generate_username("O'Neil-Smith", "Émile", set()) == "oneil-smith.e"
    assert generate_username("van der Berg", "Anna", set()) == "van-der-berg.a"
    assert transliterate("Хрущёв Цой Объятия") == "khrushchev tsoy obyatiya"


def test_username_collisions_count_up():
    taken = {"ivanov.p", "IVANOV.P2"}
    assert generate_username("Иванов", "Павел", taken) == "ivanov.p3"
    assert taken == {"ivanov.p", "IVANOV.P2"}  # not changed
    batch: set[str] = set()
    for _ in range(3):
        batch.add(generate_username("Ivanov", "Petr", batch))
    assert batch == {"ivanov.p", "ivanov.p2", "ivanov.p3"}


def test_username_edge_cases_stay_valid():
    assert generate_username("123", "Bob", set()) == "u123.b"
    assert generate_username("李", "明", set()) == "user"
    long = generate_username("Х" * 40, "Петр", set())
    assert len(long) <= 32 and long.endswith(".p")
    assert generate_username("Х" * 40, "Петр", {long}).endswith("2")
    assert generate_username("Bank", "", set()) != "bank"


@given(
    st.text(max_size=80),
    st.text(max_size=80),
    st.sets(st.from_regex(USERNAME_RE, fullmatch=True), max_size=5),
)
def test_generated_usernames_always_match_the_rule(last, first, taken):
    name = generate_username(last, first, taken)
    assert USERNAME_RE.match(name)
    assert name != "bank"
    assert name.lower() not in {t.lower() for t in taken}


# --- passwords ----------------------------------------------------------------------------------------


def test_password_alphabet_has_no_lookalikes_and_needs_letter_and_digit():
    assert not set("0Oo1lIi") & set(PASSWORD_ALPHABET)
    for _ in range(300):
        password = generate_password()
        assert len(password) == 10
        assert set(password) <= set(PASSWORD_ALPHABET)
        assert any(c.isdigit() for c in password) and any(c.isalpha() for c in password)
    assert len(generate_password(16)) == 16
    assert len({generate_password() for _ in range(50)}) == 50
    with pytest.raises(ValueError):
        generate_password(4)


# --- credentials workbook -----------------------------------------------------------------------------


def test_credentials_xlsx_is_private_plain_text_with_bold_frozen_header(tmp_path):
    path = tmp_path / "out" / "credentials.xlsx"
    path.parent.mkdir()
    entries = [
        ("Иванов Пётр Сергеевич", "Alpha", "ivanov.p", "Ab3dEf7hJk"),
        ('=HYPERLINK("http://evil","click")', "Beta", "evil.h", "+1234567"),
        ("@SUM(A1)", "", "sum.a", "-minus-pass"),
    ]
    write_credentials(path, entries)
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["credentials.xlsx"]  # no temporary left

    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == ["Name", "Squad", "Username", "Password"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= len(entries[1][0])
    rows = [tuple(c.value or "" for c in row) for row in sheet.iter_rows(min_row=2)]
    assert rows == entries
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:  # an empty squad is an empty cell
                assert cell.data_type in ("s", "inlineStr") and isinstance(cell.value, str)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_credentials_overwrite_keeps_owner_only(tmp_path):
    path = tmp_path / "credentials.xlsx"
    path.write_text("old")
    path.chmod(0o644)
    write_credentials(path, [("A B", "Alpha", "a.b", "Zz345678")], force=True)
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_workbook(path).active["C2"].value == "a.b"

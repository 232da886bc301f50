"""A person's details as the office writes them (a roster row, or one person typed in): each field checked.

Pure: no database. The same rules apply to a roster file's rows and to `users add`, so a name, squad,
grade, role, username or password refused in one is refused in the other, with the same reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from campbank.core.errors import InputError
from campbank.core.text import check_secret, looks_like_formula, text_problem
from campbank.ledger.actions.usernames import PASSWORD_MIN, RESERVED_USERNAMES, USERNAME_RE

MAX_NAME_LENGTH = 60
ROLES = ("student", "staff", "manager")
REQUIRED_COLUMNS = ("last_name", "first_name", "squad", "grade")
OPTIONAL_COLUMNS = ("middle_name", "role", "username", "password")  # no role column: everyone is a student
COLUMNS = ("last_name", "first_name", "middle_name", "squad", "grade", "role", "username", "password")
# A role as secretaries write it (English or Russian), by its casefolded text.
ROLE_WORDS = {
    **{role: role for role in ("student", "staff", "manager")},
    "ученик": "student", "ученица": "student", "школьник": "student", "школьница": "student",
    "преподаватель": "staff", "учитель": "staff", "вожатый": "staff", "вожатая": "staff",
    "воспитатель": "staff", "сотрудник": "staff", "руководитель": "manager", "менеджер": "manager",
}


def squad_keys(squads: Sequence[str]) -> dict[str, str]:
    """How a squad may be written: its name (any case) or its number in the season (1 = the first squad)."""
    keys = {str(number): squad for number, squad in enumerate(squads, start=1)}
    keys.update({squad.strip().casefold(): squad for squad in squads})
    return keys
# Problems on one line are listed in the roster's column order.
_FIELD_ORDER = {
    field: i
    for i, field in enumerate(
        ("file", "encoding", "csv", "header", "row", "last_name", "first_name", "middle_name", "name", *COLUMNS[3:])
    )
}


@dataclass(frozen=True)
class RosterRow:
    """One person from the roster; `line` is the 1-based line in the file (the header is line 1)."""

    line: int
    last_name: str
    first_name: str
    middle_name: str | None  # None when the file's middle name was refused: the row is not compared
    squad: str | None
    grade: int | None
    role: str
    username: str | None
    password: str | None

    @property
    def full_name(self) -> str:
        """`Last First Middle`, as the camp writes names."""
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)


@dataclass(frozen=True)
class RowProblem:
    """What is wrong, where: line 0 means the file as a whole."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.field}: {self.reason}"
        return f"line {self.line}, {self.field}: {self.reason}"


class RosterError(InputError):
    """The roster was refused; `problems` lists every problem found, sorted by line, then by column."""

    def __init__(self, problems: Sequence[RowProblem], *, source: str | None = None) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, _FIELD_ORDER.get(p.field, 99)))
        self.source = source
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        head = f"roster {source} refused" if source else "roster refused"
        lines = [f"{head}, nothing imported ({count} {noun}):"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


def check_row(
    number: int,
    cells: list[str],
    index: dict[str, int],
    unnamed: list[int],
    squad_by_key: dict[str, str],
    grade_set: set[int],
) -> tuple[RosterRow, list[RowProblem]]:
    """The row and its problems; a field with a problem is left empty ("" or None) in the row."""
    problems: list[RowProblem] = []

    def add(field: str, reason: str) -> None:
        problems.append(RowProblem(number, field, reason))

    def raw(column: str) -> str:
        i = index.get(column)
        return cells[i] if i is not None and i < len(cells) else ""

    width = max(index.values()) + 1
    if any(cells[i].strip() for i in unnamed if i < len(cells)) or any(c.strip() for c in cells[width:]):
        add("row", "has values in a column without a header")

    names: dict[str, str | None] = {}
    for column in ("last_name", "first_name", "middle_name"):
        names[column], reason = _check_name(raw(column), required=column != "middle_name")
        if reason:
            add(column, reason)

    role: str | None = ROLE_WORDS.get(raw("role").strip().casefold() or "student")  # empty: a student
    if role not in ROLES:
        shown = f"{raw('role').strip()!r} is not" if raw("role").strip() else "is required;"
        add("role", f"{shown} one of {', '.join(ROLES)}")
        role = None
    is_student = role == "student"
    for_whom = "for a student" if is_student else "(or empty for staff and managers)"

    squad_text = raw("squad").strip()
    squad = squad_by_key.get(_squad_key(squad_text)) if squad_text else None
    names_known = list(dict.fromkeys(squad_by_key.values()))
    known = (", ".join(names_known) + " (or its number, 1 to " + str(len(names_known)) + ")"
             if names_known else "(none defined in the season)")
    if squad_text and squad is None:
        add("squad", f"{squad_text!r} is not a squad of this season; one of {known}")
    elif not squad_text and is_student:
        add("squad", f"is required for a student; one of {known}")

    grade_text = raw("grade").strip()
    grade = None
    allowed = ", ".join(str(g) for g in sorted(grade_set))
    if grade_text:
        grade = _parse_grade(grade_text)
        if grade is None or grade not in grade_set:
            add("grade", f"must be one of {allowed} {for_whom}, not {grade_text!r}")
            grade = None
    elif is_student:
        add("grade", f"is required for a student; one of {allowed}")

    username = raw("username").strip() or None
    if username is not None:
        if username in RESERVED_USERNAMES:
            add("username", f"{username!r} is reserved")
        elif not USERNAME_RE.match(username):
            add(
                "username",
                f"{username!r} must be 2-32 characters: lower-case a-z, digits, '.', '_' or '-', "
                "starting with a letter",
            )
    password = raw("password").strip() or None
    if password is not None and len(password) < PASSWORD_MIN:
        add("password", f"must be at least {PASSWORD_MIN} characters (leave it empty to generate one)")
    elif password is not None:
        try:
            check_secret(password)
        except InputError as error:
            add("password", error.message)

    row = RosterRow(
        line=number,
        last_name=names["last_name"] or "",
        first_name=names["first_name"] or "",
        middle_name=names["middle_name"],  # None when bad, so the person is not compared
        squad=squad,
        grade=grade,
        role=role or "",
        username=username if not any(p.field == "username" for p in problems) else None,
        password=password,
    )
    return row, problems


def _check_name(text: str, *, required: bool) -> tuple[str | None, str | None]:
    """(the stripped name, None) or (None, why it cannot be used); an empty optional name is ""."""
    value = text.strip()
    if not value:
        return (None, "is required") if required else ("", None)
    if problem := text_problem(value, name=True):
        return None, problem
    # Exports neutralise every formula-looking cell; a name that would be one is also refused here, except
    # a leading '-', which secretaries write for "no middle name".
    first = text[:1] if text[:1] in ("\t", "\r") else text.lstrip()[:1]
    if looks_like_formula(text) and first != "-":
        return None, (
            f"{value!r} looks like a spreadsheet formula (starts with {first!r}); "
            "a name cannot start with =, + or @ (nor with a tab or a carriage return)"
        )
    if len(value) > MAX_NAME_LENGTH:
        return None, f"is {len(value)} characters long; at most {MAX_NAME_LENGTH}"
    return value, None


def _squad_key(text: str) -> str:
    """A squad cell as a key: casefolded; a number from a spreadsheet (`1.0`) as the number."""
    key = text.strip().casefold()
    if key.endswith(".0") and key[:-2].isdigit():
        key = key[:-2]
    return key


def _parse_grade(text: str) -> int | None:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    if not number.is_integer():
        return None
    return int(number)


def check_person(
    *,
    last_name: str,
    first_name: str,
    middle_name: str,
    squad: str | None,
    grade: int | None,
    role: str,
    username: str | None,
    password: str | None,
    squads: Sequence[str],
    grades: Sequence[int],
) -> RosterRow:
    """One person typed in by hand, checked by exactly the rules of a roster row."""
    values = {
        "last_name": last_name, "first_name": first_name, "middle_name": middle_name or "",
        "squad": squad or "", "grade": "" if grade is None else str(grade), "role": role,
        "username": username or "", "password": password or "",
    }
    index = {column: i for i, column in enumerate(values)}
    row, problems = check_row(
        0, list(values.values()), index, [], squad_keys(squads), set(grades)
    )
    if problems:
        first = problems[0]
        raise InputError("; ".join(p.reason for p in problems if p.field == first.field), field=first.field)
    return row

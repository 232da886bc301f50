"""Reading and checking a roster file (.csv or .xlsx): all rows are good, or nothing is returned.

Pure: no database. `read_roster` returns plain `RosterRow`s, or raises `RosterError` listing every
problem of the file with its line number (header = line 1), so the office fixes the file in one pass.
Another module applies the rows to the database; `credentials` makes usernames and passwords.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from campbank.ledger.credentials import PASSWORD_MIN, RESERVED_USERNAMES, USERNAME_RE
from campbank.ledger.errors import InputError

MAX_DATA_ROWS = 20_000
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NAME_LENGTH = 60
ROLES = ("student", "staff", "manager")
REQUIRED_COLUMNS = ("last_name", "first_name", "middle_name", "squad", "grade", "role")
OPTIONAL_COLUMNS = ("username", "password")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_FORMULA_START = ("=", "+", "@", "\t", "\r")
# Problems on one line are listed in the roster's column order.
_FIELD_ORDER = {
    field: i
    for i, field in enumerate(
        ("file", "encoding", "csv", "header", "row", "last_name", "first_name", "middle_name", "name")
        + COLUMNS[3:]
    )
}


@dataclass(frozen=True)
class RosterRow:
    """One person from the roster; `line` is the 1-based line in the file (the header is line 1)."""

    line: int
    last_name: str
    first_name: str
    middle_name: str
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


def read_roster(path: Path, *, squads: Sequence[str], grades: Sequence[int]) -> list[RosterRow]:
    """Read and check a `.csv` or `.xlsx` roster; return its rows or raise RosterError with all problems.

    `squads` and `grades` are the season's; squads match case-insensitively and come back spelled as
    in `squads`.
    """
    path = Path(path)
    name = path.name

    def refuse(reason: str, line: int = 0, field: str = "file") -> RosterError:
        return RosterError([RowProblem(line, field, reason)], source=name)

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        kind = f"'{path.suffix}'" if path.suffix else "without an extension"
        raise refuse(f"file type {kind} is not supported; save the roster as .csv (UTF-8) or .xlsx")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise refuse(f"cannot be read: {exc.strerror or exc}") from exc
    if size > MAX_FILE_BYTES:
        raise refuse(f"is {size / 1024 / 1024:.1f} MB; a roster may be at most 5 MB")
    lines = _csv_lines(path, refuse) if suffix == ".csv" else _xlsx_lines(path, refuse)
    return _check(lines, squads=squads, grades=grades, refuse=refuse, source=name)


# --- reading: (line number, list of cell texts) per physical line -------------------------------------


def _csv_lines(path: Path, refuse) -> Iterator[tuple[int, list[str]]]:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse("is UTF-16 text; save it as 'CSV UTF-8' instead")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise refuse(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte {column} of the line); the file "
            "looks saved in another encoding such as Windows-1251: save it as 'CSV UTF-8'",
            line=line,
            field="encoding",
        ) from exc
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise refuse(f"cannot be read as CSV: {exc}", line=previous + 1, field="csv") from exc
        yield previous + 1, cells
        previous = reader.line_num


def _xlsx_lines(path: Path, refuse) -> Iterator[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise refuse(f"is not a readable .xlsx workbook ({exc})") from exc
    try:
        if not workbook.worksheets:
            raise refuse("the workbook has no sheets")
        sheet = workbook.worksheets[0]
        # Rows the sheet leaves out come back as empty rows, so the count is the sheet's row number.
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- checking -----------------------------------------------------------------------------------------


def _header(number: int, cells: list[str]) -> tuple[dict[str, int], list[int], list[RowProblem]]:
    """Map column name -> index; also the indexes of unnamed columns, and the header's problems."""
    problems: list[RowProblem] = []
    index: dict[str, int] = {}
    unnamed: list[int] = []
    unknown: list[str] = []
    for i, raw in enumerate(cells):
        name = " ".join(raw.strip().lower().replace("-", " ").replace("_", " ").split()).replace(" ", "_")
        if not name:
            unnamed.append(i)
        elif name not in COLUMNS:
            unknown.append(raw.strip())
        elif name in index:
            problems.append(RowProblem(number, "header", f"column {name} appears twice"))
        else:
            index[name] = i
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        problems.append(RowProblem(number, "header", f"missing required columns: {', '.join(missing)}"))
    if unknown:
        problems.append(
            RowProblem(
                number,
                "header",
                f"unknown columns: {', '.join(repr(u) for u in unknown)}; allowed: {', '.join(COLUMNS)}",
            )
        )
    return index, unnamed, problems


def _check(lines, *, squads, grades, refuse, source) -> list[RosterRow]:
    squad_by_key = {s.strip().casefold(): s for s in squads}
    grade_set = set(grades)
    header = None
    rows: list[RosterRow] = []
    problems: list[RowProblem] = []
    usernames: dict[str, int] = {}
    people: dict[tuple[str, str, str, str], int] = {}
    data_rows = 0
    for number, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = _header(number, cells)
            if header[2]:
                raise RosterError(header[2], source=source)
            continue
        data_rows += 1
        if data_rows > MAX_DATA_ROWS:
            raise refuse(f"has more than {MAX_DATA_ROWS} data rows; split the roster into several files")
        row, row_problems = _check_row(number, cells, header[0], header[1], squad_by_key, grade_set)
        # Duplicates are checked on the fields that are good, even when the row has other problems.
        if row.username is not None:
            first = usernames.setdefault(row.username, number)
            if first != number:
                row_problems.append(
                    RowProblem(number, "username", f"{row.username!r} is already used on line {first}")
                )
        if row.last_name and row.first_name and row.middle_name is not None and row.role:
            names = (row.last_name, row.first_name, row.middle_name)
            person = (*(name.casefold() for name in names), row.role)
            first = people.setdefault(person, number)
            if first != number:
                row_problems.append(
                    RowProblem(number, "name", f"{row.full_name} ({row.role}) is already on line {first}")
                )
        problems += row_problems
        rows.append(row)
    if header is None:
        raise refuse("is empty: expected a header line with " + ", ".join(COLUMNS))
    if data_rows == 0:
        raise refuse("has a header but no data rows")
    if problems:
        raise RosterError(problems, source=source)
    return rows


def _check_row(
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

    role = raw("role").strip().lower()
    if role not in ROLES:
        shown = f"{raw('role').strip()!r} is not" if raw("role").strip() else "is required;"
        add("role", f"{shown} one of {', '.join(ROLES)}")
        role = None
    is_student = role == "student"
    for_whom = "for a student" if is_student else "(or empty for staff and managers)"

    squad_text = raw("squad").strip()
    squad = squad_by_key.get(squad_text.casefold()) if squad_text else None
    known = ", ".join(squad_by_key.values()) or "(none defined in the season)"
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
    if text.startswith(_FORMULA_START) or value.startswith(_FORMULA_START):
        first = text.lstrip(" ")[:1]
        return None, (
            f"{value!r} looks like a spreadsheet formula (starts with {first!r}); "
            "a name cannot start with =, + or @"
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        return None, "contains control characters"
    if len(value) > MAX_NAME_LENGTH:
        return None, f"is {len(value)} characters long; at most {MAX_NAME_LENGTH}"
    return value, None


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
    row, problems = _check_row(
        0, list(values.values()), index, [], {s.strip().casefold(): s for s in squads}, set(grades)
    )
    if problems:
        first = problems[0]
        raise InputError("; ".join(p.reason for p in problems if p.field == first.field), field=first.field)
    return row

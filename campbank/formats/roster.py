"""Reading and checking a roster file (.csv or .xlsx): all rows are good, or nothing is returned.

Pure: no database. `read_roster` returns plain `RosterRow`s, or raises `RosterError` listing every
problem of the file with its line number (header = line 1), so the office fixes the file in one pass.
Another module applies the rows to the database; `credentials` makes usernames and passwords.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from campbank.ledger.actions.person_details import (
    COLUMNS,
    REQUIRED_COLUMNS,
    RosterError,
    RosterRow,
    RowProblem,
    check_row,
    squad_keys,
)

MAX_DATA_ROWS = 20_000
MAX_FILE_BYTES = 5 * 1024 * 1024
TITLE_LINES = 5  # lines above the header a secretary may use for a title ("Camp roster, summer 2026")
FULL_NAME = "full_name"  # one column "ФИО" / "full name": last, first and middle name in that order

# Headers as secretaries write them, English or Russian, matched after lower-casing and turning spaces,
# hyphens and underscores into one "_" (docs/season.md#the-roster).
HEADER_ALIASES = {
    **{column: column for column in COLUMNS},
    "surname": "last_name", "family_name": "last_name", "lastname": "last_name", "firstname": "first_name",
    "name": "first_name", "middle": "middle_name", "patronymic": "middle_name", "login": "username",
    "class": "grade", "full_name": FULL_NAME, "fullname": FULL_NAME,
    "фамилия": "last_name", "имя": "first_name", "отчество": "middle_name", "отряд": "squad",
    "№_отряда": "squad", "номер_отряда": "squad", "класс": "grade", "роль": "role", "логин": "username",
    "пароль": "password", "фио": FULL_NAME, "ф.и.о.": FULL_NAME, "ф._и._о.": FULL_NAME,
}


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


def _column(raw: str) -> str | None:
    """The column a header cell names, or None."""
    name = " ".join(raw.strip().casefold().replace("-", " ").replace("_", " ").split()).replace(" ", "_")
    return HEADER_ALIASES.get(name)


def _looks_like_header(cells: list[str]) -> bool:
    return len({c for cell in cells if (c := _column(cell))}) >= 2


def _header(number: int, cells: list[str]) -> tuple[dict[str, int], list[int], list[RowProblem]]:
    """Map column name -> index; also the indexes of unnamed columns, and the header's problems."""
    problems: list[RowProblem] = []
    index: dict[str, int] = {}
    unnamed: list[int] = []
    unknown: list[str] = []
    for i, raw in enumerate(cells):
        name = _column(raw)
        if not raw.strip():
            unnamed.append(i)
        elif name is None:
            unknown.append(raw.strip())
        elif name in index:
            problems.append(RowProblem(number, "header", f"column {name} appears twice"))
        else:
            index[name] = i
    if FULL_NAME in index:
        if "last_name" in index or "first_name" in index:
            problems.append(RowProblem(number, "header", "has both a full-name column and last_name/first_name"))
        else:  # split into the three name columns, appended after the file's own cells (see _split_full_name)
            width = len(cells)
            index.update(last_name=width, first_name=width + 1, middle_name=width + 2)
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        problems.append(RowProblem(number, "header", f"missing required columns: {', '.join(missing)}"))
    if unknown:
        problems.append(
            RowProblem(
                number,
                "header",
                f"unknown columns: {', '.join(repr(u) for u in unknown)}; allowed: {', '.join(COLUMNS)} "
                "(or Фамилия, Имя, Отчество, Отряд, Класс, Роль, Логин, Пароль; ФИО for the whole name)",
            )
        )
    return index, unnamed, problems


def _split_full_name(cells: list[str], header: dict[str, int], width: int) -> list[str]:
    """A row with a full-name column, with its last, first and middle name appended (as the header mapped)."""
    if FULL_NAME not in header:
        return cells
    parts = cells[header[FULL_NAME]].split() if header[FULL_NAME] < len(cells) else []
    cells = cells + [""] * max(0, width - len(cells))
    return [*cells[:width], parts[0] if parts else "", parts[1] if len(parts) > 1 else "", " ".join(parts[2:])]


def _check(lines, *, squads, grades, refuse, source) -> list[RosterRow]:
    squad_by_key = squad_keys(squads)
    grade_set = set(grades)
    header = None
    header_width = 0
    skipped: list[tuple[int, list[str]]] = []  # title lines above the header
    rows: list[RosterRow] = []
    problems: list[RowProblem] = []
    usernames: dict[str, int] = {}
    people: dict[tuple[str, str, str, str], int] = {}
    data_rows = 0
    for number, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            if not _looks_like_header(cells) and len(skipped) < TITLE_LINES:
                skipped.append((number, cells))
                continue
            if not _looks_like_header(cells) and skipped:
                number, cells = skipped[0]  # no header anywhere: show what the first line lacks
            header = _header(number, cells)
            header_width = len(cells)
            if header[2]:
                raise RosterError(header[2], source=source)
            continue
        data_rows += 1
        if data_rows > MAX_DATA_ROWS:
            raise refuse(f"has more than {MAX_DATA_ROWS} data rows; split the roster into several files")
        cells = _split_full_name(cells, header[0], header_width)
        row, row_problems = check_row(number, cells, header[0], header[1], squad_by_key, grade_set)
        # Duplicates are checked on the fields that are good, even when the row has other problems.
        if row.username is not None:
            first = usernames.setdefault(row.username, number)
            if first != number:
                row_problems.append(
                    RowProblem(number, "username", f"{row.username!r} is already used on line {first}")
                )
        # Namesakes are told apart by their usernames: only rows without one must differ by name.
        if row.username is None and row.last_name and row.first_name and row.middle_name is not None and row.role:
            person = (row.last_name.casefold(), row.first_name.casefold(), row.middle_name.casefold(), row.role)
            first = people.setdefault(person, number)
            if first != number:
                row_problems.append(
                    RowProblem(number, "name", f"{row.full_name} ({row.role}) is already on line {first}")
                )
        problems += row_problems
        rows.append(row)
    if header is None and skipped:
        header_problems = _header(*skipped[0])[2]
        raise RosterError(header_problems or [RowProblem(skipped[0][0], "header", "no header line found")],
                          source=source)
    if header is None:
        raise refuse("is empty: expected a header line with " + ", ".join(COLUMNS))
    if data_rows == 0:
        raise refuse("has a header but no data rows")
    if problems:
        raise RosterError(problems, source=source)
    return rows

"""The credentials workbook handed to the camp office: new people's usernames and passwords."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from campbank.core.text import looks_like_formula
from campbank.ledger.store import outputs

CREDENTIALS_HEADER = ("Name", "Squad", "Username", "Password")


def write_credentials(path: Path, entries: Sequence[tuple[str, str, str, str]], *, force: bool = False,
                      protect: Iterable[Path] = ()) -> None:
    """Write (full name, squad, username, password) rows to an xlsx readable only by its owner (0600), as
    every output is written (`store.outputs`): never over a database, a device or a folder, over an existing
    file only with `force`, through a private new file that takes the target's place when complete."""
    with outputs.replacing(path, force=force, protect=protect, field="credentials") as temporary:
        save_private(credentials_workbook(entries), temporary)


def read_credentials(path: Path) -> list[tuple[str, str, str, str]] | None:
    """The rows of an existing credentials workbook, or None when the file is not one (so it is never
    merged into, nor replaced without `--force`)."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    try:
        sheet = workbook["Credentials"] if "Credentials" in workbook.sheetnames else None
        if sheet is None:
            return None
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, ())
        if tuple(str(cell or "") for cell in header[:4]) != CREDENTIALS_HEADER:
            return None
        found: list[tuple[str, str, str, str]] = []
        for values in rows:
            cells = [("" if value is None else str(value)) for value in (*values, "", "", "", "")[:4]]
            if any(cells):
                found.append((cells[0], cells[1], cells[2], cells[3]))
        return found
    finally:
        workbook.close()


def credentials_workbook(entries: Sequence[tuple[str, str, str, str]]):
    """The workbook of (full name, squad, username, password) rows.

    The header is bold and frozen, the columns fitted. Every cell is stored as a plain string, so a
    name such as `=HYPERLINK(...)` is shown as text and never evaluated as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Credentials"
    bold = Font(bold=True)
    widths = [len(title) for title in CREDENTIALS_HEADER]
    for col, title in enumerate(CREDENTIALS_HEADER, start=1):
        sheet.cell(row=1, column=col, value=title).font = bold
    for row_index, entry in enumerate(entries, start=2):
        if len(entry) != 4:
            raise ValueError(f"credentials entry {row_index - 1} must have 4 fields, not {len(entry)}")
        for col, value in enumerate(entry, start=1):
            text = "" if value is None else str(value)
            if not text:
                continue
            cell = sheet.cell(row=row_index, column=col)
            cell.value = text
            # openpyxl marks text starting with '=' as a formula; force a plain (inline) string, and
            # set Excel's quote prefix so editing the cell in a spreadsheet keeps it text.
            cell.data_type = "s"
            if looks_like_formula(text):  # the one formula guard of every export
                cell.quotePrefix = True
            widths[col - 1] = max(widths[col - 1], len(text))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(ord("A") + col - 1)].width = min(width, 60) + 2
    sheet.freeze_panes = "A2"
    return workbook


def save_private(workbook, file: Path) -> None:
    """Save into an existing private file (made by `store.outputs`), flushed to the disk."""
    with open(file, "wb") as handle:
        workbook.save(handle)
        handle.flush()
        os.fsync(handle.fileno())

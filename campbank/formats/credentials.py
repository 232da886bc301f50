"""The credentials workbook handed to the camp office: new people's usernames and passwords."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from campbank.core.text import looks_like_formula

CREDENTIALS_HEADER = ("Name", "Squad", "Username", "Password")


def write_credentials(path: Path, entries: Sequence[tuple[str, str, str, str]]) -> None:
    """Write (full name, squad, username, password) rows to an xlsx readable only by its owner (0600).

    The header is bold and frozen, the columns fitted. Every cell is stored as a plain string, so a
    name such as `=HYPERLINK(...)` is shown as text and never evaluated as a formula. The file is
    written next to `path` and moved into place, so a reader never sees half a workbook.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
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
    _save_private(workbook, path)


def _save_private(workbook, path: Path) -> None:
    """Save to a 0600 temporary file in the target's directory, then atomically replace `path`."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            workbook.save(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    os.chmod(path, 0o600)

"""Saving a report workbook: openpyxl writes the file around the sheets, the sheets' rows are poured in.

openpyxl writes everything but the rows (workbook, styles, charts, each sheet's widths, frozen pane,
filter and print settings) into memory; `save_workbook` copies that into the target file and, on the
way, fills each sheet's empty `<sheetData>` with the rows the sheet rendered (`xlsx_cells`). The last
rows of a sheet may be an iterator, so the longest table streams from the ledger straight into the
file and memory stays flat.
"""

from __future__ import annotations

import codecs
import io
import re
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, BinaryIO, Protocol

from openpyxl.workbook import Workbook

ROWS_PER_WRITE = 1000
BYTES_PER_READ = 64 * 1024  # a pre-rendered sheet is read back in pieces this size
# Python's zipfile must be told in advance that a member may pass 2 GiB (zip64), and Excel offers to
# "repair" a file written that way; a row's XML stays well under 2 KiB, so only very long sheets need it.
ZIP64_ROWS = 500_000
_EMPTY_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>\s*</sheetData>")


class RowSource(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def path(self) -> str:
        """The sheet's part in the file, as openpyxl names it once the workbook is saved."""
        ...

    @property
    def expected_rows(self) -> int: ...

    def xml_rows(self) -> Iterable[str]: ...


def save_workbook(workbook: Workbook, target: Path, sheets: Sequence[RowSource]) -> None:
    """Save `workbook` to `target` with every sheet's rows in it."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    by_part = {sheet.path.lstrip("/"): sheet for sheet in sheets}
    # Level 1: a quarter of the default's time for the rows, in a file a fifth larger
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in source.infolist():
            sheet = by_part.get(info.filename)
            if sheet is None:
                out.writestr(info, source.read(info))
                continue
            empty = _EMPTY_SHEET_DATA.search(source.read(info).decode("utf-8"))
            if empty is None:
                raise ValueError(f"{sheet.title}: openpyxl wrote rows of its own; write them with the Sheet")
            xml = empty.string
            with out.open(info.filename, "w", force_zip64=sheet.expected_rows > ZIP64_ROWS) as stream:
                stream.write(f"{xml[:empty.start()]}<sheetData>".encode())
                if isinstance(sheet, PreRendered):
                    sheet.copy_to(stream)
                else:
                    rows = iter(sheet.xml_rows())
                    while chunk := list(islice(rows, ROWS_PER_WRITE)):
                        stream.write("".join(chunk).encode())
                stream.write(f"</sheetData>{xml[empty.end():]}".encode())


class PreRendered:
    """A sheet whose rows are rendered now into `scratch` (a private temporary file), so rendering can
    go on while something else is being read; saving pours the file's text in."""

    def __init__(self, sheet: RowSource, scratch: BinaryIO) -> None:
        self._sheet = sheet
        self._scratch = scratch
        rows = iter(sheet.xml_rows())
        while chunk := list(islice(rows, ROWS_PER_WRITE)):
            scratch.write("".join(chunk).encode())

    @property
    def title(self) -> str:
        return self._sheet.title

    @property
    def path(self) -> str:
        return self._sheet.path

    @property
    def expected_rows(self) -> int:
        return self._sheet.expected_rows

    def xml_rows(self) -> Iterable[str]:
        """The rendered text, in pieces that may cut a row anywhere (but never a character)."""
        self._scratch.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        while piece := self._scratch.read(BYTES_PER_READ):
            yield decoder.decode(piece)
        yield decoder.decode(b"", final=True)

    def copy_to(self, stream: IO[bytes]) -> None:
        """The rendered rows as they are, into the sheet's part of the file."""
        self._scratch.seek(0)
        shutil.copyfileobj(self._scratch, stream, BYTES_PER_READ)

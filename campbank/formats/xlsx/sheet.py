"""One worksheet of the report with spreadsheet habits: a bold filled header row, frozen and filtered,
typed columns (money as numbers with two decimals), fitted widths, and text that can never run.

Widths are set before any row is known, so `fit_widths` measures sample rows first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from campbank.core.money import cents_to_str
from campbank.formats.xlsx.cells import RowRenderer

MIN_WIDTH, MAX_WIDTH = 6, 60

FONT = "Calibri"
HEADER_FONT = Font(name=FONT, size=11, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
TOTAL_FONT = Font(name=FONT, size=11, bold=True)
TOTAL_FILL = PatternFill("solid", fgColor="D9E1F2")
DANGER_FONT = Font(name=FONT, size=11, color="9C0006")
DANGER_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FONT = Font(name=FONT, size=11, color="9C5700")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
MUTED_FONT = Font(name=FONT, size=11, color="808080")
TITLE_FONT = Font(name=FONT, size=12, bold=True)


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text, money (cents), count, date, datetime
    width: float | None = None  # None: fitted by `fit_widths`


@dataclass(frozen=True)
class Look:
    """A fill and a font for a whole row or one cell."""

    fill: PatternFill | None = None
    font: Font | None = None
    alignment: Alignment | None = None


HEADER = Look(HEADER_FILL, HEADER_FONT, HEADER_ALIGN)
TOTAL = Look(TOTAL_FILL, TOTAL_FONT)
DANGER = Look(DANGER_FILL, DANGER_FONT)
WARNING = Look(WARNING_FILL, WARNING_FONT)
MUTED = Look(None, MUTED_FONT)
TITLE = Look(None, TITLE_FONT)
RowValues = tuple[Sequence[object], Mapping[int, Look] | None]  # a streamed row: values, looks of single cells


def display(kind: str, value: object) -> str:
    """Roughly what a spreadsheet shows, to measure column widths."""
    if value is None:
        return ""
    if kind == "money" and isinstance(value, int):
        return cents_to_str(value)
    if kind == "datetime":
        return "2018-08-06 12:00"
    return str(value)


def fit_widths(columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> list[Column]:
    """The columns with every unset width fitted to the header and the sample rows."""
    # A header wraps onto two lines at most: its longest word, or half of it, must fit (bold, plus the
    # filter button).
    longest = [max([len(w) for w in c.title.split()] + [(len(c.title) + 1) // 2]) + 3 for c in columns]
    for row in rows:
        for i, (column, value) in enumerate(zip(columns, row, strict=False)):
            longest[i] = max(longest[i], len(display(column.kind, value)))
    return [c if c.width is not None else Column(c.title, c.kind, float(min(MAX_WIDTH, max(MIN_WIDTH, n + 1))))
            for c, n in zip(columns, longest, strict=False)]


class Sheet:
    """A sheet of the report whose first row is (by default) the header of a filtered table.

    openpyxl keeps the sheet's settings; the rows are rendered as text (`xlsx_cells`) and poured into the
    file by `xlsx_save.save_workbook`. The last rows may be streamed: `stream` takes an iterator that is
    only read while the file is saved.
    """

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column], *, header: bool = True,
                 freeze: str | None = "A2") -> None:
        self.ws = workbook.create_sheet(title)
        self.title = title
        self.columns = list(columns)
        self.rows = 0
        self._rendered: list[str] = []
        self._streamed: tuple[Iterable[RowValues], int, int] | None = None  # rows, first number, count
        self._renderer = RowRenderer([c.kind for c in self.columns], self._style_index)
        for i, column in enumerate(self.columns, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = column.width or 12
        if freeze:
            self.ws.freeze_panes = freeze
        self.ws.print_options.gridLines = header
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        if header:
            self.ws.print_title_rows = "1:1"
            wraps = any(len(c.title) + 3 > (c.width or 12) for c in self.columns)
            self.header([c.title for c in self.columns], height=30 if wraps else None)  # room for a wrapped title

    @property
    def path(self) -> str:
        return str(self.ws.path)

    @property
    def expected_rows(self) -> int:
        return self.rows

    @property
    def last_column(self) -> str:
        return get_column_letter(len(self.columns))

    def row(self, values: Sequence[object], look: Look | None = None, cells: Mapping[int, Look] | None = None,
            kinds: Sequence[str] | None = None, height: float | None = None) -> None:
        """Append typed values (money in cents); `look` styles the row, `cells` single cells by index."""
        if self._streamed is not None:
            raise RuntimeError(f"{self.title}: streamed rows are the last ones")
        self.rows += 1
        self._rendered.append(self._renderer.render(self.rows, values, look, cells, kinds, height))

    def stream(self, rows: Iterable[RowValues], count: int, looks: Sequence[Look] = ()) -> None:
        """`count` more rows, (values, cells) pairs read from `rows` only as the file is saved; their cells
        may have the given looks."""
        self._renderer.prepare(looks)
        self._streamed = (rows, self.rows + 1, count)
        self.rows += count

    def xml_rows(self) -> Iterator[str]:
        yield from self._rendered
        if self._streamed is None:
            return
        rows, first, count = self._streamed
        number = first
        for values, cells in rows:
            if number == first + count:
                raise RuntimeError(f"{self.title}: more than the {count} rows announced")
            yield self._renderer.render(number, values, cells=cells)
            number += 1
        if number != first + count:
            raise RuntimeError(f"{self.title}: {number - first} rows came, {count} were announced")

    def header(self, titles: Sequence[str], height: float | None = None) -> None:
        """A header row (also inside the sheet, for a second table below the first)."""
        self.row(titles, HEADER, kinds=["text"] * len(titles), height=height)

    def blank(self) -> None:
        self.rows += 1

    def note(self, text: str, look: Look | None = None) -> None:
        self.row([text], look, kinds=["text"])

    def filter_table(self, last_row: int | None = None) -> None:
        """The autofilter over the header and the rows written so far (or up to `last_row`)."""
        self.ws.auto_filter.ref = f"A1:{self.last_column}{max(1, last_row or self.rows)}"

    def _style_index(self, number_format: str | None, look: object, quoted: bool) -> int:
        """Register a cell style with the workbook (openpyxl's way) and give its index."""
        cell = WriteOnlyCell(self.ws)
        if isinstance(look, Look):
            if look.font is not None:
                cell.font = look.font
            if look.fill is not None:
                cell.fill = look.fill
            if look.alignment is not None:
                cell.alignment = look.alignment
        if number_format:
            cell.number_format = number_format
        if quoted:
            cell.quotePrefix = True  # an editor keeps the text text, too
        return int(cell.style_id)

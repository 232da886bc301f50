"""One write-only worksheet with spreadsheet habits: a bold filled header row, frozen and filtered,
typed columns (money as numbers with two decimals), fitted widths, and text that can never run.

openpyxl's write-only mode streams rows to disk, so column widths and the frozen pane must be known
before the first row: `fit_widths` measures sample rows first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from campbank.ledger.money import cents_to_str

MONEY_FORMAT = "0.00"
COUNT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
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
RISKY_START = ("=", "+", "-", "@")


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


TOTAL = Look(TOTAL_FILL, TOTAL_FONT)
DANGER = Look(DANGER_FILL, DANGER_FONT)
WARNING = Look(WARNING_FILL, WARNING_FONT)
MUTED = Look(None, MUTED_FONT)
TITLE = Look(None, TITLE_FONT)


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
        for i, (column, value) in enumerate(zip(columns, row)):
            longest[i] = max(longest[i], len(display(column.kind, value)))
    return [c if c.width is not None else Column(c.title, c.kind, float(min(MAX_WIDTH, max(MIN_WIDTH, n + 1))))
            for c, n in zip(columns, longest)]


class Sheet:
    """A write-only sheet whose first row is the header of a filtered table."""

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column], *, header: bool = True,
                 freeze: str | None = "A2") -> None:
        self.ws = workbook.create_sheet(title)
        self._styles: dict[tuple[object, ...], object] = {}
        self.columns = list(columns)
        self.rows = 0
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
            if any(len(c.title) + 3 > (c.width or 12) for c in self.columns):
                self.ws.row_dimensions[1].height = 30  # room for a wrapped title
            self.append([self._cell(c.title, HEADER_FONT, HEADER_FILL, align=HEADER_ALIGN) for c in self.columns])

    @property
    def last_column(self) -> str:
        return get_column_letter(len(self.columns))

    def append(self, cells: Sequence[object]) -> None:
        self.ws.append(cells)
        self.rows += 1

    def row(self, values: Sequence[object], look: Look | None = None, cells: dict[int, Look] | None = None,
            kinds: Sequence[str] | None = None) -> None:
        """Append typed values (money in cents); `look` styles the row, `cells` single cells by index."""
        out = []
        for i, value in enumerate(values):
            kind = kinds[i] if kinds else self.columns[i].kind if i < len(self.columns) else "text"
            style = (cells or {}).get(i) or look
            out.append(self.value(kind, value, style))
        self.append(out)

    def value(self, kind: str, value: object, look: Look | None = None) -> object:
        font, fill = (look.font, look.fill) if look else (None, None)
        if value is None or value == "":
            return self._cell(None, font, fill) if look else None
        if isinstance(value, str):
            return self._text(value, font, fill)
        if kind == "money" and isinstance(value, int):
            return self._cell(Decimal(value) / 100, font, fill, MONEY_FORMAT)
        if kind == "datetime" and isinstance(value, datetime):
            return self._cell(value.replace(tzinfo=None), font, fill, DATETIME_FORMAT)
        if kind in ("date", "datetime") and isinstance(value, date):
            return self._cell(value, font, fill, DATE_FORMAT)
        if look:
            return self._cell(value, font, fill, COUNT_FORMAT if isinstance(value, int) else None)
        return value

    def _text(self, text: str, font: Font | None, fill: PatternFill | None) -> object:
        """Text as a plain string: never a formula or an error code, whatever it starts with."""
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        risky = text.startswith(RISKY_START) or text in ERROR_CODES
        if not risky and font is None and fill is None:
            return text
        cell = self._cell(text, font, fill)
        if risky:
            cell.data_type = "s"
            cell.quotePrefix = True  # an editor keeps it text, too
        return cell

    def _cell(self, value: object, font: Font | None = None, fill: PatternFill | None = None,
              number_format: str | None = None, align: Alignment | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        key = (id(font), id(fill), number_format, id(align))
        style = self._styles.get(key)
        if style is None:  # style one cell the slow way, then copy its style ids to the others
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if number_format:
                cell.number_format = number_format
            if align is not None:
                cell.alignment = align
            self._styles[key] = copy(cell._style)
        else:
            cell._style = copy(style)
        return cell

    def header(self, titles: Sequence[str]) -> None:
        """A header row inside the sheet (for a second table below the first)."""
        self.append([self._cell(t, HEADER_FONT, HEADER_FILL, align=HEADER_ALIGN) for t in titles])

    def blank(self) -> None:
        self.append([])

    def note(self, text: str, look: Look | None = None) -> None:
        self.append([self._text(text, look.font if look else None, look.fill if look else None)])

    def filter_table(self, last_row: int | None = None) -> None:
        """The autofilter over the header and the rows written so far (or up to `last_row`)."""
        self.ws.auto_filter.ref = f"A1:{self.last_column}{max(1, last_row or self.rows)}"

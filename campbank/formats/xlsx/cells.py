"""Rows of a worksheet as SpreadsheetML text.

openpyxl spends about 20 µs on every cell it writes, and a big camp's report has millions of cells. The
report's sheets render their rows here instead, the way openpyxl's write-only mode writes them (inline
strings, numbers, styles by index), and `xlsx_save` pours the text into the file openpyxl writes around
it, so the file reads back exactly as if openpyxl had written every cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from campbank.core.text import looks_like_formula

MONEY_FORMAT = "0.00"
COUNT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_ERROR_CODES = frozenset(ERROR_CODES)
# what text may hold that XML cannot (control characters) or must escape; most text has none
_SPECIAL = re.compile(r"[\000-\010\013\014\016-\037&<>]")
_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()  # Excel's day 0 (after its 1900 leap-year quirk)
_SECONDS_PER_DAY = 86400

# (number format, look, quoted) -> the style's index in the workbook; `look` is the caller's fill and font
StyleOf = Callable[[str | None, object, bool], int]


def escape(text: str) -> str:
    """The text as XML character data, without the control characters XML cannot hold."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def excel_serial(value: date) -> str:
    """A date or datetime as Excel's serial day number (what openpyxl's `to_excel` gives), as text."""
    days = value.toordinal() - _EPOCH_ORDINAL
    if days <= 60:  # before 1900-03-01 Excel counts a 29 February 1900 that never was
        return repr(to_excel(value))
    if not isinstance(value, datetime):
        return str(days)
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 10**6
    return repr(days + seconds / _SECONDS_PER_DAY)


class RowRenderer:
    """Typed values as `<row>` text. `kinds` name each column's kind: text, money (int cents), count, date,
    datetime. Text is always text (an inline string is never a formula), and text that looks like one (the
    formula guard of `campbank.core.text`) has Excel's quote prefix, so editing the cell keeps it text."""

    def __init__(self, kinds: Sequence[str], style_of: StyleOf) -> None:
        self.kinds = list(kinds)
        self._style_of = style_of
        self._styles: dict[tuple[str | None, int, bool], str] = {}
        self._days: dict[date, str] = {}
        self._sealed = False
        self._letters = [get_column_letter(i) for i in range(1, len(self.kinds) + 1)]

    def render(self, number: int, values: Sequence[object], look: object = None,
               cells: Mapping[int, object] | None = None, kinds: Sequence[str] | None = None,
               height: float | None = None) -> str:
        """Row `number` of the sheet; `look` styles every cell, `cells` single cells by index."""
        kinds = kinds or self.kinds
        letters = self._letters
        while len(letters) < len(values):
            letters.append(get_column_letter(len(letters) + 1))
        size = f' ht="{height}" customHeight="1"' if height else ""
        parts = [f'<row r="{number}"{size}>']
        for i, value in enumerate(values):
            cell_look = cells.get(i, look) if cells else look
            if value is None or value == "":
                if cell_look is not None:  # an empty cell still shows its row's fill
                    parts.append(f'<c r="{letters[i]}{number}"{self._style(None, cell_look)}/>')
                continue
            if isinstance(value, str):
                text = value
                if _SPECIAL.search(text):
                    text = escape(text)
                quoted = looks_like_formula(text) or text in _ERROR_CODES  # a formula or an error if typed in
                style = self._style(None, cell_look, quoted) if cell_look is not None or quoted else ""
                space = ' xml:space="preserve"' if text != text.strip() else ""
                parts.append(f'<c r="{letters[i]}{number}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>')
                continue
            kind = kinds[i] if i < len(kinds) else "text"
            if isinstance(value, bool):
                raise TypeError(f"column {letters[i]}: write yes/no as text, not {value!r}")
            number_format: str | None
            if isinstance(value, int) and kind == "money":
                number_text, number_format = repr(value / 100), MONEY_FORMAT  # the double nearest the cents
            elif isinstance(value, date):
                stamp = isinstance(value, datetime) and kind == "datetime"
                if stamp:
                    number_text, number_format = excel_serial(value), DATETIME_FORMAT
                else:
                    number_text, number_format = self._day(value), DATE_FORMAT
            elif isinstance(value, (int, float)):
                number_text = repr(value)
                number_format = COUNT_FORMAT if isinstance(value, int) and cell_look is not None else None
            else:
                raise TypeError(f"column {letters[i]}: cannot write {value!r}")
            parts.append(f'<c r="{letters[i]}{number}"{self._style(number_format, cell_look)}><v>{number_text}</v></c>')
        parts.append("</row>")
        return "".join(parts)

    def _day(self, value: date) -> str:
        """A day's serial number; the few days of a season repeat on every row, so they are kept."""
        day = value if type(value) is date else date(value.year, value.month, value.day)
        serial = self._days.get(day)
        if serial is None:
            serial = self._days[day] = excel_serial(day)
        return serial

    def prepare(self, looks: Sequence[object]) -> None:
        """Register every style rows with these looks can need, and no more: the styles are written to the
        file before rows streamed from the ledger are rendered."""
        for look in (None, *looks):
            for number_format in (None, MONEY_FORMAT, COUNT_FORMAT, DATE_FORMAT, DATETIME_FORMAT):
                for quoted in (False, True):
                    self._style(number_format, look, quoted)
        self._sealed = True

    def _style(self, number_format: str | None, look: object, quoted: bool = False) -> str:
        """The cell's ` s="N"` attribute, or nothing for the workbook's default style."""
        key = (number_format, id(look), quoted)
        attribute = self._styles.get(key)
        if attribute is None:
            if self._sealed:
                raise RuntimeError(f"a style ({number_format}, {look}) that was not prepared for streaming")
            plain = number_format is None and look is None and not quoted
            index = 0 if plain else self._style_of(number_format, look, quoted)
            attribute = self._styles[key] = f' s="{index}"' if index else ""
        return attribute

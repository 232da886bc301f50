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

from campbank.core.text import FORMULA_START, looks_like_formula

MONEY_FORMAT = "0.00"
COUNT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_ERROR_CODES = frozenset(ERROR_CODES)
# what text may hold that XML cannot (control characters) or must escape; most text has none
_SPECIAL = re.compile(r"[\000-\010\013\014\016-\037&<>]")
# what a formula (`looks_like_formula`) or an error code can start with, besides whitespace
_MAYBE_QUOTED = frozenset((*FORMULA_START, "#"))
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
        # The Transactions sheet renders every one of a big camp's rows here: local names, one type test
        # per value and the style attributes from a dict keep the cost per cell low.
        kinds = kinds or self.kinds
        letters = self._letters
        while len(letters) < len(values):
            letters.append(get_column_letter(len(letters) + 1))
        row = str(number)
        size = f' ht="{height}" customHeight="1"' if height else ""
        parts = [f'<row r="{row}"{size}>']
        append = parts.append
        styles = self._styles
        style = self._style
        for i, value in enumerate(values):
            cell_look = cells.get(i, look) if cells else look
            kind_of = type(value)
            if value is None or value == "":
                if cell_look is not None:  # an empty cell still shows its row's fill
                    append(f'<c r="{letters[i]}{row}"{style(None, cell_look)}/>')
                continue
            if isinstance(value, str):
                text = value
                if _SPECIAL.search(text):
                    text = escape(text)
                # a formula or an error code if typed in; only a few first characters can start either
                first = text[:1]
                quoted = ((first in _MAYBE_QUOTED or first.isspace())
                          and (looks_like_formula(text) or text in _ERROR_CODES))
                if cell_look is None and not quoted:
                    attribute = ""
                else:
                    attribute = styles.get((None, id(cell_look), quoted)) or style(None, cell_look, quoted)
                space = ' xml:space="preserve"' if text and (first.isspace() or text[-1].isspace()) else ""
                append(f'<c r="{letters[i]}{row}"{attribute} t="inlineStr"><is><t{space}>{text}</t></is></c>')
                continue
            kind = kinds[i] if i < len(kinds) else "text"
            number_format: str | None
            if kind_of is int and kind == "money":
                number_text, number_format = repr(value / 100), MONEY_FORMAT  # type: ignore[operator]  # nearest double
            elif kind_of is int:
                number_text = repr(value)
                number_format = COUNT_FORMAT if cell_look is not None else None
            elif kind_of is datetime and kind == "datetime":
                number_text, number_format = excel_serial(value), DATETIME_FORMAT  # type: ignore[arg-type]
            elif kind_of is date:
                number_text, number_format = self._day(value), DATE_FORMAT  # type: ignore[arg-type]
            else:
                number_text, number_format = self._other(letters[i], value, kind, cell_look)
            number_style = styles.get((number_format, id(cell_look), False))
            if number_style is None:
                number_style = style(number_format, cell_look)
            append(f'<c r="{letters[i]}{row}"{number_style}><v>{number_text}</v></c>')
        append("</row>")
        return "".join(parts)

    def _other(self, letter: str, value: object, kind: str, look: object) -> tuple[str, str | None]:
        """A value of a rarer type (a bool refused, subclasses of int, float, date, datetime)."""
        if isinstance(value, bool):
            raise TypeError(f"column {letter}: write yes/no as text, not {value!r}")
        if isinstance(value, int) and kind == "money":
            return repr(value / 100), MONEY_FORMAT
        if isinstance(value, date):
            if isinstance(value, datetime) and kind == "datetime":
                return excel_serial(value), DATETIME_FORMAT
            return self._day(value), DATE_FORMAT
        if isinstance(value, (int, float)):
            return repr(value), COUNT_FORMAT if isinstance(value, int) and look is not None else None
        raise TypeError(f"column {letter}: cannot write {value!r}")

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

"""The report's rows written as sheet XML: read back by openpyxl exactly as openpyxl would have written them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import to_excel

from campbank.formats.xlsx.cells import RowRenderer, excel_serial
from campbank.formats.xlsx.save import save_workbook
from campbank.formats.xlsx.sheet import MUTED, TOTAL, Column, Sheet

COLUMNS = [Column("Text"), Column("Money", "money"), Column("Count", "count"), Column("Day", "date"),
           Column("At", "datetime")]


def write(tmp_path, rows, streamed=None, count=0, looks=()):  # type: ignore[no-untyped-def]
    workbook = Workbook(write_only=True)
    sheet = Sheet(workbook, "Data", COLUMNS)
    for values, look in rows:
        sheet.row(values, look)
    if streamed is not None:
        sheet.stream(streamed, count, looks)
    sheet.filter_table()
    path = tmp_path / "out.xlsx"
    save_workbook(workbook, path, [sheet])
    return load_workbook(path)["Data"]


def test_values_come_back_typed_and_styled(tmp_path):
    at = datetime(2018, 8, 6, 12, 34, 56, 789000)
    ws = write(tmp_path, [
        (["Ann & <Bob>", -1250, 3, date(2018, 8, 6), at], None),
        (["=1+2", 5, None, None, None], TOTAL),
        (["  padded  ", None, None, None, None], None),
        (["bell\x07 rings", None, None, None, None], MUTED),
    ])
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Text", "Money", "Count", "Day", "At")
    assert rows[1][:4] == ("Ann & <Bob>", -12.5, 3, datetime(2018, 8, 6))
    assert abs(rows[1][4] - at) < timedelta(milliseconds=1)
    assert ws["B2"].number_format == "0.00" and ws["D2"].number_format == "yyyy-mm-dd"
    assert ws["E2"].number_format == "yyyy-mm-dd hh:mm" and ws["C2"].number_format == "General"
    formula = ws["A3"]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ("=1+2", "s", True)
    assert ws["A3"].fill.fgColor.rgb.endswith("D9E1F2") and ws["C3"].fill.fgColor.rgb.endswith("D9E1F2"), \
        "an empty cell of a total row is filled too"
    assert ws["C3"].value is None and ws["B3"].number_format == "0.00"
    assert rows[3][0] == "  padded  " and rows[4][0] == "bell rings"
    assert ws["A5"].font.color.rgb.endswith("808080")
    assert ws["A1"].font.b and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E5"


def test_streamed_rows_follow_the_written_ones(tmp_path):
    ws = write(tmp_path, [(["first", 1, 1, None, None], None)],
               streamed=((["streamed", n, n, None, None], {0: MUTED} if n == 2 else None) for n in range(3)), count=3,
               looks=[MUTED])
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["first", "streamed", "streamed", "streamed"]
    assert ws["A5"].font.color.rgb.endswith("808080") and ws.auto_filter.ref == "A1:E5"


@pytest.mark.parametrize("count", [2, 4])
def test_a_stream_of_another_length_than_announced_is_refused(tmp_path, count):
    rows = ((["x", 1, 1, None, None], None) for _ in range(3))
    with pytest.raises(RuntimeError, match="announced"):
        write(tmp_path, [], streamed=rows, count=count)


def test_a_streamed_look_must_be_announced(tmp_path):
    with pytest.raises(RuntimeError, match="not prepared"):
        write(tmp_path, [], streamed=iter([(["x", 1, 1, None, None], {0: MUTED})]), count=1)


def test_rows_cannot_follow_a_stream(tmp_path):
    sheet = Sheet(Workbook(write_only=True), "Data", COLUMNS)
    sheet.stream(iter(()), 0)
    with pytest.raises(RuntimeError):
        sheet.row(["late"])


def test_yes_and_no_must_be_written_as_text():
    renderer = RowRenderer(["text"], lambda *_: 1)
    with pytest.raises(TypeError, match="column A"):
        renderer.render(2, [True])


@given(st.datetimes(min_value=datetime(1899, 12, 31), max_value=datetime(9999, 12, 31)))
def test_serial_days_are_openpyxls(moment):
    assert excel_serial(moment) == repr(to_excel(moment))
    assert float(excel_serial(moment.date())) == to_excel(moment.date())


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_money_reads_back_to_the_cent(cents):
    text = RowRenderer(["money"], lambda *_: 1).render(2, [cents])
    value = text.split("<v>")[1].split("</v>")[0]
    assert int((Decimal(value) * 100).to_integral_value()) == cents


def test_rows_rendered_beforehand_read_back_as_written(tmp_path):
    """A sheet rendered into a scratch file first (while the sums are read) saves the same rows; the text
    comes back whole even where a piece of the file cuts a Cyrillic letter in two."""
    import io
    import tempfile

    from campbank.formats.xlsx import save

    names = [f"Ж{'ё' * (n % 7)} {n}" for n in range(3 * save.BYTES_PER_READ // 20)]
    workbook = Workbook(write_only=True)
    sheet = Sheet(workbook, "Data", COLUMNS)
    sheet.stream(([[name, n, n, None, None], None] for n, name in enumerate(names)), len(names))
    with tempfile.TemporaryFile() as scratch:
        rendered = save.PreRendered(sheet, scratch)
        text = "".join(rendered.xml_rows())
        assert text.count("<row ") == len(names) + 1 and text.endswith("</row>")
        copied = io.BytesIO()
        rendered.copy_to(copied)
        assert copied.getvalue() == text.encode()
        path = tmp_path / "pre.xlsx"
        save_workbook(workbook, path, [rendered])
    read = load_workbook(path, read_only=True)["Data"]
    values = [row[0] for row in read.iter_rows(min_row=2, values_only=True)]
    assert values == names

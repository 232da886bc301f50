"""The manager's xlsx report, read back with openpyxl: every figure against the ledger, and the habits."""

from __future__ import annotations

import statistics as pystats
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import actor_of, audit_details, query
from openpyxl import load_workbook

from campbank.core.errors import InputError, PermissionDenied
from campbank.formats.xlsx.report import SHEETS, write_report

MONEY_HEADERS = ("Balance", "In pockets", "Earned", "Studies", "Activity", "Sport", "Work", "Certificates")


def cents(value: object) -> int:
    assert isinstance(value, (int, float)), value
    return int((Decimal(str(value)) * 100).to_integral_value())


def table(ws) -> tuple[list[str], list[dict[str, object]]]:  # type: ignore[no-untyped-def]
    """The header and the rows of a sheet's table (up to the first empty row)."""
    rows = ws.iter_rows(values_only=True)
    header = [str(h) for h in next(rows) if h is not None]
    out = []
    for values in rows:
        if all(v is None for v in values):
            break
        out.append(dict(zip(header, values, strict=False)))
    return header, out


def summaries(ws) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """The summary rows below a sheet's table: after its first empty row, up to the next one."""
    header = [str(h) for h in next(ws.iter_rows(values_only=True)) if h is not None]
    out, blanks = [], 0
    for values in ws.iter_rows(min_row=2, values_only=True):
        if all(v is None for v in values):
            blanks += 1
            if blanks == 2:
                break
            continue
        if blanks == 1:
            out.append(dict(zip(header, values, strict=False)))
    return out


def test_summary_rows_stay_outside_the_autofilter(workbook):
    """Sorting or filtering the students never mixes a Sum, Mean, Std dev or Total row among them."""
    book, _ = workbook
    for name in ("Balances", "Study"):
        ws = book[name]
        last = int(ws.auto_filter.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        inside = [ws.cell(row=r, column=2).value for r in range(2, last + 1)]
        assert inside and all(not str(v).startswith(("Sum", "Mean", "Std dev", "Total")) for v in inside), name
        assert all(ws.cell(row=r, column=3).value for r in range(2, last + 1)), name  # a username on each
        assert summaries(ws), name


@pytest.fixture
def workbook(market, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "report.xlsx"
    written = write_report(market.db, market.manager, path)
    assert written.path == path
    return load_workbook(path), written


def test_sheets_and_spreadsheet_habits(workbook):
    book, _ = workbook
    assert book.sheetnames == list(SHEETS)
    for name in ("Balances", "Study", "Transactions", "Staff", "Season"):
        ws = book[name]
        assert ws.freeze_panes == "A2", name
        header = ws[1]
        assert all(cell.font.b for cell in header if cell.value is not None), name
        assert all(cell.fill.fgColor.rgb.endswith("305496") for cell in header if cell.value is not None), name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), name
        assert all(ws.column_dimensions[c.column_letter].width >= 6 for c in header), name
    balances = book["Balances"]
    assert balances.auto_filter.ref == f"A1:M{len(table(balances)[1]) + 1}"
    money_columns = [i for i, c in enumerate(balances[1]) if c.value in MONEY_HEADERS]
    for row in balances.iter_rows(min_row=2, max_row=len(table(balances)[1]) + 1):
        for i in money_columns:
            assert row[i].number_format == "0.00"
    transactions = book["Transactions"]
    assert transactions["G2"].number_format == "0.00"
    assert transactions["B2"].number_format.startswith("yyyy-mm-dd")
    assert len(book["Statistics"]._charts) >= 2, "a bar chart of balances, and more"


def test_balances_sheet_agrees_with_the_ledger(workbook, market):
    book, written = workbook
    _, rows = table(book["Balances"])
    raw = {u: (s, b) for u, s, b in query(market.path, "SELECT username, squad, balance FROM account "
                                                       "WHERE role = 'student' AND active = 1")}
    students = [r for r in rows if r["Username"]]
    assert written.students == len(students) == len(raw)
    for row in students:
        squad, balance = raw[row["Username"]]
        assert (row["Squad"], cents(row["Balance"])) == (squad, balance)
    by_name = {r["Username"]: r for r in students}
    assert (cents(by_name["s1"]["Work"]), cents(by_name["s1"]["Activity"]), cents(by_name["s1"]["Studies"])) == (
        300, 1000, 1500)
    assert cents(by_name["obrien"]["Work"]) == 400 and by_name["obrien"]["Student"] == 'O"Brien, Jr. Ann Мария'
    earned = dict(query(market.path, """SELECT a.username, SUM(m.amount) FROM money_entry m
        JOIN txn t ON t.id = m.transaction_id JOIN account a ON a.id = m.receiver_id
        WHERE t.state = 'processed' AND m.amount > 0 GROUP BY a.username"""))
    assert all(cents(r["Earned"]) == earned[r["Username"]] for r in students)
    assert (by_name["s2"]["Status"], by_name["s4"]["Status"]) == ("danger", "warning")
    # every squad's Sum / Mean / Std dev, then the whole camp's
    for squad in ("Squad 1", "Squad 2", "Squad 3", "Squad 4", "All squads"):
        values = [b for s, b in raw.values() if squad in (s, "All squads")]
        footer = {r["Student"].split(" (")[0]: r for r in summaries(book["Balances"]) if r["Squad"] == squad}
        assert footer["Sum"]["Student"] == f"Sum ({len(values)} students)"
        assert cents(footer["Sum"]["Balance"]) == sum(values), squad
        assert cents(footer["Mean"]["Balance"]) == round(pystats.mean(values)), squad
        assert cents(footer["Std dev"]["Balance"]) == round(pystats.pstdev(values)), squad
        assert footer["Sum"]["Username"] is None and footer["Sum"].get("Grade") is None
    assert all(r["Username"] for r in rows)  # the table holds students only
    last = summaries(book["Balances"])[-1]
    assert last["Squad"] == "All squads" and last["Student"] == "Std dev"


def test_danger_and_warning_rows_are_filled(workbook):
    book, _ = workbook
    ws = book["Balances"]
    fills = {row[2].value: row[4].fill.fgColor.rgb for row in ws.iter_rows(min_row=2) if row[2].value}
    assert fills["s2"].endswith("FFC7CE") and fills["s4"].endswith("FFEB9C")
    assert fills["s1"] in ("00000000", None) or not fills["s1"].endswith(("FFC7CE", "FFEB9C"))


def test_study_sheet(workbook, market):
    book, _ = workbook
    _, rows = table(book["Study"])
    by_name = {r["Username"]: r for r in rows if r["Username"]}
    assert len(by_name) == 8
    assert (by_name["petrov"]["Facultatives"], cents(by_name["petrov"]["Expected fine"])) == (1, 123500)
    assert (by_name["s1"]["Labs"], by_name["s3"]["Labs"]) == (1, 1)
    totals = {r["Squad"]: r for r in summaries(book["Study"]) if str(r["Student"]).startswith("Total (")}
    assert totals["All squads"]["Labs"] == 2 and totals["All squads"]["Facultatives"] == 3
    assert cents(totals["All squads"]["Expected fine"]) == sum(cents(r["Expected fine"]) for r in by_name.values())


def test_transactions_sheet_has_every_transaction(workbook, market):
    book, written = workbook
    _, rows = table(book["Transactions"])
    raw = dict(query(market.path, """SELECT t.id, COALESCE(SUM(m.amount), 0) FROM txn t
        LEFT JOIN money_entry m ON m.transaction_id = t.id GROUP BY t.id"""))
    assert book["Transactions"].max_row - 1 == len(rows) == len(raw) == written.transactions
    assert {r["ID"]: cents(r["Amount"]) for r in rows} == raw
    by_id = {r["ID"]: r for r in rows}
    reward = by_id[market.ids["reward"]]
    assert (reward["Creator"], reward["Type"], reward["State"], reward["Recipients"]) == ("t1", "general_money",
                                                                                          "processed", 2)
    assert reward["Recipient names"] == "Student01 Ann; Student02 Ann"
    assert by_id[market.ids["cancelled"]]["State"] == "declined"
    assert book["Transactions"].auto_filter.ref == f"A1:K{len(rows) + 1}"


def test_staff_and_season_sheets(workbook, market):
    book, _ = workbook
    _, rows = table(book["Staff"])
    raw = dict(query(market.path, "SELECT username, balance FROM account WHERE role IN ('staff', 'manager')"))
    assert {r["Username"]: cents(r["Balance"]) for r in rows} == raw, "staff, managers and the bank"
    assert all(cents(r["Net issued"]) == -cents(r["Balance"]) for r in rows)
    season = {r["Setting"]: r["Value"] for r in table(book["Season"])[1]}
    assert season["Initial grant"] == 120 and season["Danger level"] == 0 and season["Warning level"] == 30
    assert season["Made by"] == "manager" and season["Tax, day 2"] == 5
    stats = {row[0].value: row[1].value for row in book["Statistics"].iter_rows(min_row=3, max_row=14)}
    students = [b for (b,) in query(market.path, "SELECT balance FROM account WHERE role = 'student'")]
    assert stats["Students"] == 8 and cents(stats["Total money"]) == sum(students)
    assert (stats["In danger"], stats["In warning"], stats["Pending transfers"]) == (1, 1, 1)


def test_formula_looking_text_stays_text(market, tmp_path):
    # Names starting with = + @ are refused at import; an older database might still hold one.
    from helpers import raw

    connection = raw(market.path)
    connection.execute("""UPDATE account SET last_name = '=HYPERLINK("http://example.com","x")' """
                       "WHERE username = 'petrov'")
    connection.close()
    path = tmp_path / "report.xlsx"
    write_report(market.db, market.manager, path)
    book = load_workbook(path)
    cells = [c for row in book["Balances"].iter_rows() for c in row if isinstance(c.value, str)]
    hyperlink = [c for c in cells if c.value.startswith("=HYPERLINK")]
    assert hyperlink and all(c.data_type == "s" for c in hyperlink)
    assert any(c.value == "-2+3 Bob" and c.data_type == "s" for c in cells)
    description = [c for row in book["Transactions"].iter_rows() for c in row if c.value == "=1+2"]
    assert description and description[0].data_type == "s"
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


def test_the_export_is_audited_and_leaves_no_temporary_file(market, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "report.xlsx"
    path.write_bytes(b"an older report")
    write_report(market.db, market.manager, path, force=True)
    assert [p.name for p in folder.iterdir()] == ["report.xlsx"]
    assert load_workbook(path).sheetnames == list(SHEETS)
    (detail,) = audit_details(market.db, "export.xlsx")
    assert detail["transactions"] == query(market.path, "SELECT COUNT(*) FROM txn")[0][0]
    assert query(market.path, "SELECT target FROM audit_log WHERE action = 'export.xlsx'") == [(str(path),)]


def test_a_camp_without_students(db, tmp_path):
    path = tmp_path / "empty.xlsx"
    written = write_report(db, actor_of(db, "manager"), path, progress=lambda done, total: None)
    assert written.students == 0
    book = load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    assert table(book["Balances"])[1] == []
    rows = summaries(book["Balances"])
    assert [r["Student"] for r in rows] == ["Sum (0 students)", "Mean", "Std dev"]
    assert cents(rows[0]["Balance"]) == 0 and rows[1]["Balance"] is None
    assert book["Transactions"].max_row - 1 == query(db.path, "SELECT COUNT(*) FROM txn")[0][0]


def test_progress_is_reported(market, tmp_path):
    seen: list[tuple[int, int]] = []
    write_report(market.db, market.manager, tmp_path / "r.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] and len(seen) > 3


@pytest.mark.parametrize("who", ["t1", "s1"])
def test_only_managers_export_the_workbook(market, tmp_path, who):
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(PermissionDenied):
        write_report(market.db, market.actor(who), folder / "report.xlsx")
    assert list(folder.iterdir()) == []
    assert audit_details(market.db, "export.xlsx") == []


def test_a_bad_target_is_refused_before_any_work(market, tmp_path: Path):
    with pytest.raises(InputError):
        write_report(market.db, market.manager, tmp_path / "no-such-folder" / "r.xlsx")
    with pytest.raises(InputError):
        write_report(market.db, market.manager, tmp_path)

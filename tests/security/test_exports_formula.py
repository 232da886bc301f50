"""One formula guard for every export: a CSV cell, a cell of the xlsx report and of the credentials workbook
that a spreadsheet would run (=, +, -, @, a tab or a CR first, also after spaces) is neutralised the same way;
numbers stay numbers; JSON keeps values exact."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from camps import hostile_season
from helpers import fine, money
from openpyxl import load_workbook

from campbank.core.text import looks_like_formula
from campbank.formats.credentials import write_credentials
from campbank.formats.exports import balances_csv, balances_json, csv_cell, entries_csv, entries_json
from campbank.formats.xlsx.report import write_report
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.users import add_user
from campbank.ledger.season import in_force

SQUAD = '=HYPERLINK("http://evil.example/","Squad 5")'
FORMULAS = ('=1+2', '+1', '@SUM(A1)', '-2+3', '  =HYPERLINK("x")')


@pytest.fixture
def formula_camp(hostile_camp):  # type: ignore[no-untyped-def]
    """The hostile camp with a formula-looking squad (a season may name squads so), a student in it, and
    transactions whose descriptions look like formulas."""
    camp = hostile_camp
    season = re.sub(r"^squads = .*$", lambda _m: f'squads = ["Squad 1", "Squad 2", "Squad 3", "Squad 4", '
                    f'"{SQUAD.replace(chr(34), chr(92) + chr(34))}"]', hostile_season(), flags=re.MULTILINE)
    in_force.load(camp.db, camp.manager, season, "formula.toml")
    add_user(camp.db, camp.manager, last_name="Formula", first_name="Fedor", role="student", squad=SQUAD, grade=7,
             username="formula.f", password="student-pass-1")
    for text in FORMULAS:
        post(camp.db, camp.actor("t1"), money({"formula.f": "1"}, description=text))
    post(camp.db, camp.actor("t1"), fine({"formula.f": "5"}, description="noise"))
    return camp


def test_the_balances_csv_neutralises_a_formula_looking_squad(formula_camp) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(balances_csv(formula_camp.db, formula_camp.manager))))
    fedor = next(r for r in rows if r["username"] == "formula.f")
    assert fedor["squad"] == "'" + SQUAD
    assert fedor["balance"] == "120.00"  # numbers stay numbers (-5 + 5 x 1)
    record = next(r for r in json.loads(balances_json(formula_camp.db, formula_camp.manager))
                  if r["username"] == "formula.f")
    assert record["squad"] == SQUAD  # JSON is exact, for programs


def test_every_cell_of_the_entry_exports_goes_through_the_guard(formula_camp) -> None:  # type: ignore[no-untyped-def]
    text = "".join(entries_csv(formula_camp.db, formula_camp.manager, "money"))
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    for row in rows:
        for name, cell in row.items():
            assert not looks_like_formula(cell), (name, cell)  # nothing a spreadsheet would run
    fedor = [r for r in rows if r["receiver_username"] == "formula.f"]
    assert {r["description"] for r in fedor} >= {"'=1+2", "'+1", "'@SUM(A1)", "'-2+3", "'=HYPERLINK(\"x\")"}
    assert {r["receiver_squad"] for r in fedor} == {"'" + SQUAD}
    assert "-5.00" in {r["amount"] for r in fedor}  # a negative amount is a number, not a formula
    records = json.loads("".join(entries_json(formula_camp.db, formula_camp.manager, "money")))
    assert {r["receiver_squad"] for r in records if r["receiver_username"] == "formula.f"} == {SQUAD}


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+2", "'=1+2"), ("  =1", "'  =1"), ("\t=1", "'␉=1"), ("\r=1", "'␍=1"), ("+1", "'+1"), ("@A1", "'@A1"),
    ("-2+3", "'-2+3"), ("-5.00", "-5.00"), ("12", "12"), ("Squad 1", "Squad 1"), (-500, -500), (None, ""),
    (True, "yes"), ("hi \x1b]0;x\x07", "hi ␛]0;x␇"),
])
def test_one_csv_cell(cell: object, written: object) -> None:
    assert csv_cell(cell) == written


def test_the_xlsx_report_keeps_formula_looking_text_as_quoted_text(formula_camp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "report.xlsx"
    write_report(formula_camp.db, formula_camp.manager, path)
    book = load_workbook(path)
    risky = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and looks_like_formula(c.value)]
    assert {SQUAD, "=1+2", "+1", "@SUM(A1)", "-2+3"} <= {c.value.strip() for c in risky}
    assert all(c.data_type == "s" and c.quotePrefix for c in risky), [c.value for c in risky if not c.quotePrefix]
    amounts = [c.value for c in book["Transactions"]["G"] if isinstance(c.value, (int, float))]
    assert -5 in amounts or -5.0 in amounts  # numbers stay numbers
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(re.search(rb"<f[ >]", archive.read(n)) for n in sheets)


def test_the_credentials_workbook_uses_the_same_guard(tmp_path: Path) -> None:
    path = tmp_path / "credentials.xlsx"
    write_credentials(path, [("  =HYPERLINK(\"x\")", SQUAD, "ivanov.k", "-Pass123"), ("Ivanov", "Squad 1", "u", "p")])
    sheet = load_workbook(path).active
    cells = {c.value: c for row in sheet.iter_rows(min_row=2) for c in row if c.value}
    for value in ('  =HYPERLINK("x")', SQUAD, "-Pass123"):
        assert cells[value].data_type == "s" and cells[value].quotePrefix, value
    assert not cells["Ivanov"].quotePrefix

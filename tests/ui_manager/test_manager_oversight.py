"""The audit log, staff balances with each one's history, exports, and the staff-visible reports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from helpers import query
from manager_pilot import Seeded, notices, open_section, run, settle, sign_in
from openpyxl import load_workbook
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from campbank.app import CampBankApp
from campbank.screens.manager.account_history import AccountHistoryScreen
from campbank.screens.manager.transaction_detail import TransactionDetailScreen
from campbank.screens.staff.statistics import StatisticsPane
from campbank.widgets.ask import Told
from campbank.widgets.charts import BarRows, ColumnChart
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.vim_table import VimTable


def test_the_audit_log_is_newest_first_and_filters_by_action(seeded: Seeded) -> None:
    newest = query(seeded.db.path, "SELECT MAX(id) FROM audit_log")[0][0]

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "audit")
        table = pilot.app.screen.query_one("#audit-table", VimTable)
        ids = [int(str(k.value)) for k in table.rows]
        assert ids == sorted(ids, reverse=True) and ids[0] > newest  # the sign-in itself is there
        box = pilot.app.screen.query_one("#audit-prefix", Input)
        box.value = "user."
        box.focus()
        await pilot.press("enter")
        await settle(pilot)
        actions = [str(a) for a in table.get_column_at(3)]
        assert actions and all(a.startswith("user.") for a in actions)
        await pilot.press("enter")  # the table has focus: the row's detail
        await pilot.pause()
        assert isinstance(pilot.app.screen, Told)

    run(CampBankApp(seeded.db), script)


def test_staff_balances_show_net_issued_and_enter_opens_the_history(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "staff-balances")
        table = pilot.app.screen.query_one("#staff-table", VimTable)
        assert str(table.get_row("t1")[3]) == "15.00@"  # issued 10 + 5
        assert str(table.get_row("t2")[3]) == "7.00@"
        table.focus()
        table.move_cursor(row=table.get_row_index("t1"))
        await pilot.press("enter")
        await settle(pilot)
        history = pilot.app.screen
        assert isinstance(history, AccountHistoryScreen)
        lines = history.query_one("#history-table", VimTable)
        assert lines.row_count == 2  # one money entry each to s1 and s2
        with_column = [str(column.label) for column in lines.columns.values()].index("With")
        receivers = sorted(str(lines.get_row_at(row)[with_column]) for row in range(lines.row_count))
        assert receivers == ["Student01 Ann", "Student02 Ann"]  # who received each entry
        assert "-15.00@" in str(history.query_one("#history-head", Static).render())
        lines.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TransactionDetailScreen)
        assert pilot.app.screen.transaction_id == seeded.by_t1

    run(CampBankApp(seeded.db), script)


def test_the_xlsx_report_and_a_raw_export_are_written(seeded: Seeded, tmp_path: Path) -> None:
    report, raw = tmp_path / "report.xlsx", tmp_path / "money.json"

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "export")
        screen = pilot.app.screen
        screen.query_one("#xlsx-path", Input).value = str(report)
        await pilot.click("#xlsx-write")
        await settle(pilot)
        assert "Wrote" in str(screen.query_one("#export-message", Static).render())
        screen.query_one("#raw-format", Select).value = "json"
        await pilot.pause()
        assert screen.query_one("#raw-path", Input).value.endswith(".json")
        screen.query_one("#raw-path", Input).value = str(raw)
        await pilot.click("#raw-write")
        await settle(pilot)
        entries = query(seeded.db.path, "SELECT COUNT(*) FROM money_entry")[0][0]
        assert f"{entries} money rows" in str(screen.query_one("#export-message", Static).render())

        screen.query_one("#raw-path", Input).value = str(tmp_path / "no-such-folder" / "x.csv")
        await pilot.click("#raw-write")
        await settle(pilot)
        assert "does not exist" in str(screen.query_one("#export-message", Static).render())

    run(CampBankApp(seeded.db), script)
    assert "Transactions" in load_workbook(report, read_only=True).sheetnames
    rows = json.loads(raw.read_text(encoding="utf-8"))
    assert len(rows) == query(seeded.db.path, "SELECT COUNT(*) FROM money_entry")[0][0]
    assert {"export.xlsx", "export.money"} <= {a for (a,) in query(seeded.db.path, "SELECT action FROM audit_log")}


def test_a_balances_csv_export(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "balances.csv"

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "export")
        screen = pilot.app.screen
        screen.query_one("#raw-kind", Select).value = "balances"
        await pilot.pause()
        screen.query_one("#raw-path", Input).value = str(out)
        await pilot.click("#raw-write")
        await settle(pilot)

    run(CampBankApp(seeded.db), script)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert {r["username"] for r in rows} == set(seeded.camp.students)


def test_statistics_and_squad_reports_for_a_manager(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "statistics")
        screen = pilot.app.screen
        stats = screen.query_one(StatisticsPane).statistics
        assert stats is not None and stats.students == len(seeded.camp.students)
        assert screen.query_one("#stats-histogram", BarRows).bars
        assert screen.query_one("#stats-supply", ColumnChart).values
        await open_section(pilot, "reports")
        balances = screen.query_one("#balance-table", VimTable)
        students = len(seeded.camp.students)
        squads = 4
        assert balances.row_count == students + 3 * squads + 3  # footers: sum, mean, std dev
        screen.query_one("#reports-squad", Select).value = "Squad 1"
        await settle(pilot)
        assert balances.row_count == 2 + 3  # s1 and s5, and the squad's footer
        study = screen.query_one("#study-table", VimTable)
        assert study.row_count == 2 + 1
        assert not [n for n in notices(pilot) if "Unexpected" in n]

    run(CampBankApp(seeded.db), script)


def test_an_existing_file_is_replaced_only_when_the_manager_says_so(seeded: Seeded, tmp_path: Path) -> None:
    out = tmp_path / "balances.csv"
    out.write_text("last year's balances\n", encoding="utf-8")
    live = seeded.db.path

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "export")
        screen = pilot.app.screen
        screen.query_one("#raw-kind", Select).value = "balances"
        await pilot.pause()
        screen.query_one("#raw-path", Input).value = str(out)
        await pilot.click("#raw-write")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("escape")  # keep it
        await settle(pilot)
        assert out.read_text(encoding="utf-8") == "last year's balances\n"
        assert "already exists" in str(screen.query_one("#export-message", Static).render())
        await pilot.click("#raw-write")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("enter")  # replace it
        await settle(pilot)
        assert "Wrote" in str(screen.query_one("#export-message", Static).render())
        # the camp's own database is never offered for replacing: it is refused outright
        screen.query_one("#raw-path", Input).value = str(live)
        await pilot.click("#raw-write")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ConfirmDialog)
        assert "is a database" in str(screen.query_one("#export-message", Static).render())

    before = live.read_bytes()[:16]
    run(CampBankApp(seeded.db), script)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert {r["username"] for r in rows} == set(seeded.camp.students)
    assert live.read_bytes()[:16] == before == b"SQLite format 3\x00"

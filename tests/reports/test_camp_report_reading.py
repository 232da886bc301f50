"""The camp report read beside the xlsx writer: in a thread for a small camp, in a process of its own for a
big one. Both give the same report and the same workbook; the process hands back the error that stopped it,
and one that dies is reported, not waited for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from campbank.core.errors import CampBankError, PermissionDenied
from campbank.formats.xlsx.report import write_report
from campbank.ledger import clock
from campbank.ledger.views import camp_report_reading
from campbank.ledger.views.camp_report_reading import Reading

MOMENT = datetime(2018, 8, 16, 20, 0, tzinfo=UTC)


@pytest.fixture
def in_a_process(monkeypatch):  # type: ignore[no-untyped-def]
    """Every camp counts as big: the report is read in a process of its own."""
    monkeypatch.setattr(camp_report_reading, "PROCESS_FROM", 0)


def read(db, actor):  # type: ignore[no-untyped-def]
    with clock.fixed_at(MOMENT), Reading(db, actor) as reading:
        return reading.extent(), reading.report()


def test_a_small_camp_is_read_in_a_thread_and_a_big_one_in_a_process(market, monkeypatch):
    with Reading(market.db, market.manager) as reading:
        assert type(reading._elsewhere).__name__ == "_InThread"
        reading.report()
    monkeypatch.setattr(camp_report_reading, "PROCESS_FROM", 1)
    with Reading(market.db, market.manager) as reading:
        assert type(reading._elsewhere).__name__ == "_InProcess"
        reading.report()


def test_the_process_reads_what_the_thread_reads(market, monkeypatch):
    in_thread = read(market.db, market.manager)
    monkeypatch.setattr(camp_report_reading, "PROCESS_FROM", 0)
    in_process = read(market.db, market.manager)
    assert in_process == in_thread
    assert in_process[1].made_at == MOMENT  # the fixed clock went with the order


def test_the_workbook_is_the_same_whichever_reads(market, monkeypatch, tmp_path):
    with clock.fixed_at(MOMENT):
        write_report(market.db, market.manager, tmp_path / "thread.xlsx")
        monkeypatch.setattr(camp_report_reading, "PROCESS_FROM", 0)
        write_report(market.db, market.manager, tmp_path / "process.xlsx")
    thread, process = load_workbook(tmp_path / "thread.xlsx"), load_workbook(tmp_path / "process.xlsx")
    assert process.sheetnames == thread.sheetnames
    for name in thread.sheetnames:
        assert cells(process[name]) == cells(thread[name]), name


def cells(sheet):  # type: ignore[no-untyped-def]
    """A sheet's values; the chain head on the first sheet moves on with the first export's audit row."""
    return [tuple("HEAD" if str(v).startswith("Hash chain head") else v for v in row) for row in sheet.values]


def refusal(market):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied) as refused, Reading(market.db, market.actor("s1")) as reading:
        reading.extent()
    return refused.value


def test_the_process_hands_back_the_error_that_stopped_it(market, monkeypatch, tmp_path):
    in_thread = refusal(market)
    monkeypatch.setattr(camp_report_reading, "PROCESS_FROM", 0)
    in_process = refusal(market)
    assert (str(in_process), in_process.field) == (str(in_thread), in_thread.field)
    assert str(in_process) == "a student may not export reports"
    with pytest.raises(PermissionDenied):
        write_report(market.db, market.actor("t1"), tmp_path / "report.xlsx")
    assert not (tmp_path / "report.xlsx").exists()


@pytest.mark.usefixtures("in_a_process")
def test_a_reading_process_that_dies_is_reported(market):
    with Reading(market.db, market.manager) as reading:
        reading._elsewhere._process.kill()  # type: ignore[union-attr]
        with pytest.raises(CampBankError, match="stopped before it was done"):
            reading.extent()
            reading.report()  # the extent may have been on its way already: the report never is

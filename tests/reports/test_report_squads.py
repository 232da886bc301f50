"""The balance report and the study report, per squad, against the raw ledger."""

from __future__ import annotations

import statistics as pystats

import pytest
from helpers import actor_of, query

from campbank.core.errors import PermissionDenied
from campbank.ledger.actions.posting import post
from campbank.ledger.season.in_force import current
from campbank.ledger.views.balance_report import MONEY_COLUMNS, balance_report
from campbank.ledger.views.study_report import COUNT_COLUMNS, study_report

COUNTER_OF = {"labs": "lab_pass", "facultatives": "fac_attend", "fac_passes": "fac_pass",
              "seminars_attended": "seminar_attend", "seminars_given": "seminar_pass",
              "lectures_attended": "lecture_attend", "lectures_missed": "lecture_miss"}


def report(camp, maker, who: str = "manager"):  # type: ignore[no-untyped-def]
    return maker(camp.db, camp.actor(who))


def raw_students(path) -> dict[str, tuple[str | None, int]]:  # type: ignore[no-untyped-def]
    return {u: (s, b) for u, s, b in query(path, "SELECT username, squad, balance FROM account "
                                                 "WHERE role = 'student' AND active = 1")}


def expected_summary(values: list[int]) -> tuple[int, int, int]:
    return sum(values), round(pystats.mean(values)), round(pystats.pstdev(values))


def test_balance_report_lines_agree_with_the_ledger(market):
    post(market.db, market.manager, {"type": "certificate", "date": "2018-08-10", "certificates": ["s3"]})
    result = report(market, balance_report)
    with market.db.session() as session:
        season = current(session)
    students = raw_students(market.path)
    assert sorted(line.username for line in result.lines) == sorted(students)
    assert [s.squad for s in result.squads] == ["Squad 1", "Squad 2", "Squad 3", "Squad 4"]
    earned: dict[tuple[str, str], int] = {}
    for username, money_type, amount in query(market.path, """
            SELECT a.username, m.money_type, m.amount FROM money_entry m JOIN txn t ON t.id = m.transaction_id
              JOIN account a ON a.id = m.receiver_id WHERE t.state = 'processed' AND m.amount > 0"""):
        for key in ((username, "earned"), (username, season.group_of(money_type))):
            earned[key] = earned.get(key, 0) + amount
    certificates = dict(query(market.path, """SELECT a.username, c.total FROM counter_total c
        JOIN account a ON a.id = c.account_id WHERE c.counter_type = 'book_certificate'"""))
    for section in result.squads:
        names = [line.full_name.casefold() for line in section.lines]
        assert names == sorted(names), "by surname within a squad"
        for line in section.lines:
            assert line.squad == section.squad == students[line.username][0]
            assert line.balance == students[line.username][1]
            assert line.earned == earned.get((line.username, "earned"), 0)
            for group in ("studies", "activity", "sport", "work"):
                assert line.money(group) == earned.get((line.username, group), 0), (line.username, group)
            assert line.certificates == certificates.get(line.username, 0)
    by_name = {line.username: line for line in result.lines}
    assert by_name["s3"].certificates > 0
    assert by_name["s2"].flag == "danger" and by_name["s4"].flag == "warning"
    assert {line.flag for name, line in by_name.items() if name not in ("s2", "s4")} == {""}
    assert by_name["s1"].work == 300 and by_name["s1"].activity == 1000 and by_name["obrien"].work == 400
    assert by_name["s1"].studies == 1500 and by_name["s3"].studies == 2000 + 1200


def test_balance_report_footers(market):
    result = report(market, balance_report)
    students = raw_students(market.path)
    for section in result.squads:
        values = [b for s, b in students.values() if s == section.squad]
        footer = section.footer["balance"]
        assert (footer.total, footer.mean, footer.std_dev) == expected_summary(values)
        assert footer.count == len(section.lines)
        for column in MONEY_COLUMNS:
            assert section.footer[column].total == sum(line.money(column) for line in section.lines)
    overall = result.footer["balance"]
    assert (overall.total, overall.mean, overall.std_dev) == expected_summary([b for _, b in students.values()])


def test_study_report_counts_and_expected_fines(market):
    result = report(market, study_report)
    totals: dict[tuple[str, str], int] = {(u, c): t for u, c, t in query(market.path, """
        SELECT a.username, c.counter_type, c.total FROM counter_total c JOIN account a ON a.id = c.account_id""")}
    assert len(result.lines) == 8
    for line in result.lines:
        for column in COUNT_COLUMNS:
            assert line.count(column) == totals.get((line.username, COUNTER_OF[column]), 0), (line.username, column)
    by_name = {line.username: line for line in result.lines}
    # petrov, grade 10: one facultative. Seminar 100 + 17 missing visits Σ(15 + 5i) = 935 + 2 labs × 50
    # + 1 fac pass × 100 = 1235.00
    assert (by_name["petrov"].facultatives, by_name["petrov"].expected_fine) == (1, 123500)
    # s1, grade 7: a lab and a facultative. 100 + Σ_{i<17} = 935 + 2 labs × 50 (target 3) + no fac pass = 1135.00
    assert (by_name["s1"].labs, by_name["s1"].expected_fine) == (1, 113500)
    for section in result.squads:
        assert section.totals.expected_fine == sum(line.expected_fine for line in section.lines)
        assert section.totals.counts["labs"] == sum(line.labs for line in section.lines)
    assert result.totals.incomplete == 8 and result.totals.students == 8


def test_reports_of_an_empty_camp(db):
    manager = actor_of(db, "manager")
    balances, study = balance_report(db, manager), study_report(db, manager)
    assert balances.squads == () and balances.footer["balance"].total == 0
    assert balances.footer["balance"].mean is None
    assert study.squads == () and study.totals.students == 0


@pytest.mark.parametrize("maker", [balance_report, study_report])
def test_staff_see_squad_reports_students_do_not(market, maker):
    assert report(market, maker, "t1").lines
    with pytest.raises(PermissionDenied):
        report(market, maker, "s1")

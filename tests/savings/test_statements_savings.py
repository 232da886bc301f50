"""Statements in a season with savings and credit: the student's pockets at the closing date, their open
loan, and a closing line that says main + pockets = total, as the student's own screen does; the
verification code covers the pockets too."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import date

import pytest
from helpers import GRANT, fine, query
from savings_support import night, pockets_of, total_of

from campbank.formats.statements.writer import write_statements
from campbank.ledger.actions import loans, pockets
from campbank.ledger.actions.posting import post
from campbank.ledger.store.queries import statements as queries
from campbank.ledger.views.accounts import account_balance
from campbank.ledger.views.savings import savings_card
from campbank.ledger.views.statement_code import make_code
from campbank.ledger.views.statements import Selection, check_code, rows_digest, statements

LAST = date(2018, 8, 26)  # the savings season's last day, long over


def statement_of(camp, username: str = "s1", **period):  # type: ignore[no-untyped-def]
    [one] = list(statements(camp.db, camp.manager, Selection(usernames=(username,)), **period))
    return one


@pytest.fixture
def saver(savings):  # type: ignore[no-untyped-def]
    """s1 with a savings and a goal pocket, a loan of 100@ in 3 granted on the 7th, and the nights of the
    7th and 8th run (tax, interest, the first instalment)."""
    s1 = savings.actor("s1")
    pockets.open_pocket(savings.db, s1, "savings")
    pockets.open_pocket(savings.db, s1, "goal", "Bike", target="50")
    pockets.move(savings.db, s1, "main", "savings", "40", date="2018-08-07")
    pockets.move(savings.db, s1, "savings", "Bike", "15.50", date="2018-08-07")
    loans.grant(savings.db, savings.actor("t1"), "s1", "100", 3, date="2018-08-07")
    night(savings, "2018-08-07")
    night(savings, "2018-08-08")
    return savings


def test_the_statement_shows_each_pocket_and_the_open_loan_as_the_students_screen_does(saver):
    st = statement_of(saver)
    assert st.last_day == LAST
    raw = pockets_of(saver.path, "s1")
    assert [(p.name, p.kind, p.balance) for p in st.pockets] == [
        ("savings", "savings", raw["savings"]), ("Bike", "goal", 1_550)]
    assert raw["savings"] > 2_450  # interest of the 7th and 8th
    assert st.total == st.closing + sum(raw.values()) == total_of(saver.path, "s1")
    screen = account_balance(saver.db, saver.actor("s1"), "s1")
    card = savings_card(saver.db, saver.actor("s1"), "s1")
    assert (st.closing, st.saved, st.total) == (screen.main, screen.saved, screen.balance)
    assert st.loan is not None and card.open_loan is not None
    assert (st.loan.id, st.loan.outstanding) == (card.open_loan.loan.id, card.open_loan.loan.outstanding) == (
        card.open_loan.loan.id, 11_000 - 3_667)
    assert st.loan.instalments_left == sum(1 for line in card.open_loan.lines if line.status == "due") == 2
    # main → savings is a line; savings → Bike leaves main as it was and is none
    assert [(line.description, line.amount) for line in st.lines if line.type == "Pocket move"] == [
        ("main → savings", -4_000)]
    assert st.lines[-1].balance == st.closing
    checked = check_code(saver.db, saver.manager, st.code)
    assert checked.ok and (checked.closing, checked.total) == (st.closing, st.total)


def test_pockets_and_the_loan_stand_as_they_did_on_the_closing_date(saver):
    before = statement_of(saver, last_day=date(2018, 8, 6))  # before any pocket or loan
    assert before.pockets == () or all(p.balance == 0 for p in before.pockets)
    assert before.loan is None and before.total == before.closing
    granted = statement_of(saver, last_day=date(2018, 8, 7))  # the loan's day: nothing charged yet
    assert granted.loan is not None
    assert (granted.loan.outstanding, granted.loan.instalments_left) == (11_000, 3)
    bike = {p.name: p.balance for p in granted.pockets}["Bike"]
    assert bike == 1_550


def test_a_paid_loan_is_not_shown(saver):
    for day in ("2018-08-09", "2018-08-10"):
        night(saver, day)
    assert statement_of(saver).loan is None
    assert statement_of(saver, last_day=date(2018, 8, 9)).loan.instalments_left == 1  # type: ignore[union-attr]


@pytest.mark.parametrize("change", ["between pockets", "interest", "main"])
def test_the_code_covers_the_pockets(saver, change):
    code = statement_of(saver).code
    assert check_code(saver.db, saver.manager, code).ok
    s1 = saver.actor("s1")
    if change == "between pockets":  # main is untouched: only the pockets change
        pockets.move(saver.db, s1, "savings", "Bike", "1", date="2018-08-12")
    elif change == "interest":
        night(saver, "2018-08-09")
    else:
        post(saver.db, saver.actor("t1"), fine({"s1": "1"}, date="2018-08-12"))
    assert not check_code(saver.db, saver.manager, code).ok
    assert check_code(saver.db, saver.manager, statement_of(saver).code).ok


def test_a_goal_closed_before_the_closing_date_is_not_shown(saver):
    s1 = saver.actor("s1")
    pockets.move(saver.db, s1, "Bike", "main", "15.50", date="2018-08-09")
    pockets.close_pocket(saver.db, s1, "Bike")
    st = statement_of(saver)
    assert [p.name for p in st.pockets] == ["savings"]
    assert st.total == total_of(saver.path, "s1")


def test_a_student_without_pockets_has_a_plain_closing_line(saver):
    st = statement_of(saver, "s2")
    assert st.pockets == () and st.loan is None and st.total == st.closing == GRANT - 2 * 2_000


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_pdf_says_main_plus_pockets_equals_the_total(saver, tmp_path):
    target = tmp_path / "s1.pdf"
    write_statements(saver.db, saver.manager, ["s1"], target)
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], check=True, capture_output=True,
                          text=True).stdout
    st = statement_of(saver)

    def sign(cents: int) -> str:
        return f"{cents // 100}.{cents % 100:02d}@"

    assert (f"Closing balance on {LAST}: main {sign(st.closing)} + pockets {sign(st.saved)} = "
            f"{sign(st.total)}") in text
    assert "Bike" in text and "target 50.00@" in text and sign(1_550) in text
    assert f"Loan #{st.loan.id}" in text and "73.33@ outstanding" in text and "2 instalments left" in text


@pytest.mark.sqlite_only("it edits the camp's SQLite file by hand")
def test_a_change_to_a_pocket_alone_breaks_the_code(saver):
    code = statement_of(saver).code
    bike = query(saver.path, "SELECT account_id FROM pocket WHERE name = 'Bike'")[0][0]
    connection = sqlite3.connect(saver.path)
    triggers = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                  "AND tbl_name = 'journal'").fetchall()
    for name, _ in triggers:
        connection.execute(f"DROP TRIGGER {name}")
    connection.execute("UPDATE journal SET amount = amount + 100 WHERE account_id = ?", (bike,))
    for _, sql in triggers:
        connection.execute(sql)
    connection.commit()
    connection.close()
    assert not check_code(saver.db, saver.manager, code).ok


def test_a_code_made_before_statements_showed_pockets_still_checks(saver):
    """Version 1: the main pocket's rows and balances only, as a statement of an older CampBank coded them."""
    st = statement_of(saver)
    with saver.db.session() as session:
        key = queries.statement_key(session)
        [(_, rows)] = list(queries.journal_by_account(session, [st.account_id]))
    old = make_code(key, st.account_id, "s1", st.first_day, st.last_day, st.opening, st.closing,
                    rows_digest(rows, st.first_day, st.last_day), "", version=1)
    assert old.startswith("AE") and old != st.code
    assert check_code(saver.db, saver.manager, old).ok
    pockets.move(saver.db, saver.actor("s1"), "main", "Bike", "1", date="2018-08-12")
    assert not check_code(saver.db, saver.manager, old).ok

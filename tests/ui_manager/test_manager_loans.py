"""Granting and closing loans in the office, driven by keys on a camp with the savings season in force.

Covered: in the Loans section, `l` pressed in the table opens the grant dialog and a grant lends the money (a
`loan` transaction and loan row, the borrower's balance, the table, the notice); over a four-eyes limit the
grant waits for a second manager, lends nothing and says why; `c` cancels a loan before its first instalment
and is refused after it, `w` writes one off, each after a reason, and Esc in the reason dialog keeps the
loan; the dialog refuses a bad borrower, amount or instalment count in place, naming the field, and writes
nothing. On a student's page, `l` grants that student a loan (the borrower filled in and fixed, the schedule
shown as it is typed), and a grant that waits says so there too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import DAY, GRANT, Camp, balance, checksum_apart_from_sign_in, copy_database, load_camp, query
from manager_pilot import notices, open_section, run, settle, sign_in
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widgets import Input, Static

from campbank.app import CampBankApp
from campbank.ledger import clock
from campbank.ledger.actions import loans, nightly
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.store.database import open_database
from campbank.screens.office import OfficeScreen
from campbank.screens.staff.loan_grant import LoanGrantDialog
from campbank.screens.staff.student_detail import StudentDetailScreen
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.vim_table import VimTable

SAVINGS = SEASON_FILES["savings"].read_text(encoding="utf-8")
FOUR_EYES = SAVINGS + '\n[oversight]\nenabled = true\nsecond_approval_above = "50"\n'
WAITS_WHY = "created — waits for a second manager because one amount is above 50.00@ (100.00@ for "


@pytest.fixture
def lending(camp_template: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Camp]:
    """The camp of tests/conftest.py (students s1..s5 with 120@ each, staff t1 t2, manager and m1) with the
    savings season in force: loans of up to 150@ in up to 7 instalments at 10%. Today is DAY."""
    monkeypatch.setattr(clock, "today", lambda: date.fromisoformat(DAY))
    copy_database(camp_template, db_path)
    db = open_database(db_path)
    camp = load_camp(db)
    season_store.load(db, camp.manager, SAVINGS, "season-savings.toml")
    yield camp
    db.dispose()


def with_four_eyes(camp: Camp) -> None:
    season_store.load(camp.db, camp.manager, FOUR_EYES, "savings-four-eyes.toml")


def loan_rows(camp: Camp) -> list[tuple]:
    """(borrower, principal, total due, instalments, state, written off, state of the grant) of each loan."""
    return query(camp.path, """
        SELECT a.username, l.principal, l.total_due, l.instalments, l.state, l.written_off, t.state
          FROM loan l JOIN account a ON a.id = l.borrower_id JOIN txn t ON t.id = l.transaction_id
         ORDER BY l.id""")


def loan_money(camp: Camp) -> list[tuple]:
    """(creator, state, receiver, amount, money type) of each money entry of a `loan` transaction."""
    return query(camp.path, """
        SELECT c.username, t.state, r.username, m.amount, m.money_type FROM txn t
          JOIN account c ON c.id = t.creator_id
          JOIN money_entry m ON m.transaction_id = t.id JOIN account r ON r.id = m.receiver_id
         WHERE t.type = 'loan' ORDER BY t.id""")


def the_loan(camp: Camp) -> tuple[int, int]:
    """(loan id, grant transaction id) of the camp's one loan."""
    [(loan_id, grant_id)] = query(camp.path, "SELECT id, transaction_id FROM loan")
    return loan_id, grant_id


def status_of(pilot: Pilot, loan_id: int) -> str:
    return str(pilot.app.screen.query_one("#loans-table", VimTable).get_row(str(loan_id))[-1])


def toast_of(pilot: Pilot, grant_id: int) -> Notification:
    toasts = [n for n in pilot.app._notifications if n.message.startswith(f"#{grant_id} ")]
    assert len(toasts) == 1, f"one notice about #{grant_id} expected, the notices are {notices(pilot)}"
    return toasts[0]


def shown(pilot: Pilot, selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


async def open_loans(pilot: Pilot) -> VimTable:
    """Sign in as the manager, open Loans and put the focus in its table."""
    await sign_in(pilot)
    await open_section(pilot, "loans")
    table = pilot.app.screen.query_one("#loans-table", VimTable)
    table.focus()
    await pilot.pause()
    assert pilot.app.focused is table
    return table


async def open_student(pilot: Pilot, username: str) -> StudentDetailScreen:
    await sign_in(pilot)
    pilot.app.push_screen(StudentDetailScreen(username))
    await settle(pilot)
    page = pilot.app.screen
    assert isinstance(page, StudentDetailScreen)
    return page


async def type_grant(pilot: Pilot, *fields: str) -> LoanGrantDialog:
    """Press `l`, then type into the grant dialog's fields from the one it focuses, Tab between them."""
    await pilot.press("l")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, LoanGrantDialog)
    for number, text in enumerate(fields):
        if number:
            await pilot.press("tab")
        await pilot.press(*text)
    return dialog


async def grant(pilot: Pilot, *fields: str) -> None:
    await type_grant(pilot, *fields)
    await pilot.press("enter")
    await settle(pilot)


async def answer(pilot: Pilot, key: str, reason: str) -> None:
    """Press `key` on the chosen loan and give the reason dialog `reason`."""
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmReason)
    await pilot.press(*reason, "enter")
    await settle(pilot)


def test_l_in_the_table_grants_a_loan(lending: Camp) -> None:
    async def script(pilot: Pilot) -> None:
        table = await open_loans(pilot)
        assert table.row_count == 0
        await grant(pilot, "s1", "100", "3")
        assert isinstance(pilot.app.screen, OfficeScreen)
        loan_id, grant_id = the_loan(lending)
        assert table.row_count == 1 and status_of(pilot, loan_id) == "open"
        assert f"Loan granted (#{grant_id})." in notices(pilot)
        assert shown(pilot, "#loans-note").startswith("1 open, 110.00@ outstanding.")

    run(CampBankApp(lending.db), script)
    assert loan_money(lending) == [("bank", "processed", "s1", 10_000, "loan")]
    assert loan_rows(lending) == [("s1", 10_000, 11_000, 3, "open", 0, "processed")]
    assert balance(lending.db, "s1") == GRANT + 10_000


def test_a_grant_over_the_four_eyes_limit_waits_and_lends_nothing(lending: Camp) -> None:
    with_four_eyes(lending)

    async def script(pilot: Pilot) -> None:
        table = await open_loans(pilot)
        await grant(pilot, "s2", "100", "3")
        loan_id, grant_id = the_loan(lending)
        assert table.row_count == 1 and status_of(pilot, loan_id) == "waiting"
        toast = toast_of(pilot, grant_id)
        assert (toast.title, toast.severity) == ("Waits for a second manager", "warning")
        assert WAITS_WHY + "Student02 Ann)" in toast.message
        assert not [n for n in notices(pilot) if n.startswith("Loan granted")]
        assert "0 open, 0.00@ outstanding, 1 waiting for a second manager." in shown(pilot, "#loans-note")

    run(CampBankApp(lending.db), script)
    assert loan_money(lending) == [("bank", "created", "s2", 10_000, "loan")]
    assert balance(lending.db, "s2") == GRANT


def test_c_cancels_a_loan_before_its_first_instalment(lending: Camp) -> None:
    loans.grant(lending.db, lending.actor("t1"), "s1", "100", 3)
    assert balance(lending.db, "s1") == GRANT + 10_000
    loan_id, _ = the_loan(lending)

    async def script(pilot: Pilot) -> None:
        await open_loans(pilot)
        assert status_of(pilot, loan_id) == "open"
        await answer(pilot, "c", "asked by mistake")
        assert status_of(pilot, loan_id) == "cancelled"
        assert f"Loan #{loan_id} cancelled." in notices(pilot)

    run(CampBankApp(lending.db), script)
    assert loan_rows(lending) == [("s1", 10_000, 11_000, 3, "cancelled", 0, "declined")]
    assert balance(lending.db, "s1") == GRANT
    [(detail,)] = query(lending.path, "SELECT detail FROM audit_log WHERE action = 'loan.cancelled'")
    assert "asked by mistake" in detail


def test_c_on_a_waiting_loan_withdraws_it_and_says_nothing_was_lent(lending: Camp) -> None:
    with_four_eyes(lending)
    loans.grant(lending.db, lending.actor("t1"), "s1", "100", 3)
    loan_id, _ = the_loan(lending)

    async def script(pilot: Pilot) -> None:
        await open_loans(pilot)
        assert status_of(pilot, loan_id) == "waiting"
        await pilot.press("c")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmReason)
        assert dialog.question.startswith(f"Withdraw loan #{loan_id} to s1?") and "nothing was lent" in dialog.question
        await pilot.press(*"the counsellor says no", "enter")
        await settle(pilot)
        assert status_of(pilot, loan_id) == "cancelled"

    run(CampBankApp(lending.db), script)
    assert loan_rows(lending) == [("s1", 10_000, 11_000, 3, "cancelled", 0, "declined")]
    assert balance(lending.db, "s1") == GRANT


def test_c_after_the_first_instalment_is_refused(lending: Camp) -> None:
    loans.grant(lending.db, lending.actor("t1"), "s1", "100", 3, date="2018-08-07")
    nightly.run(lending.db, lending.manager, day=date(2018, 8, 8))  # instalment 1 of 36.67
    loan_id, _ = the_loan(lending)
    before = checksum_apart_from_sign_in(lending.path)

    async def script(pilot: Pilot) -> None:
        await open_loans(pilot)
        await answer(pilot, "c", "too late")
        assert isinstance(pilot.app.screen, OfficeScreen)
        assert f"loan: loan #{loan_id} has had an instalment charged; write it off instead" in notices(pilot)
        assert status_of(pilot, loan_id) == "open"

    run(CampBankApp(lending.db), script)
    assert checksum_apart_from_sign_in(lending.path) == before


def test_w_writes_a_loan_off(lending: Camp) -> None:
    loans.grant(lending.db, lending.actor("t1"), "s1", "100", 3)
    loan_id, _ = the_loan(lending)

    async def script(pilot: Pilot) -> None:
        await open_loans(pilot)
        await answer(pilot, "w", "left the camp")
        assert status_of(pilot, loan_id) == "written off"
        assert f"Loan #{loan_id} written off." in notices(pilot)

    run(CampBankApp(lending.db), script)
    assert loan_rows(lending) == [("s1", 10_000, 11_000, 3, "written_off", 11_000, "processed")]
    assert balance(lending.db, "s1") == GRANT + 10_000  # the student keeps the money: the bank's loss
    [(detail,)] = query(lending.path, "SELECT detail FROM audit_log WHERE action = 'loan.written_off'")
    assert "left the camp" in detail


def test_escape_in_the_reason_dialog_keeps_the_loan(lending: Camp) -> None:
    loans.grant(lending.db, lending.actor("t1"), "s1", "100", 3)
    before = checksum_apart_from_sign_in(lending.path)

    async def script(pilot: Pilot) -> None:
        await open_loans(pilot)
        for key in ("c", "w"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(pilot.app.screen, ConfirmReason)
            await pilot.press(*"oops", "escape")
            await settle(pilot)
            assert isinstance(pilot.app.screen, OfficeScreen)

    run(CampBankApp(lending.db), script)
    assert checksum_apart_from_sign_in(lending.path) == before


@pytest.mark.parametrize(("fields", "refusal"), [
    (("s1", "150.01", "3"), "amount: must not exceed 150.00"),
    (("s1", "ten", "3"), "amount: 'ten' is not an amount such as 12 or 12.50"),
    (("s1", "100", "0"), "instalments: must be from 1 to 7"),
    (("s1", "100", "8"), "instalments: must be from 1 to 7"),
    (("nobody", "100", "3"), "borrower: no user called 'nobody'"),
    (("t1", "100", "3"), "borrower: 't1' is not a student"),
])
def test_the_dialog_refuses_bad_input_naming_the_field(lending: Camp, fields: tuple[str, ...], refusal: str) -> None:
    before = checksum_apart_from_sign_in(lending.path)

    async def script(pilot: Pilot) -> None:
        await open_loans(pilot)
        await grant(pilot, *fields)
        assert isinstance(pilot.app.screen, LoanGrantDialog)  # it stays open, the refusal in it
        assert shown(pilot, "#loan-error") == refusal

    run(CampBankApp(lending.db), script)
    assert checksum_apart_from_sign_in(lending.path) == before


def test_l_on_a_students_page_grants_that_student_a_loan(lending: Camp) -> None:
    async def script(pilot: Pilot) -> None:
        page = await open_student(pilot, "s3")
        dialog = await type_grant(pilot, "50", "5")
        borrower = dialog.query_one("#loan-borrower", Input)
        assert (borrower.value, borrower.disabled) == ("s3", True)
        assert shown(pilot, "#loan-preview").startswith("Total due 55.00@ (10% interest")
        assert "2018-08-11: 11.00@" in shown(pilot, "#loan-preview")
        assert "2018-08-15: 11.00@" in shown(pilot, "#loan-preview")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is page
        loan_id, _ = the_loan(lending)
        facts = shown(pilot, "#detail-facts")
        assert "Balance 170.00@" in facts
        assert f"Loan #{loan_id}: 55.00@ outstanding, next 11.00@ on 2018-08-11" in facts

    run(CampBankApp(lending.db), script)
    assert loan_money(lending) == [("bank", "processed", "s3", 5_000, "loan")]
    assert loan_rows(lending) == [("s3", 5_000, 5_500, 5, "open", 0, "processed")]
    assert balance(lending.db, "s3") == GRANT + 5_000


def test_a_grant_that_waits_says_so_on_the_students_page(lending: Camp) -> None:
    with_four_eyes(lending)

    async def script(pilot: Pilot) -> None:
        page = await open_student(pilot, "s3")
        await grant(pilot, "100", "3")
        assert pilot.app.screen is page
        _, grant_id = the_loan(lending)
        toast = toast_of(pilot, grant_id)
        assert (toast.title, toast.severity) == ("Waits for a second manager", "warning")
        assert WAITS_WHY + "Student03 Ann)" in toast.message
        facts = shown(pilot, "#detail-facts")
        assert "Balance 120.00@" in facts and "Loan #1: 100.00@ waits for a second manager" in facts
        assert "outstanding" not in facts

    run(CampBankApp(lending.db), script)
    assert loan_money(lending) == [("bank", "created", "s3", 10_000, "loan")]
    assert balance(lending.db, "s3") == GRANT


def test_p_on_a_students_page_prints_their_statement(lending: Camp, tmp_path: Path) -> None:
    """The statement writer loads in the worker that writes the PDF; the page says where and its code."""
    target = tmp_path / "s1.pdf"

    async def script(pilot: Pilot) -> None:
        await open_student(pilot, "s1")
        await pilot.press("p")
        await settle(pilot)
        box = pilot.app.screen.query_one("#print-path", Input)
        box.value = str(target)
        box.focus()
        await pilot.press("enter")
        for _ in range(40):
            await settle(pilot)
            if target.exists():
                break
        await settle(pilot)
        assert isinstance(pilot.app.screen, StudentDetailScreen)
        assert any(n.startswith(f"Wrote {target} (1 page); verification code ") for n in notices(pilot)), notices(pilot)

    run(CampBankApp(lending.db), script)
    assert target.read_bytes().startswith(b"%PDF")

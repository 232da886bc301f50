"""Staff review: approve transfers (and see refusals), alter and cancel their own, search and drill down."""

from __future__ import annotations

from helpers import DAY, balance, fine, money, p2p, query, txn_state
from pilot_steps import make_app, open_section, run, settle, sign_in
from textual.widgets import DataTable, Static

from campbank.ledger.actions.posting import post
from campbank.screens.office import OfficeScreen
from campbank.screens.staff.student_detail import StudentDetailScreen
from campbank.screens.staff.transaction_form import TransactionFormScreen
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.confirm import ConfirmDialog

GRANT = 12_000


def test_approving_a_transfer_moves_the_money_and_a_refusal_is_shown(office) -> None:
    first = post(office.db, office.actor("s1"), p2p("s2", "5")).id
    short = post(office.db, office.actor("s4"), p2p("s3", "100")).id
    post(office.db, office.actor("t2"), fine({"s4": "50"}))  # s4 can no longer pay 100

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "approvals")
            table = app.screen.query_one("#approvals-table", DataTable)
            assert table.row_count == 2
            table.focus()
            table.move_cursor(row=table.get_row_index(str(first)))
            await pilot.press("a")
            await settle(pilot)
            assert table.row_count == 1
            table.move_cursor(row=table.get_row_index(str(short)))
            await pilot.press("a")
            await settle(pilot)
            assert table.row_count == 1  # still waiting
            note = str(app.screen.query_one("#approvals-note", Static).render())
            assert f"#{short} not approved" in note
            row = table.get_row(str(short))
            assert any("balance" in str(cell) or "money" in str(cell) for cell in row[-1:])
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmReason)
            await pilot.press(*"not enough money", "enter")
            await settle(pilot)
            assert table.row_count == 0
        assert balance(office.db, "s1") == GRANT - 500
        assert balance(office.db, "s2") == GRANT + 500
        assert txn_state(office.db, first) == "processed"
        assert txn_state(office.db, short) == "declined"

    run(body)


def test_alter_then_cancel_from_my_transactions(office) -> None:
    original = post(office.db, office.actor("t1"), money({"s1": "10", "s2": "4"}, description="cleaning")).id

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "my-transactions")
            table = app.screen.query_one("#mine-table", DataTable)
            assert table.row_count == 1
            table.focus()
            await pilot.press("a")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, TransactionFormScreen) and form.alter_of == original
            assert form.query_one("#field-date").value == DAY  # an alter keeps its day
            assert form.query_one("#field-description").value == "cleaning"
            form.query_one("#students-table").focus()
            await pilot.press("1", "5", "enter")  # s1: 10 -> 15, s2 stays 4
            await pilot.press("f2")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, OfficeScreen)
            assert table.row_count == 2
            assert balance(office.db, "s1") == GRANT + 1500
            table.move_cursor(row=0)  # the newest: the replacement
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmReason)
            await pilot.press(*"entered twice", "enter")
            await settle(pilot)
        assert txn_state(office.db, original) == "substituted"
        _, state, update_of = query(office.path, "SELECT id, state, update_of FROM txn "
                                                            "WHERE update_of IS NOT NULL")[0]
        assert update_of == original and state == "declined"
        assert balance(office.db, "s1") == GRANT and balance(office.db, "s2") == GRANT

    run(body)


def test_template_opens_a_new_form_for_today(office, today) -> None:
    post(office.db, office.actor("t1"), {"type": "workout", "date": "2018-08-07", "attendees": ["s1", "s2"]})

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "my-transactions")
            app.screen.query_one("#mine-table").focus()
            await pilot.press("t")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, TransactionFormScreen) and form.alter_of is None
            assert form.query_one("#field-date").value == today.isoformat()
            assert form.form is not None and form.form.payload()["attendees"] == ["s1", "s2"]

    run(body)


def test_search_the_student_list_and_drill_down(office) -> None:
    post(office.db, office.actor("t1"), money({"s3": "7.25"}))

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "students")
            table = app.screen.query_one("#students-table", DataTable)
            assert table.row_count == 5
            await pilot.press("slash", *"student03")
            await pilot.pause()
            assert table.row_count == 1
            await pilot.press("enter")  # from the search box to the list
            await pilot.press("enter")  # drill down
            await settle(pilot)
            detail = app.screen
            assert isinstance(detail, StudentDetailScreen)
            facts = str(detail.query_one("#detail-facts", Static).render())
            assert "Student03 Ann" in facts and "127.25@" in facts
            history = detail.query_one("#detail-history", DataTable)
            assert history.row_count == 2  # the money, then the initial grant
            first = history.get_row_at(0)
            assert "7.25@" in str(first[4]) and "127.25@" in str(first[5])
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, OfficeScreen)

    run(body)


def test_student_detail_pages_older_history(office, monkeypatch) -> None:
    from campbank.ledger.views import students as student_view

    for amount in ("1", "2", "3"):
        post(office.db, office.actor("t1"), money({"s1": amount}))
    monkeypatch.setattr(student_view, "HISTORY_PAGE", 2)

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            app.push_screen(StudentDetailScreen("s1"))
            await settle(pilot)
            history = app.screen.query_one("#detail-history", DataTable)
            assert history.row_count == 2
            await pilot.press("m")
            await settle(pilot)
            assert history.row_count == 4  # 3 payments and the grant, newest first
            balances = [str(history.get_row_at(i)[5]) for i in range(4)]
            assert balances == ["126.00@", "123.00@", "121.00@", "120.00@"]
            app.screen.action_reload()  # as a change made elsewhere reloads it: the older lines stay
            await settle(pilot)
            assert history.row_count == 4

    run(body)

"""The transaction form as staff use it all day: what it offers, what it refuses aloud, where the focus goes,
what Ctrl+Q / Ctrl+L do to a filled form, and a time-block clash shown on the rows themselves."""

from __future__ import annotations

from helpers import actor_of, query
from pilot_steps import make_app, open_section, run, settle, sign_in
from textual.widgets import Input, OptionList, Select, Static

from campbank.ledger.actions.posting import post
from campbank.screens.login import LoginScreen
from campbank.screens.office import OfficeScreen
from campbank.screens.staff.transaction_form import TransactionFormScreen
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.group_entry import GroupEntry

MANAGER_PASSWORD = "manager-pass-1"


async def open_form(pilot, name: str, user: str = "t1", password: str | None = None) -> None:  # type: ignore[no-untyped-def]
    await (sign_in(pilot, user) if password is None else sign_in(pilot, user, password))
    await open_section(pilot, "new-transaction")
    await pilot.press(*name, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TransactionFormScreen)


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


def test_staff_are_not_offered_the_initial_grant_a_manager_is(office) -> None:
    async def body(user: str, password: str | None) -> list[str]:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_form(pilot, "money", user, password)
            select = app.screen.query_one("#field-money_type", Select)
            return [str(value) for _label, value in select._options if isinstance(value, str)]

    staff: list[str] = []
    manager: list[str] = []
    run(lambda: _into(staff, body("t1", None)))
    run(lambda: _into(manager, body("manager", MANAGER_PASSWORD)))
    assert "reward" in staff and "initial" not in staff
    assert "initial" in manager


async def _into(out: list[str], work) -> None:  # type: ignore[no-untyped-def]
    out.extend(await work)


def test_letters_in_the_date_are_refused_aloud(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_form(pilot, "money")
            date_box = app.screen.query_one("#field-date", Input)
            date_box.focus()
            date_box.value = ""
            await pilot.press("2", "0", "x")
            assert date_box.value == "20"
            assert any(m.startswith("Date:") and "digits and dashes" in m for m in notes(app))

    run(body)


def test_ctrl_q_and_ctrl_l_ask_before_a_filled_form_is_lost(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_form(pilot, "fine")
            table = app.screen.query_one("#students-table", GroupEntry)
            table.focus()
            await pilot.press("1", "0")
            await pilot.press("ctrl+q")
            assert isinstance(app.screen, ConfirmDialog) and app.is_running
            await pilot.press("escape")  # stay
            assert isinstance(app.screen, TransactionFormScreen)
            await pilot.press("ctrl+l")
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("enter")  # leave: signed out
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen) and app.actor is None

    run(body)


def test_an_empty_form_is_left_at_once(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_form(pilot, "fine")
            await pilot.press("ctrl+l")
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)

    run(body)


def test_back_on_new_transaction_the_focus_is_always_on_the_filter_and_letters_on_the_list_filter(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_form(pilot, "work")
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, OfficeScreen)
            assert app.focused is app.screen.query_one("#type-filter", Input)
            assert app.focused.value == ""
            await pilot.press("tab")
            assert app.focused is app.screen.query_one("#types", OptionList)
            await pilot.press(*"exam", "enter")  # on the list the letters still choose the type
            await settle(pilot)
            assert isinstance(app.screen, TransactionFormScreen) and app.screen.rule.type == "exam"

    run(body)


def test_the_status_line_counts_at_once(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_form(pilot, "work")
            await pilot.press("space", "space")
            summary = str(app.screen.query_one("#form-summary", Static).render())
            assert "Students marked: 2" in summary  # before any ledger call has come back

    run(body)


def test_a_clash_marks_the_rows_and_says_so_briefly(office) -> None:
    post(office.db, actor_of(office.db, "t2"), {"type": "workout", "attendees": ["s1"]})
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_form(pilot, "work")
            await pilot.press("ctrl+a", "f2")
            await pilot.pause(0.3)
            await settle(pilot)
            assert isinstance(app.screen, TransactionFormScreen)  # nothing to confirm
            table = app.screen.query_one("#students-table", GroupEntry)
            assert set(table.marked) == {"s1"}
            assert "red" in str(table.get_cell("s1", "label").style)
            message = notes(app)[-1]
            assert message.startswith("Time-block clash: 1 student (in red)") and len(message.splitlines()) == 1
            await pilot.press("home", "space", "f2")  # s1 (first row) unticked
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            assert table.marked == {}
    run(body)
    assert query(office.path, "SELECT count(*) FROM txn WHERE type = 'workout'")[0][0] == 1


def test_the_seminars_speaker_comes_before_the_tables_in_tab_order_at_80x24(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_form(pilot, "seminar")
            app.screen.query_one("#field-block", Select).focus()
            await pilot.pause()
            order = []
            for _ in range(6):
                await pilot.press("tab")
                focused = app.focused
                assert focused is not None
                owner = next((w for w in (focused, *focused.ancestors) if w.id in
                              ("field-speaker", "field-date", "field-description", "marks-table",
                               "students-table", "field-block")), None)
                order.append(owner.id if owner is not None else str(focused))
            assert order == ["field-speaker", "field-date", "field-description", "marks-table", "students-table",
                             "field-block"]

    run(body)


def test_after_a_choice_from_the_dropdown_one_tab_moves_on(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_form(pilot, "money")
            table = app.screen.query_one("#students-table", GroupEntry)
            table.focus()
            await pilot.press("5")  # the amounts are filled: after the choice nothing is left to fill
            select = app.screen.query_one("#field-money_type", Select)
            select.focus()
            await pilot.press("enter", "enter")
            await settle(pilot)
            assert not select.is_blank() and app.focused is select
            await pilot.press("tab")
            assert app.focused is app.screen.query_one("#field-date", Input)

    run(body)

"""Daily work beyond one form: students sorted by balance, the palette's actions, the help of the entry table."""

from __future__ import annotations

import html
import re

from helpers import actor_of
from pilot_steps import make_app, open_section, run, settle, sign_in
from textual.widgets import DataTable, Input

from campbank.ledger.actions.posting import post
from campbank.screens.staff.transaction_form import TransactionFormScreen
from campbank.widgets.confirm import ConfirmDialog

MANAGER_PASSWORD = "manager-pass-1"


def test_b_sorts_the_students_by_balance_lowest_then_highest_then_roster(office) -> None:
    post(office.db, actor_of(office.db, "t1"), {"type": "general_money", "money_type": "reward",
                                                 "amounts": {"s3": "5", "s4": "9"}})
    post(office.db, actor_of(office.db, "t1"), {"type": "fine", "fine_type": "fine_any", "amounts": {"s2": "4"}})

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "students")
            table = app.screen.query_one("#students-table", DataTable)
            table.focus()

            def order() -> list[str]:
                return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]

            roster = order()
            await pilot.press("b")
            assert order()[0] == "s2" and order()[-2:] == ["s3", "s4"]
            await pilot.press("b")
            assert order()[:2] == ["s4", "s3"] and order()[-1] == "s2"
            await pilot.press("b")
            assert order() == roster

    run(body)


def test_the_palette_opens_a_new_form_and_finds_a_student(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            assert "New morning workout" in commands and "Find student" in commands
            assert "Run tax" not in commands  # staff do not run the tax
            commands["Find student"].callback()
            await settle(pilot)
            assert app.focused is app.screen.query_one("#students-search", Input)
            commands["New morning workout"].callback()
            await settle(pilot)
            assert isinstance(app.screen, TransactionFormScreen) and app.screen.rule.type == "workout"

    run(body)


def test_the_palette_runs_the_tax_for_a_manager_after_asking(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "manager", MANAGER_PASSWORD)
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            commands["Run tax"].callback()
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog) and "tax" in app.screen.title_text.lower()
            await pilot.press("escape")  # not now: nothing charged

    run(body)


def test_help_lists_space_and_type_to_jump(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "new-transaction")
            await pilot.press(*"work", "enter")
            await settle(pilot)
            await pilot.press("question_mark")
            await settle(pilot)
            from textual.widgets import HelpPanel

            assert app.screen.query(HelpPanel)
            svg = app.export_screenshot()
            shown = html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
            for words in ("Tick and go down", "a–z", "jump to a name", "Tick all shown", "Next squad",
                          "First row", "Last row"):
                assert words in shown, words

    run(body)

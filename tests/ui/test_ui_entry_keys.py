"""The group-entry table's keys for daily work: refusals that say why, Home/End, ticking all, one squad at
a time, a pasted column, ticks that exclude each other, marked rows."""

from __future__ import annotations

from entry_harness import EntryHarness
from pilot_steps import run
from textual import events
from textual.app import App

from campbank.widgets.group_entry import EntryColumn, EntryRow, GroupEntry

ROWS = [EntryRow("ivanov.k", "Squad 1", "Ivanov Kirill", "ivanov.k"),
        EntryRow("orlova.a", "Squad 1", "Orlova Anna", "orlova.a"),
        EntryRow("petrov.p", "Squad 2", "Petrov Pavel", "petrov.p"),
        EntryRow("fyodorov.d", "Squad 2", "Fyodorov Dmitry", "fyodorov.d"),
        EntryRow("zaytsev.g", "Squad 3", "Zaytsev Gleb", "zaytsev.g")]


class Harness(EntryHarness):
    rows = ROWS


def messages(app: App[None]) -> list[str]:
    return [n.message for n in app._notifications]


def test_a_minus_in_an_amount_is_refused_naming_the_cell() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("amounts", "amount", "Amount"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            await pilot.press("minus", "5")
            assert table.values("amounts") == {"ivanov.k": "5"}  # the 5 is kept, the minus is not taken...
            assert any("Amount for Ivanov Kirill" in m and "never negative" in m for m in messages(app))  # ...aloud
            await pilot.press("enter", "2", "comma", "5")  # a decimal comma is a point
            assert table.values("amounts")["orlova.a"] == "2.5"

    run(body)


def test_a_letter_in_the_middle_of_a_number_stays_in_its_row() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("amounts", "amount", "Amount"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            await pilot.press("1", "z", "0")  # "z" would jump to Zaytsev: refused, the 0 lands on Ivanov
            assert table.values("amounts") == {"ivanov.k": "10"}
            assert table.cursor_row == 0
            assert any("Ivanov Kirill" in m and "letter" in m for m in messages(app))
            await pilot.press("enter", "z", "7")  # in a fresh cell a letter jumps, as before
            assert table.values("amounts") == {"ivanov.k": "10", "zaytsev.g": "7"}

    run(body)


def test_home_and_end_go_to_the_first_and_last_row() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("attendees", "tick", "Here"))
        async with app.run_test(size=(60, 20)) as pilot:
            table = app.query_one(GroupEntry)
            await pilot.press("end")
            assert table.cursor_row == 4 and table.cursor_column == table.fixed
            await pilot.press("home")
            assert table.cursor_row == 0 and table.cursor_column == table.fixed

    run(body)


def test_ctrl_a_ticks_every_row_shown_and_ctrl_f_shows_one_squad_at_a_time() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("attendees", "tick", "Here"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            await pilot.press("ctrl+a")
            assert len(table.values("attendees")) == 5
            await pilot.press("ctrl+a")  # all ticked: the same key unticks them
            assert table.values("attendees") == {}
            await pilot.press("ctrl+f", "ctrl+f")  # Squad 1, then Squad 2
            assert table.group_shown == "Squad 2" and table.row_count == 2
            await pilot.press("ctrl+a", "space")  # Squad 2 ticked, then Petrov unticked
            assert list(table.values("attendees")) == ["fyodorov.d"]
            await pilot.press("ctrl+f", "ctrl+f")  # Squad 3, then everyone again
            assert table.group_shown is None and table.row_count == 5
            assert list(table.values("attendees")) == ["fyodorov.d"]  # hidden rows kept their ticks

    run(body)


def test_ticks_of_one_row_exclude_each_other() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("attendees", "tick", "Attended"), EntryColumn("absentees", "tick", "Missed"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            await pilot.press("ctrl+a", "right", "o", "space")  # everyone came but Orlova
            assert list(table.values("absentees")) == ["orlova.a"]
            assert "orlova.a" not in table.values("attendees") and len(table.values("attendees")) == 4

    run(body)


def test_a_pasted_column_fills_matching_rows_and_lists_the_rest() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("amounts", "amount", "Amount"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            pasted = ("Name\tAmount\nIVANOV KIRILL\t12\norlova.a\t3,50\nФёдоров Дмитрий\t4\nFyodorov D.\t5\n"
                      "Petrov Pavel\t-2\n[bold]Smith[/bold]\t9\nZaytsev Gleb\t\x1b[31m7\n")
            app.post_message(events.Paste(pasted))
            await pilot.pause()
            assert table.values("amounts") == {"ivanov.k": "12", "orlova.a": "3.50", "petrov.p": "-2",
                                               "fyodorov.d": "5"}
            assert table.problems() == ["Amount for Petrov Pavel: '-2'"]  # shown in red; the preview refuses it
            note = messages(app)[-1]
            assert "3 rows filled" not in note and "4 rows filled" in note
            assert "Not on the list: Name, Фёдоров Дмитрий, [bold]Smith[/bold]" in note  # literal, never markup
            assert "line 8 contains an escape character" in note
            assert "zaytsev.g" not in table.values("amounts")

    run(body)


def test_a_pasted_list_of_names_ticks_them() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("attendees", "tick", "Here"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            app.post_message(events.Paste("zaytsev g\nOrlova Anna\n"))
            await pilot.pause()
            assert list(table.values("attendees")) == ["orlova.a", "zaytsev.g"]

    run(body)


def test_marked_rows_are_drawn_in_red_and_unmarked_again() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("attendees", "tick", "Here"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            await pilot.press("down", "down")
            table.mark({"petrov.p": "clash"})
            await pilot.pause()
            label = table.get_cell("petrov.p", "label")
            assert "red" in str(label.style) and table.cursor_row == 2
            table.mark({})
            await pilot.pause()
            assert "red" not in str(table.get_cell("petrov.p", "label").style)

    run(body)

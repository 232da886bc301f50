"""The group-entry table on its own: typing, ticking, jumping, filling a squad, keys that arrive in a burst."""

from __future__ import annotations

from entry_harness import EntryHarness
from pilot_steps import run
from textual import events

from campbank.widgets.group_entry import EntryColumn, EntryRow, GroupEntry

ROWS = [EntryRow("ivanov.k", "Squad 1", "Ivanov Kirill", "ivanov.k"),
        EntryRow("orlova.a", "Squad 1", "Orlova Anna", "orlova.a"),
        EntryRow("petrov.p", "Squad 2", "Petrov Pavel", "petrov.p"),
        EntryRow("zaytsev.g", "Squad 2", "Zaytsev Gleb", "zaytsev.g")]


class Harness(EntryHarness):
    rows = ROWS


def test_amounts_are_typed_row_by_row() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("amounts", "amount", "Amount"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            await pilot.press("1", "0", "enter", "2", ".", "5", "down", "down", "7", "backspace", "8")
            assert table.values("amounts") == {"ivanov.k": "10", "orlova.a": "2.5", "zaytsev.g": "8"}
            await pilot.press("up", "up", "up", "3")  # the first key typed replaces the cell
            assert table.values("amounts")["ivanov.k"] == "3"
            await pilot.press("delete")
            assert "ivanov.k" not in table.values("amounts")
            await pilot.press("down", "1", ".", "2", "3", "4")
            assert table.problems() == ["Amount for Orlova Anna: '1.234'"]
            assert table.total("amounts") == 800

    run(body)


def test_space_ticks_and_moves_on_and_letters_jump(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from campbank.widgets import group_entry

    async def body() -> None:
        app = Harness(EntryColumn("attendees", "tick", "Here"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            await pilot.press("space", "space")
            assert list(table.values("attendees")) == ["ivanov.k", "orlova.a"]
            await pilot.press("o", "r", "space")  # "or": Orlova, unticked
            await pilot.press("z", "space")  # a space ended "or": "z" is a new name, Zaytsev
            assert list(table.values("attendees")) == ["ivanov.k", "zaytsev.g"]
            await pilot.press("p", "e", "x")  # "pex" matches nobody: the cursor stays on Petrov
            assert table.cursor_row == 2 and "no match" in str(table.border_subtitle)
            monkeypatch.setattr(group_entry, "JUMP_SECONDS", 0)
            await pilot.press("i", "space")  # a pause also starts a new name: Ivanov, unticked
            assert list(table.values("attendees")) == ["zaytsev.g"]

    run(body)


def test_fill_gives_the_squads_blank_rows_the_value() -> None:
    async def body() -> None:
        app = Harness(EntryColumn("places", "place", "Place"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            await pilot.press("down", "down", "1", "up", "up", "4", "ctrl+d")
            assert table.values("places") == {"ivanov.k": "4", "orlova.a": "4", "petrov.p": "1"}
            await pilot.press("down", "down", "down", "9", "0")  # a place is 1..4: other keys do nothing
            assert "zaytsev.g" not in table.values("places") and table.problems() == []

    run(body)


def test_keys_arriving_in_one_burst_land_in_their_rows() -> None:
    """A fast typist (or a paste) sends keys before the table has redrawn: each goes to its own row."""

    async def body() -> None:
        app = Harness(EntryColumn("amounts", "amount", "Amount"), EntryColumn("scores", "number", "Score"))
        async with app.run_test() as pilot:
            table = app.query_one(GroupEntry)
            burst = [("5", "5"), ("enter", "\r"), ("2", "2"), ("full_stop", "."), ("5", "5"), ("down", None),
                     ("1", "1"), ("right", None), ("7", "7"), ("up", None), ("3", "3")]
            for key, character in burst:
                app.post_message(events.Key(key, character))
            await pilot.pause()
            await pilot.pause()
            assert table.values("amounts") == {"ivanov.k": "5", "orlova.a": "2.5", "petrov.p": "1"}
            assert table.values("scores") == {"orlova.a": "3", "petrov.p": "7"}

    run(body)

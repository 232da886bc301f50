"""Keystroke budgets of daily work, from the staff dashboard of the demo camp (130 students; Squad 1 has 33),
replayed key by key and counted: every key a person presses is in the list, nothing is set from code.

- a morning workout for 25 of Squad 1's 33 (the 8 who slept in share a tent, listed together): ≤ 20 keys;
- a lecture for the whole camp with 3 absentees (each found by typing the start of their name): ≤ 15 keys;
- a fine of 10@ for two named students (found with two letters each, as most are): ≤ 20 keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import balance, copy_database, fast_hashing, query
from pilot_steps import run, settle, sign_in

from campbank.app import CampBankApp
from campbank.demo import STAFF_PASSWORD, create_demo
from campbank.ledger import clock
from campbank.ledger.store.database import Database, open_database
from campbank.ledger.views.students import student_list
from campbank.screens.office import OfficeScreen
from campbank.widgets.group_entry import GroupEntry, letters

DEMO_DAY = date(2026, 7, 10)  # the demo's eighth day: its week of history lies before it
STAFF = "orlova.i"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with fast_hashing(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "today", lambda: DEMO_DAY)
        create_demo(path).database.dispose()
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    from campbank.widgets import group_entry

    monkeypatch.setattr(clock, "today", lambda: DEMO_DAY)
    # A name typed is one name however slowly a loaded test machine delivers its letters (no test on time).
    monkeypatch.setattr(group_entry, "JUMP_SECONDS", 3600.0)
    path = tmp_path / "demo.db"
    copy_database(demo_template, path)
    database = open_database(path)
    yield database
    database.dispose()


def roster(db: Database) -> list[tuple[str, str, str]]:
    """(username, full name, squad) in the entry table's order."""
    from helpers import actor_of

    return [(s.username, s.full_name, s.squad or "") for s in student_list(db, actor_of(db, STAFF))]


def jump_keys(rows: list[tuple[str, str, str]], target: str) -> list[str]:
    """The fewest letters that bring the entry table's type-to-jump to `target` (its first match); none
    for a name that another student's comes first with (two Kozlov Egors: the second is reached with ↓)."""
    name = letters(next(full for user, full, _ in rows if user == target))  # "pavlovae": Pavlova Eva
    for length in range(1, len(name) + 1):
        prefix = name[:length]
        first = next(user for user, full, _ in rows
                     if letters(full).startswith(prefix) or letters(user).startswith(prefix))
        if first == target:
            return list(prefix)
    return []


async def replay(app: CampBankApp, keys: list[str]) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, STAFF, STAFF_PASSWORD)
        assert isinstance(app.screen, OfficeScreen)
        for key in keys:
            await pilot.press(key)
            if key in ("enter", "f2", "tab"):
                await settle(pilot)
        await settle(pilot)
        form = getattr(app.screen, "form", None)
        assert isinstance(app.screen, OfficeScreen), (form.payload() if form else None,
                                                      [n.message for n in app._notifications])


def test_a_workout_for_25_of_a_33_student_squad(demo: Database) -> None:
    rows = roster(demo)
    squad = [user for user, _, squad in rows if squad == rows[0][2]]
    assert len(squad) == 33
    keys = ["down", "tab", "w", "enter",  # New transaction, "w": Morning workout
            "ctrl+f", "ctrl+a",  # Squad 1 only, all of it ticked
            *["space"] * 8,  # the 8 who slept in: unticked, one after the other
            "f2", "enter"]
    run(lambda: replay(CampBankApp(demo, idle_seconds=3600), keys))
    assert len(keys) <= 20
    came = {user for user, in query(demo.path, "SELECT a.username FROM counter_entry c JOIN account a "
                                               "ON a.id = c.receiver_id WHERE c.counter_type = 'workout' "
                                               "AND c.day = ?", (DEMO_DAY.isoformat(),))}
    assert came == set(squad[8:])


def test_a_lecture_for_the_whole_camp_with_3_absentees(demo: Database) -> None:
    rows = roster(demo)
    letters = [next(user for user, full, _ in rows if full.startswith(initial)) for initial in "ZLB"]
    keys = ["down", "tab", "l", "e", "enter",  # New transaction, "le": Lecture
            "ctrl+a", "right"]  # the whole camp attended; over to "Missed"
    for absentee in letters:
        keys += [*jump_keys(rows, absentee), "space"]
    keys += ["f2", "enter"]
    run(lambda: replay(CampBankApp(demo, idle_seconds=3600), keys))
    assert len(keys) <= 15, keys
    counted = dict(query(demo.path, "SELECT c.counter_type, count(*) FROM counter_entry c WHERE c.day = ? "
                                    "GROUP BY c.counter_type", (DEMO_DAY.isoformat(),)))
    assert counted == {"lecture_attend": 127, "lecture_miss": 3}


def test_a_fine_of_10_for_two_named_students(demo: Database) -> None:
    rows = roster(demo)
    # two students in different squads whose names are found with two letters (most need two or three)
    two_letters = [user for user, _, _ in rows if len(jump_keys(rows, user)) == 2]
    assert len(two_letters) >= 10
    first = two_letters[0]
    second = next(user for user in two_letters if dict((u, q) for u, _, q in rows)[user] != rows[0][2])
    before = {user: balance(demo, user) for user in (first, second)}
    keys = ["down", "tab", "f", "enter",  # New transaction, "f": Fine
            "enter", "enter",  # its type: the list opens on the first one offered
            *jump_keys(rows, first), "1", "0", "enter",
            *jump_keys(rows, second), "1", "0",
            "f2", "enter"]
    run(lambda: replay(CampBankApp(demo, idle_seconds=3600), keys))
    assert len(keys) <= 20, keys
    assert {user: before[user] - balance(demo, user) for user in before} == {first: 1000, second: 1000}


def test_the_jump_keys_are_what_the_table_does(demo: Database) -> None:
    """The helper above agrees with the table: the letters it gives land on the student it names."""
    rows = roster(demo)
    async def body() -> None:
        app = CampBankApp(demo, idle_seconds=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, STAFF, STAFF_PASSWORD)
            await pilot.press("down", "tab", "f", "enter")
            await settle(pilot)
            table = app.screen.query_one("#students-table", GroupEntry)
            table.focus()
            reachable = [user for user, _, _ in rows if jump_keys(rows, user)]
            assert len(reachable) > 100
            for user in reachable[::25]:
                await pilot.press(*jump_keys(rows, user), "enter", "up")
                assert table.shown_rows[table.cursor_row].key == user
    run(body)


def test_keys_sent_in_one_burst_reach_the_fields_the_tab_moves_to(demo: Database) -> None:
    """A macro or a fast typist: "Tab exam Enter" arrives before any of it is handled. Tab moves the focus
    as it arrives, so the letters go to the type filter, not to the menu (which left Enter to open the first
    type, the money form)."""
    from textual import events

    from campbank.screens.staff.transaction_form import TransactionFormScreen

    async def body() -> None:
        app = CampBankApp(demo, idle_seconds=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, STAFF, STAFF_PASSWORD)
            await pilot.press("down")  # the menu on New transaction, the focus still in the menu
            await settle(pilot)
            for key, character in [("tab", "\t"), *((c, c) for c in "exam"), ("enter", "\r")]:
                app.post_message(events.Key(key, character))  # all queued before the first is handled
            await settle(pilot)
            assert isinstance(app.screen, TransactionFormScreen)
            assert app.screen.rule.type == "exam"

    run(body)

"""Staff post from the keyboard: a group money form, a seminar, and how many keys a workout takes."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import balance, cached_counters, populate, query
from pilot_steps import choose, focus_on, make_app, open_section, run, settle, sign_in
from textual.widgets import Static

from campbank.ledger.actions import auth
from campbank.ledger.actions.setup import initialise
from campbank.screens.office import OfficeScreen
from campbank.screens.staff.transaction_form import TransactionFormScreen
from campbank.widgets.confirm import ConfirmDialog

GRANT = 12_000


def test_staff_signs_in_to_the_office_with_the_staff_sections(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            assert isinstance(app.screen, OfficeScreen)
            menu = app.screen.query_one("#menu")
            ids = [menu.get_option_at_index(i).id for i in range(menu.option_count)]
            for section in ("new-transaction", "students", "my-transactions", "approvals", "files", "announcements"):
                assert section in ids

    run(body)


def test_group_money_typed_row_by_row_and_confirmed(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "new-transaction")
            await pilot.press(*"money", "enter")
            await settle(pilot)
            assert isinstance(app.screen, TransactionFormScreen)
            await choose(pilot, "field-money_type", "(reward)")
            await pilot.pause()
            assert app.focused is app.screen.query_one("#students-table")  # on to the amounts by itself
            # roster order: squad, then surname -> s1, s5 (Squad 1), s2 (Squad 2), s3, s4
            await pilot.press("1", "0", "enter", "2", ".", "5", "down", "7", "enter")
            await pilot.pause(0.5)
            await settle(pilot)
            summary = str(app.screen.query_one("#form-summary", Static).render())
            assert "Recipients: 3" in summary and "19.50@" in summary
            await pilot.press("f2")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, OfficeScreen)
            assert "Posted #" in str(app.screen.query_one("#last-posted", Static).render())
        assert balance(office.db, "s1") == GRANT + 1000
        assert balance(office.db, "s5") == GRANT + 250
        assert balance(office.db, "s2") == GRANT + 700
        assert balance(office.db, "s3") == GRANT
        assert balance(office.db, "t1") == -1950
        key, = query(office.path, "SELECT idempotency_key FROM txn WHERE type = 'general_money' "
                                  "AND creator_id = (SELECT id FROM account WHERE username = 't1')")[0]
        assert re.match(r"u:\d+:ui-", key), key

    run(body)


def test_a_seminar_with_marks_speaker_and_attendees(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "new-transaction")
            await pilot.press(*"seminar", "enter")
            await settle(pilot)
            await choose(pilot, "field-block", "seminar_1")
            await pilot.pause()
            await focus_on(pilot, "#field-speaker", most=0)  # the next field to fill has the focus
            await pilot.press("s", "3", "enter")
            await pilot.pause()
            await focus_on(pilot, "#marks-table", most=0)
            for _ in range(9):  # every criterion allows 1: mark 9 -> 5 * 9 = 45@
                await pilot.press("1", "enter")
            await focus_on(pilot, "#students-table")
            await pilot.press("space", "down", "space")  # s1 ticked, s5 skipped, s2 ticked
            await pilot.pause(0.5)
            await settle(pilot)
            await pilot.press("f2")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, OfficeScreen)
        assert balance(office.db, "s3") == GRANT + 4500
        counters = cached_counters(office.path)
        assert counters[("s3", "seminar_pass")] == 1
        assert counters[("s1", "seminar_attend")] == 1 and counters[("s2", "seminar_attend")] == 1
        assert ("s5", "seminar_attend") not in counters

    run(body)


def test_a_refused_preview_posts_nothing_and_says_why(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "new-transaction")
            await pilot.press(*"fine", "enter")
            await settle(pilot)
            await focus_on(pilot, "#students-table")
            await pilot.press("5", "enter")
            await pilot.press("f2")  # no fine type chosen
            await settle(pilot)
            assert isinstance(app.screen, TransactionFormScreen)
            assert any("fine_type" in str(n.message) for n in app._notifications)
        assert balance(office.db, "s1") == GRANT

    run(body)


def test_the_form_submits_once_however_often_it_is_confirmed(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            screen = TransactionFormScreen("general_money")
            app.push_screen(screen)
            await settle(pilot)
            payload = {"type": "general_money", "money_type": "reward", "amounts": {"s1": "3"},
                       "idempotency_key": screen.idempotency_key}
            screen._post(payload)
            screen._post(payload)  # a second press while the first is under way
            await settle(pilot)
        assert balance(office.db, "s1") == GRANT + 300
        assert query(office.path, "SELECT count(*) FROM txn WHERE type = 'general_money' AND "
                                  "creator_id = (SELECT id FROM account WHERE username = 't1')")[0][0] == 1

    run(body)


def test_keystrokes_for_a_workout_of_thirty(tmp_path: Path, today, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """From the dashboard: menu -> new transaction -> workout -> tick 30 -> preview -> confirm."""
    from argon2 import PasswordHasher

    monkeypatch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    camp = initialise(tmp_path / "big.db", manager="manager", manager_password="manager-pass-1")
    populated = populate(camp.database, students=32, staff=1, managers=0)

    async def body() -> None:
        app = make_app(populated)
        keys = ["down", "tab", "w", "enter", *(["space"] * 30), "f2", "enter"]
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            for key in keys:
                await pilot.press(key)
                if key in ("enter", "f2"):
                    await settle(pilot)
            await settle(pilot)
            assert isinstance(app.screen, OfficeScreen)
        assert len(keys) == 36
        rows = query(camp.database.path, "SELECT count(*) FROM counter_entry WHERE counter_type = 'workout'")
        assert rows[0][0] == 30

    run(body)
    camp.database.dispose()


def test_a_lab_with_two_partners_and_their_amounts(office) -> None:
    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "new-transaction")
            await pilot.press(*"lab", "enter")
            await settle(pilot)
            await focus_on(pilot, "#partner-1", most=0)
            await pilot.press(*"student02", "enter", "1", "2", "tab", *"s4", "enter", "8", ".", "5")
            await pilot.pause(0.5)
            await settle(pilot)
            assert "Recipients: 2" in str(app.screen.query_one("#form-summary", Static).render())
            await pilot.press("f2")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, OfficeScreen)
        assert balance(office.db, "s2") == GRANT + 1200
        assert balance(office.db, "s4") == GRANT + 850
        assert cached_counters(office.path)[("s4", "lab_pass")] == 1

    run(body)

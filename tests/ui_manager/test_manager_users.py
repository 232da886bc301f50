"""Users from the UI: add (password shown once), reset a password, deactivate, import a roster."""

from __future__ import annotations

from pathlib import Path

from helpers import query
from manager_pilot import Seeded, open_section, run, settle, sign_in
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Select, Static

from campbank.app import CampBankApp
from campbank.ledger.actions import auth
from campbank.screens.manager.user_add import AddUserDialog
from campbank.screens.manager.user_import import ImportRosterScreen
from campbank.widgets.ask import Told
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.vim_table import VimTable

HEADER = "last_name,first_name,middle_name,squad,grade,role,username,password\n"


def told_secret(pilot: Pilot) -> str:
    screen = pilot.app.screen
    assert isinstance(screen, Told)
    return str(screen.query_one("#told-secret", Static).render())


async def select_user(pilot: Pilot, username: str) -> None:
    table = pilot.app.screen.query_one("#users-table", VimTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(username))
    await pilot.pause()


def test_add_a_user_then_reset_their_password(seeded: Seeded) -> None:
    shown: dict[str, str] = {}

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "users")
        table = pilot.app.screen.query_one("#users-table", VimTable)
        before = table.row_count
        table.focus()
        await pilot.press("a")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, AddUserDialog)
        form.query_one("#u-last", Input).value = "Newcomer"
        form.query_one("#u-first", Input).value = "Nina"
        form.query_one("#u-squad", Select).value = "Squad 2"
        form.query_one("#u-grade", Select).value = 9
        form.query_one("#u-username", Input).value = "newcomer.n"
        await pilot.click("#add")
        await settle(pilot)
        shown["first"] = told_secret(pilot).removeprefix("Password: ")
        await pilot.press("enter")  # OK
        await settle(pilot)
        table = pilot.app.screen.query_one("#users-table", VimTable)
        assert table.row_count == before + 1

        await select_user(pilot, "newcomer.n")
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        shown["second"] = told_secret(pilot)
        await pilot.press("escape")
        await pilot.pause()

    run(CampBankApp(seeded.db), script)
    assert query(seeded.db.path, "SELECT role, squad, grade, balance FROM account WHERE username = 'newcomer.n'") \
        == [("student", "Squad 2", 9, 12_000)]
    assert shown["first"] != shown["second"]
    actor = auth.sign_in(seeded.db, "newcomer.n", shown["second"])
    assert actor.username == "newcomer.n"


def test_a_refused_field_keeps_the_form_open_with_the_reason(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "users")
        pilot.app.screen.query_one("#users-table", VimTable).focus()
        await pilot.press("a")
        await pilot.pause()
        form = pilot.app.screen
        form.query_one("#u-last", Input).value = "Nobody"
        await pilot.click("#add")  # no first name
        await settle(pilot)
        assert pilot.app.screen is form
        assert "first_name" in str(form.query_one("#add-user-error", Static).render())

    run(CampBankApp(seeded.db), script)


def test_deactivate_asks_first(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "users")
        await select_user(pilot, "s5")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        row = pilot.app.screen.query_one("#users-table", VimTable).get_row("s5")
        assert str(row[5]) == "inactive"

    run(CampBankApp(seeded.db), script)
    assert query(seeded.db.path, "SELECT active FROM account WHERE username = 's5'") == [(0,)]


def test_a_bad_roster_lists_every_bad_row_and_imports_nothing(seeded: Seeded, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "Ok,Olga,,Squad 1,8,student,,\n,Nameless,,Squad 1,8,student,,\n"
                      "Bad,Grade,,Squad 1,42,student,,\nBad,Squad,,Squad 99,8,student,,\n", encoding="utf-8")
    people = query(seeded.db.path, "SELECT COUNT(*) FROM account")

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "users")
        pilot.app.screen.query_one("#users-table", VimTable).focus()
        await pilot.press("i")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ImportRosterScreen)
        screen.query_one("#roster-path", Input).value = str(roster)
        await pilot.click("#preview")
        await settle(pilot)
        problems = str(screen.query_one("#import-problem-text", Static).render())
        assert all(f"line {n}" in problems for n in (3, 4, 5)), problems
        assert screen.query_one("#import", Button).disabled

    run(CampBankApp(seeded.db), script)
    assert query(seeded.db.path, "SELECT COUNT(*) FROM account") == people


def test_a_roster_is_previewed_then_imported_with_a_credentials_file(seeded: Seeded, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "Fresh,Fedor,,Squad 1,8,student,,\nFresh,Fekla,,Squad 2,9,student,,\n",
                      encoding="utf-8")
    credentials = tmp_path / "credentials.xlsx"

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "users")
        pilot.app.screen.query_one("#users-table", VimTable).focus()
        await pilot.press("i")
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#roster-path", Input).value = str(roster)
        await pilot.click("#preview")
        await settle(pilot)
        assert screen.query_one("#import-plan", DataTable).row_count == 2
        assert screen.query_one("#import", Button).disabled  # passwords need a credentials file
        screen.query_one("#credentials-path", Input).value = str(credentials)
        await pilot.click("#preview")
        await settle(pilot)
        assert query(seeded.db.path, "SELECT COUNT(*) FROM account WHERE last_name = 'Fresh'") == [(0,)]
        assert not screen.query_one("#import", Button).disabled
        await pilot.click("#import")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ImportRosterScreen)

    run(CampBankApp(seeded.db), script)
    assert query(seeded.db.path, "SELECT COUNT(*) FROM account WHERE last_name = 'Fresh'") == [(2,)]
    assert credentials.exists()

"""Staff screens under hostile text: what students and other staff typed is shown literally everywhere
(approvals, the students' list and card, the season's names and labels, announcements, files), and every
field staff type into refuses control characters naming the field, or keeps the text as typed."""

from __future__ import annotations

from pathlib import Path

from camps import HOSTILE_LABEL, HOSTILE_LAST_NAME, HOSTILE_SQUAD, SEASON_NAME
from helpers import STAFF_PASSWORD, p2p, query
from hostile import (
    HOSTILE,
    SAMPLE,
    assert_alive,
    assert_terminal_safe,
    choose,
    clear_notifications,
    fill,
    flat,
    message_of,
    notifications,
    reaches_terminal,
    refused,
    run,
    settle,
    sign_in,
)
from textual.widgets import DataTable

from campbank.app import CampBankApp
from campbank.ledger.actions.notices import MAX_TITLE
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.prepare import MAX_DESCRIPTION
from campbank.ledger.verify import verify_file
from campbank.screens.office import OfficeScreen
from campbank.screens.staff.announcements import AnnouncementDialog, AnnouncementsPane
from campbank.screens.staff.files import AddFileDialog, FilesPane
from campbank.screens.staff.new_transaction import NewTransactionPane
from campbank.screens.staff.student_detail import StudentDetailScreen
from campbank.screens.staff.transaction_form import TransactionFormScreen
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.group_entry import GroupEntry

ACCEPTED = {name: text for name, text in HOSTILE.items() if not refused(text, limit=MAX_DESCRIPTION)}


def office(camp) -> CampBankApp:  # type: ignore[no-untyped-def]
    return CampBankApp(camp.db, idle_seconds=3600)


async def open_section(pilot, section: str) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    assert isinstance(screen, OfficeScreen)
    screen.show_section(section)
    await settle(pilot)


def test_what_students_typed_is_shown_literally_to_staff(hostile_camp) -> None:  # type: ignore[no-untyped-def]
    camp = hostile_camp
    for text in ACCEPTED.values():  # requests waiting for approval, with every comment the filter lets in
        post(camp.db, camp.actor("markov.b"), p2p("s1", "0.01", text))

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "t1", STAFF_PASSWORD)
        screen = flat(assert_terminal_safe(app))
        assert SEASON_NAME in screen or "t1" in screen
        await open_section(pilot, "approvals")
        screen = flat(assert_terminal_safe(app))
        for text in ("thanks [/b]", "[bold red]boo", "[link=x]y[/link]", '=HYPERLINK("http://x","y")', "@SUM(A1)"):
            assert text in screen, text
        assert HOSTILE_LAST_NAME in screen
        await open_section(pilot, "students")
        for typed in SAMPLE.values():
            await fill(pilot, "#students-search", typed)
            await pilot.pause(0)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
        await fill(pilot, "#students-search", "Markov")
        await pilot.pause(0)
        screen = flat(assert_terminal_safe(app))
        assert HOSTILE_LAST_NAME in screen and HOSTILE_SQUAD in screen
        app.push_screen(StudentDetailScreen("markov.b"))
        await settle(pilot)
        screen = flat(assert_terminal_safe(app))
        assert HOSTILE_LAST_NAME in screen and HOSTILE_SQUAD in screen
        await pilot.press("escape")
        for section in ("dashboard", "statistics", "reports", "my-transactions", "announcements"):
            await open_section(pilot, section)
            assert_terminal_safe(app)
        assert_alive(app)

    run(office(camp), script)


def test_a_transaction_form_under_hostile_text(hostile_camp) -> None:  # type: ignore[no-untyped-def]
    camp = hostile_camp

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "t1", STAFF_PASSWORD)
        await open_section(pilot, "new-transaction")
        for typed in SAMPLE.values():  # the type filter
            await fill(pilot, "#type-filter", typed)
            await pilot.pause(0)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
        app.screen.query_one(NewTransactionPane).open_form("general_money")
        await settle(pilot)
        assert isinstance(app.screen, TransactionFormScreen)
        await choose(pilot, "field-money_type", "(reward)")  # the season's label holds markup
        assert HOSTILE_LABEL in flat(assert_terminal_safe(app))
        table = app.screen.query_one("#students-table", GroupEntry)
        for name, typed in SAMPLE.items():  # a cell filled from a payload (a template) with hostile text
            table.set_values("amounts", {"s1": typed})
            await pilot.press("f2")
            await settle(pilot)
            assert any("Fix these cells first" in n for n in notifications(app)), name
            assert isinstance(app.screen, TransactionFormScreen)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
            clear_notifications(app)
        table.set_values("amounts", {"s1": "1"})
        for name, typed in HOSTILE.items():  # the description: refused naming it, or previewed as typed
            await fill(pilot, "#field-description", typed)
            await pilot.press("f2")
            await settle(pilot)
            if refused(typed, limit=MAX_DESCRIPTION):
                assert any(n.startswith("description: ") for n in notifications(app)), (name, notifications(app))
                assert isinstance(app.screen, TransactionFormScreen)
            else:
                assert isinstance(app.screen, ConfirmDialog), name
                assert typed in flat(assert_terminal_safe(app)), name
                await pilot.press("escape")
                await settle(pilot)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
            clear_notifications(app)
        await fill(pilot, "#field-description", "thanks [/b] [bold red]")
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OfficeScreen)
        assert_alive(app)

    run(office(camp), script)
    assert query(camp.path, "SELECT COUNT(*) FROM txn WHERE description = 'thanks [/b] [bold red]'") == [(1,)]
    assert verify_file(camp.path).ok


def test_announcements_and_files_under_hostile_text(hostile_camp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    camp = hostile_camp
    menu = tmp_path / "menu.md"
    menu.write_text("# Menu\n\nSoup [/b] and [link=x]bread[/link] \x1b]0;pwned\x07\n", encoding="utf-8")

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "t1", STAFF_PASSWORD)
        await open_section(pilot, "announcements")
        for name, typed in SAMPLE.items():  # the title
            if not isinstance(app.screen, AnnouncementDialog):
                app.screen.query_one(AnnouncementsPane).action_announce()
                await settle(pilot)
            await fill(pilot, "#announce-title", typed)
            await pilot.press("ctrl+s")
            await settle(pilot)
            if refused(typed, limit=MAX_TITLE):
                assert any(n.startswith("title: ") for n in notifications(app)), (name, notifications(app))
                assert isinstance(app.screen, AnnouncementDialog)
            else:
                assert not isinstance(app.screen, AnnouncementDialog), name
                assert typed in flat(assert_terminal_safe(app)), name
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
            clear_notifications(app)
        if not isinstance(app.screen, AnnouncementDialog):  # the text: several lines, tabs allowed
            app.screen.query_one(AnnouncementsPane).action_announce()
            await settle(pilot)
        await fill(pilot, "#announce-title", "Menu")
        area = app.screen.query_one("#announce-text")
        area.focus()
        area.insert("Soup\n\tbread " + HOSTILE["OSC retitle"])  # a paste: shown safely, then refused
        await pilot.pause(0)
        assert_terminal_safe(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(n.startswith("text: contains an escape character") for n in notifications(app))
        await pilot.press("escape")
        await open_section(pilot, "files")
        for name, typed in SAMPLE.items():  # a path that is no file, then a hostile name for a real file
            for path, share_as, field in ((typed, "", "path"), (str(menu), typed, "name")):
                app.screen.query_one(FilesPane).action_add_file()
                await settle(pilot)
                assert isinstance(app.screen, AddFileDialog)
                await fill(pilot, "#add-file-path", path)
                await fill(pilot, "#add-file-name", share_as)
                await pilot.press("enter")
                await settle(pilot)
                said = notifications(app)
                if isinstance(app.screen, AddFileDialog):  # refused: said inside the dialog, which stays open
                    said.append(str(app.screen.query_one("#add-file-message").render()))
                    assert_terminal_safe(app)
                    await pilot.press("escape")
                    await settle(pilot)
                assert any(n.startswith(f"{field}: ") or n.startswith("Added ") for n in said), (name, said)
                assert_alive(app)
                if reaches_terminal(typed):
                    assert_terminal_safe(app)
                clear_notifications(app)
        screen = flat(assert_terminal_safe(app))  # the markdown file, its escape sequence made visible
        assert "Soup [/b] and" in screen
        assert_alive(app)

    run(office(camp), script)
    assert verify_file(camp.path).ok


def test_the_office_shows_text_stored_before_the_filter_without_reaching_the_terminal(old_camp) -> None:  # type: ignore[no-untyped-def]
    """An old database may hold escape sequences: every screen shows them as visible placeholders."""

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await settle(pilot)
        assert "␛" in assert_terminal_safe(app)  # the login screen: the season's name and an announcement
        await sign_in(pilot, "manager", "manager-pass-1")
        for section in ("students", "transactions", "users", "files", "announcements"):
            await open_section(pilot, section)
            assert_terminal_safe(app)
            assert_alive(app)
        await open_section(pilot, "approvals")
        for _ in range(50):  # the waiting transfer shows once the section's read is in (slower on a busy machine)
            if "old ␛]0;PWNED␇␛[2J" in flat(assert_terminal_safe(app)):
                break
            await pilot.pause(0.1)
        shown = flat(assert_terminal_safe(app))
        table = app.screen.query_one("#approvals-table", DataTable)
        assert "old ␛]0;PWNED␇␛[2J" in shown, (  # what was read, shown and said, if not
            table.row_count, message_of(app, "#approvals-note"), notifications(app), shown[-900:])

    run(office(old_camp), script)

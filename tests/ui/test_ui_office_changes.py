"""The office: files kept when a path is wrong, removed with a reason; announcements edited and withdrawn;
rejections and cancels that say why; My transactions opens a transaction with Enter."""

from __future__ import annotations

from pathlib import Path

from helpers import audit_details, money, p2p, txn_state
from pilot_steps import make_app, open_section, run, settle, sign_in
from textual.widgets import DataTable, Input, OptionList, Static

from campbank.ledger.actions import files, notices
from campbank.ledger.actions.posting import post
from campbank.screens.manager.transaction_detail import TransactionDetailScreen
from campbank.screens.staff.announcements import AnnouncementDialog
from campbank.screens.staff.files import AddFileDialog
from campbank.widgets.ask import ConfirmReason


def test_a_wrong_path_is_said_in_the_dialog_which_keeps_what_was_typed(office, today, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "menu.md"
    good.write_text("# Menu\n")

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "files")
            await pilot.press("a")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, AddFileDialog)
            await pilot.press(*str(tmp_path / "menu.nd"), "enter", *"menus/monday.md", "enter")
            await settle(pilot)
            assert app.screen is dialog
            assert "no file at" in str(dialog.query_one("#add-file-message", Static).render())
            assert dialog.query_one("#add-file-name", Input).value == "menus/monday.md"
            assert app.focused is dialog.query_one("#add-file-path", Input)
            await pilot.press("backspace", "backspace", *"md", "enter", "enter")
            await settle(pilot)
            assert not isinstance(app.screen, AddFileDialog)
            assert app.screen.query_one("#files-list", DataTable).row_count == 1

    run(body)
    assert files.read_file(office.db, office.actor("s1"), "menus/monday.md").text == "# Menu\n"


def test_a_shared_file_is_removed_from_the_office_with_a_reason(office, today) -> None:  # type: ignore[no-untyped-def]
    files.add_file(office.db, office.actor("t2"), "old-menu.md", b"soup")
    files.add_file(office.db, office.actor("t2"), "rules.md", b"be kind")

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "files")
            listing = app.screen.query_one("#files-list", DataTable)
            listing.focus()
            await pilot.press("delete")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmReason)
            await pilot.press(*"last week's", "enter")
            await settle(pilot)
            assert listing.row_count == 1 and listing.get_row_at(0)[0].plain == "rules.md"

    run(body)
    assert [f.name for f in files.list_files(office.db, office.actor("s1"))] == ["rules.md"]
    assert audit_details(office.db, "file.remove") == [{"reason": "last week's", "versions": 1}]


def test_an_announcement_is_edited_then_withdrawn_from_the_office(office, today) -> None:  # type: ignore[no-untyped-def]
    notices.announce(office.db, office.actor("t1"), title="Lake open", text="swim at 10", until=today)

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "announcements")
            listing = app.screen.query_one("#announce-list", OptionList)
            listing.focus()
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, AnnouncementDialog)
            assert app.screen.query_one("#announce-title", Input).value == "Lake open"
            app.screen.query_one("#announce-title", Input).value = "Lake closed"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert "Lake closed" in str(listing.get_option_at_index(0).prompt)
            await pilot.press("w")
            await settle(pilot)
            await pilot.press(*"storm", "enter")
            await settle(pilot)
            assert listing.option_count == 0

    run(body)
    assert notices.current(office.db, today) == []
    assert [d["reason"] for d in audit_details(office.db, "announcement.withdraw")] == ["storm"]


def test_a_rejection_needs_a_reason_and_the_student_sees_it(office, today) -> None:  # type: ignore[no-untyped-def]
    request = post(office.db, office.actor("s1"), p2p("s2", "5")).id

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "approvals")
            app.screen.query_one("#approvals-table", DataTable).focus()
            await pilot.press("r")
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, ConfirmReason)
            await pilot.press("enter")  # no reason: the dialog stays and says so
            await settle(pilot)
            assert app.screen is dialog and "say why" in str(dialog.query_one("#reason-missing", Static).render())
            await pilot.press(*"ask your counsellor", "enter")
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmReason)

    run(body)
    assert txn_state(office.db, request) == "declined"
    from campbank.ledger.views.accounts import my_requests

    assert my_requests(office.db, office.actor("s1"))[0].decision == "rejected by Teacher1 Tom: ask your counsellor"


def test_enter_on_my_transactions_opens_it_and_a_cancel_there_says_why(office, today) -> None:  # type: ignore[no-untyped-def]
    posted = post(office.db, office.actor("t1"), money({"s3": "4", "s4": "5"})).id

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "my-transactions")
            app.screen.query_one("#mine-table", DataTable).focus()
            await pilot.press("enter")
            await settle(pilot)
            detail = app.screen
            assert isinstance(detail, TransactionDetailScreen) and detail.transaction_id == posted
            assert detail.query_one("#detail-money", DataTable).row_count == 2
            await pilot.press("c")
            await settle(pilot)
            await pilot.press(*"wrong squad", "enter")
            await settle(pilot)
            facts = str(detail.query_one("#detail-facts", Static).render())
            assert "cancelled by Teacher1 Tom: wrong squad" in facts
            await pilot.press("escape")
            await settle(pilot)
            state = app.screen.query_one("#mine-table", DataTable).get_row_at(0)[5]
            assert str(state) == "cancelled"

    run(body)
    assert txn_state(office.db, posted) == "declined"

"""The manager's screens under hostile text: users (filter, add, import), the table of transactions (filter,
detail, cancel reason), tax and fines, exports, the audit log and the idle lock. Each field refuses
control characters naming the field, or keeps the text as typed; nothing is parsed as markup."""

from __future__ import annotations

from camps import HOSTILE_LAST_NAME
from helpers import MANAGER_PASSWORD, p2p
from hostile import (
    SAMPLE,
    assert_alive,
    assert_terminal_safe,
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
from textual.widgets import Button, Select

from campbank.app import CampBankApp
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.states import MAX_REASON
from campbank.ledger.verify import verify_file
from campbank.screens.lock import LockScreen
from campbank.screens.manager.charges_tax import TaxPanel
from campbank.screens.manager.transaction_detail import TransactionDetailScreen
from campbank.screens.manager.transaction_filter import TransactionFilterForm
from campbank.screens.manager.transactions import TransactionsPane
from campbank.screens.manager.user_add import AddUserDialog
from campbank.screens.manager.user_import import ImportRosterScreen
from campbank.screens.manager.users import UsersPane
from campbank.screens.office import OfficeScreen
from campbank.widgets.ask import ConfirmReason

FIELDS = {"#u-last": "last_name", "#u-first": "first_name", "#u-middle": "middle_name", "#u-username": "username"}


def office(camp) -> CampBankApp:  # type: ignore[no-untyped-def]
    return CampBankApp(camp.db, idle_seconds=3600)


async def open_section(pilot, section: str) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    assert isinstance(screen, OfficeScreen)
    screen.show_section(section)
    await settle(pilot)


def checked(app, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert_alive(app)
    if reaches_terminal(typed):
        assert_terminal_safe(app)


def test_users_audit_and_the_lock_under_hostile_text(hostile_camp) -> None:  # type: ignore[no-untyped-def]
    camp = hostile_camp

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "manager", MANAGER_PASSWORD)
        await open_section(pilot, "users")
        assert HOSTILE_LAST_NAME in flat(assert_terminal_safe(app))
        for typed in SAMPLE.values():
            await fill(pilot, "#users-filter", typed)
            await pilot.pause(0)
            checked(app, typed)
        await fill(pilot, "#users-filter", "")
        texts = list(SAMPLE.values())
        for turn in range(len(texts)):  # the add dialog: each of its four fields gets each text once
            app.screen.query_one(UsersPane).action_add()
            await settle(pilot)
            app.screen.query_one("#u-role", Select).value = "staff"  # no squad or grade needed
            typed = dict(zip(FIELDS, (texts * 2)[turn:turn + len(FIELDS)], strict=True))
            for where, value in typed.items():
                await fill(pilot, where, value)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, AddUserDialog)  # no username can hold any of these
            shown = message_of(app, "#add-user-error")
            assert shown.split(":")[0] in FIELDS.values(), shown  # refused, naming a field
            for value in typed.values():
                checked(app, value)
            await pilot.press("escape")
            await settle(pilot)
        app.screen.query_one(UsersPane).action_import_roster()
        await settle(pilot)
        assert isinstance(app.screen, ImportRosterScreen)
        for typed in SAMPLE.values():  # the roster's path and the credentials' path
            for roster, credentials in ((typed, ""), (str(camp.path.parent / "none.csv"), typed)):
                await fill(pilot, "#roster-path", roster)
                await fill(pilot, "#credentials-path", credentials)
                await pilot.press("enter")
                await settle(pilot)
                assert app.screen.query_one("#import", Button).disabled  # nothing can be imported
                checked(app, typed)
        await pilot.press("escape")
        await settle(pilot)
        await open_section(pilot, "audit")
        for typed in SAMPLE.values():
            await fill(pilot, "#audit-prefix", typed)
            await pilot.press("enter")
            await settle(pilot)
            checked(app, typed)
        app.push_screen(LockScreen(app.actor))  # the idle lock: a password of any text is only wrong
        await settle(pilot)
        for typed in SAMPLE.values():
            await fill(pilot, "#lock-password", typed)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, LockScreen) and message_of(app, "#lock-message")
            checked(app, typed)

    run(office(camp), script)
    assert verify_file(camp.path).ok


def test_transactions_charges_and_exports_under_hostile_text(hostile_camp) -> None:  # type: ignore[no-untyped-def]
    camp = hostile_camp
    request = post(camp.db, camp.actor("markov.b"), p2p("s1", "1", "thanks [/b] [link=x]y[/link]")).id

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "manager", MANAGER_PASSWORD)
        await open_section(pilot, "transactions")
        pane = app.screen.query_one(TransactionsPane)
        texts = list(SAMPLE.values())
        for turn in range(len(texts)):  # the filter's text, creator and receiver: each box gets each text
            pane.action_filter()
            await settle(pilot)
            assert app.screen.query_one(TransactionFilterForm).display
            for box, typed in zip(("#f-text", "#f-creator", "#f-receiver"), texts[turn:] + texts[:turn],
                                  strict=True):
                await fill(pilot, box, typed)
            await pilot.press("enter")
            await settle(pilot)
            for typed in texts:
                checked(app, typed)
            shown = texts[turn]  # what the text box got: the status line says what is filtered
            if len(shown) < 60 and not reaches_terminal(shown):
                assert shown in flat(assert_terminal_safe(app))
            pane.action_clear_filter()
            await settle(pilot)
        app.push_screen(TransactionDetailScreen(request))
        await settle(pilot)
        assert "thanks [/b] [link=x]y[/link]" in flat(assert_terminal_safe(app))
        for name, typed in SAMPLE.items():  # the reason to cancel it
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmReason)
            await fill(pilot, "#reason", typed)
            await pilot.press("enter")
            await settle(pilot)
            if refused(typed, limit=MAX_REASON):
                assert any(n.startswith("reason: ") for n in notifications(app)), (name, notifications(app))
                assert isinstance(app.screen, TransactionDetailScreen)
            checked(app, typed)
            clear_notifications(app)
            if not refused(typed, limit=MAX_REASON):
                break  # cancelled, with this reason in the audit log
        await pilot.press("escape")
        await settle(pilot)
        await open_section(pilot, "charges")
        panel = app.screen.query_one(TaxPanel)
        for name, typed in SAMPLE.items():  # the dates, then the reason to void a day
            await fill(pilot, "#tax-date", typed)
            await pilot.click("#tax-preview")
            await settle(pilot)
            assert any(n.startswith("date: ") for n in notifications(app)), (name, notifications(app))
            checked(app, typed)
            clear_notifications(app)
            panel.ask_void(None)
            await settle(pilot)
            await fill(pilot, "#reason", typed)
            await pilot.press("enter")
            await settle(pilot)
            expected = "reason: " if refused(typed, limit=MAX_REASON) else "date: there is no counted tax"
            assert any(n.startswith(expected) for n in notifications(app)), (name, notifications(app))
            checked(app, typed)
            clear_notifications(app)
        await open_section(pilot, "export")
        for name, typed in SAMPLE.items():  # the paths of the workbook and of a raw export
            for box, button in (("#xlsx-path", "#xlsx-write"), ("#raw-path", "#raw-write")):
                await fill(pilot, box, typed)
                await pilot.click(button)
                await settle(pilot)
                assert message_of(app, "#export-message").startswith("Refused: "), (name, box)
                checked(app, typed)
                clear_notifications(app)

    run(office(camp), script)
    assert verify_file(camp.path).ok

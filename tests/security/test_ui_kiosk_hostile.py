"""The kiosk under hostile text: every input a student reaches gets markup, escape sequences, control
characters, direction overrides, 10,000 characters and formulas. The kiosk never exits or starts over,
shows what was typed literally or refuses it naming the field, and nothing reaches the terminal raw."""

from __future__ import annotations

from camps import ANNOUNCEMENT_TITLE, HOSTILE_LAST_NAME, SEASON_NAME
from helpers import STUDENT_PASSWORD, query
from hostile import (
    HOSTILE,
    SAMPLE,
    assert_alive,
    assert_terminal_safe,
    fill,
    flat,
    message_of,
    reaches_terminal,
    refused,
    run,
    settle,
    sign_in,
)
from textual.command import CommandPalette
from textual.widgets import DataTable, OptionList, TabbedContent

from campbank.app import CampBankApp
from campbank.ledger.actions.auth import MAX_TYPED_USERNAME
from campbank.ledger.actions.prepare import MAX_DESCRIPTION
from campbank.ledger.verify import verify_file
from campbank.screens.login import LoginScreen
from campbank.screens.student.home import StudentScreen
from campbank.screens.student.transfer import TransferView


async def ask(pilot, amount: str, comment: str) -> str:  # type: ignore[no-untyped-def]
    """Ask to send `amount` to Markov with `comment` (Markov chosen as the first test chose him from the
    list); returns the message the form shows."""
    view = pilot.app.screen.query_one(TransferView)
    view.receiver = next(p for p in view.people if p.username == "markov.b")
    await fill(pilot, "#amount", amount)
    await fill(pilot, "#comment", comment)
    await pilot.press("enter")
    await settle(pilot)
    return message_of(pilot.app, "#transfer-message")


async def open_tab(pilot, tab: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one("#student-tabs", TabbedContent).active = tab
    await settle(pilot)


def test_the_kiosk_login_form_and_what_it_shows(hostile_camp) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await settle(pilot)
        text = flat(assert_terminal_safe(app))
        assert SEASON_NAME in text and ANNOUNCEMENT_TITLE in text and "Soup [bold red]and[/] bread" in text
        for name, typed in SAMPLE.items():  # as a username (nobody has it)
            await sign_in(pilot, typed, "whatever-password")
            assert isinstance(app.screen, LoginScreen), name
            shown = message_of(app, "#login-message")
            bad = refused(typed, limit=MAX_TYPED_USERNAME, name=True)
            assert ("username: " if bad else "wrong username or password") in shown, (name, shown)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
        for name, typed in SAMPLE.items():  # as a password (a wrong one; s5 ends up locked out)
            await sign_in(pilot, "s5", typed)
            assert isinstance(app.screen, LoginScreen), name
            assert message_of(app, "#login-message"), name
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)

    run(CampBankApp(hostile_camp.db, kiosk=True), script)


def test_the_transfer_form_under_hostile_text(hostile_camp) -> None:  # type: ignore[no-untyped-def]
    camp = hostile_camp
    requests_before = query(camp.path, "SELECT COUNT(*) FROM txn WHERE type = 'p2p'")[0][0]

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        assert isinstance(app.screen, StudentScreen)
        await open_tab(pilot, "tab-transfer")
        for typed in SAMPLE.values():  # the receiver search only filters the list
            await fill(pilot, "#who", typed)
            await pilot.pause(0)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
        await fill(pilot, "#who", "Markov")  # a classmate whose name holds markup, shown literally
        await pilot.pause(0)
        assert app.screen.query_one("#who-matches", OptionList).option_count == 1
        assert HOSTILE_LAST_NAME in flat(assert_terminal_safe(app))
        await pilot.press("enter", "enter")  # chosen from the list as a student does
        assert app.screen.query_one(TransferView).receiver is not None
        for name, typed in SAMPLE.items():  # the amount: refused naming the field
            shown = await ask(pilot, typed, "for the cake")
            assert shown.startswith("amount: "), (name, shown)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
        for name, typed in HOSTILE.items():  # the comment: refused naming the field, or sent as typed
            shown = await ask(pilot, "0.01", typed)
            expected = "description: " if refused(typed, limit=MAX_DESCRIPTION) else "Request #"
            assert shown.startswith(expected), (name, shown)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
        table = app.screen.query_one("#requests", DataTable)
        comments = {str(table.get_row_at(i)[3]) for i in range(table.row_count)}
        for name, typed in HOSTILE.items():
            assert (typed in comments) == (not refused(typed, limit=MAX_DESCRIPTION)), name
        screen = flat(assert_terminal_safe(app))
        assert "thanks [/b]" in screen and "[bold red]boo" in screen and "[link=x]y[/link]" in screen

    run(CampBankApp(camp.db, kiosk=True), script)
    sent = sum(not refused(typed, limit=MAX_DESCRIPTION) for typed in HOSTILE.values())
    assert query(camp.path, "SELECT COUNT(*) FROM txn WHERE type = 'p2p'")[0][0] == requests_before + sent
    assert verify_file(camp.path).ok


def test_the_history_filter_the_exit_dialog_and_keys_that_end_programs(hostile_camp) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "markov.b", STUDENT_PASSWORD)
        assert isinstance(app.screen, StudentScreen)
        text = flat(assert_terminal_safe(app))  # his own name, the season's name and the news
        assert HOSTILE_LAST_NAME in text or "markov.b" in text
        await open_tab(pilot, "tab-history")
        for typed in SAMPLE.values():
            await fill(pilot, "#history-filter", typed)
            await pilot.pause(0)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
        # Ctrl+C, Ctrl+Z, Ctrl+\ and the command palette's key: the kiosk stays, no palette opens
        await pilot.press("ctrl+c", "ctrl+z", "ctrl+backslash", "ctrl+p")
        await settle(pilot)
        assert not CommandPalette.is_open(app), "the command palette opened in the kiosk"
        assert_alive(app)
        await pilot.press("ctrl+q")  # closing needs a staff sign-in; hostile text there is refused
        await settle(pilot)
        for name, typed in SAMPLE.items():
            await fill(pilot, "#exit-username", typed)
            await pilot.press("enter")
            await fill(pilot, "#exit-password", "staff-pass-1")
            await pilot.press("enter")
            await settle(pilot)
            shown = message_of(app, "#exit-message")
            bad = refused(typed, limit=MAX_TYPED_USERNAME, name=True)
            assert ("username: " if bad else "wrong username or password") in shown, (name, shown)
            assert_alive(app)
            if reaches_terminal(typed):
                assert_terminal_safe(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, StudentScreen)
        assert_alive(app)

    run(CampBankApp(hostile_camp.db, kiosk=True), script)

"""Disputes through the terminal UI: a student opens one at the kiosk (about a line of their history, or a
general question), staff read and answer it in the office, then reject it (with a reason) or resolve it
(naming the fix, or cancelling the disputed transaction). What anyone types is shown literally, and what
the ledger refuses (empty, control characters) is refused on screen, naming the field, with nothing written.

Only the set-up calls the ledger directly; every step under test is a key or a click, and every check reads
the database (raw SQL) or what the widgets draw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers import STAFF_PASSWORD, STUDENT_PASSWORD, balance, checksum, fine, money, query, txn_state
from kiosk_support import run, settle, sign_in
from textual import events
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static

from campbank.app import CampBankApp
from campbank.ledger.actions import disputes
from campbank.ledger.actions.posting import post
from campbank.screens.disputes.dialog import DisputeDialog
from campbank.screens.disputes.thread import DisputeThreadScreen
from campbank.screens.office import OfficeScreen
from campbank.screens.student.home import StudentScreen
from campbank.widgets import live
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.key_footer import KeyFooter

MARKUP = "Not me [/b] [link=x]y[/link] [bold red]boom"
"""Rich markup that would vanish, link or close the app if anything read it as markup."""
ANSWER = "[/] ok [link=https://evil]here[/link]"


# --- set-up (the ledger, directly) ---------------------------------------------------------------------


def kiosk(camp) -> CampBankApp:  # type: ignore[no-untyped-def]
    return CampBankApp(camp.db, kiosk=True, idle_seconds=3600)


def office(camp) -> CampBankApp:  # type: ignore[no-untyped-def]
    return CampBankApp(camp.db, idle_seconds=3600)


def fined(camp) -> int:  # type: ignore[no-untyped-def]
    """s1 fined 15@ by t1 (so t1 may cancel it); the fine's id."""
    return post(camp.db, camp.actor("t1"), fine({"s1": "15"}, description="Noise after lights out")).id


def disputed(camp, text: str = "I was in the library") -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """s1's open dispute about t1's fine: (fine id, dispute id)."""
    fine_id = fined(camp)
    return fine_id, disputes.open_dispute(camp.db, camp.actor("s1"), text, transaction_id=fine_id).dispute_id


# --- reading what is there ----------------------------------------------------------------------------


def dispute_rows(camp) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    """(id, student, transaction, state, closed by, fixed by) of every dispute."""
    return query(camp.path, """
        SELECT d.id, s.username, d.transaction_id, d.state, c.username, d.fixed_by FROM dispute d
          JOIN account s ON s.id = d.student_id LEFT JOIN account c ON c.id = d.closed_by ORDER BY d.id""")


def messages_of(camp, dispute_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(author, text) of a dispute's thread, in order."""
    return query(camp.path, """
        SELECT a.username, m.text FROM dispute_message m JOIN account a ON a.id = m.author_id
         WHERE m.dispute_id = ? ORDER BY m.id""", (dispute_id,))


def drawn(widget: Widget) -> str:
    """What the widget draws on the terminal, line by line (markup, if anything read it so, is gone here)."""
    width, height = widget.outer_size
    region = Region(0, 0, width, height)
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(region))


def rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def notices(pilot: Pilot) -> list[str]:
    return [notice.message for notice in pilot.app._notifications]  # Textual keeps them here


def thread_messages(pilot: Pilot) -> str:
    return "\n".join(drawn(each) for each in pilot.app.screen.query(".message"))


# --- steps --------------------------------------------------------------------------------------------


async def open_tab(pilot: Pilot, tab: str) -> None:
    """Click a tab of the student's screen, then Tab into its table (as a student would)."""
    await pilot.click(f"#--content-tab-tab-{tab}")
    await settle(pilot)
    await pilot.press("tab")
    await settle(pilot)


async def open_section(pilot: Pilot, section_id: str) -> None:
    """Move down the office menu to a section and Tab into it."""
    screen = pilot.app.screen
    assert isinstance(screen, OfficeScreen)
    menu = screen.query_one("#menu", OptionList)
    menu.focus()
    await pilot.pause()
    steps = menu.get_option_index(section_id) - (menu.highlighted or 0)
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "tab")
    await settle(pilot)


async def open_first_thread(pilot: Pilot, section_table: str = "#disputes-table") -> DisputeThreadScreen:
    """Enter on the first line of the queue (or the student's list): its thread."""
    table = pilot.app.screen.query_one(section_table, DataTable)
    assert pilot.app.focused is table
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DisputeThreadScreen)
    return screen


async def staff_key(pilot: Pilot, key: str) -> None:
    """A key of the thread (x, s, r): the thread opens with the focus on its messages; after an answer, out of
    the reply box first (Tab), where it would be typed."""
    if pilot.app.focused is pilot.app.screen.query_one("#thread-reply"):
        await pilot.press("tab")
    assert pilot.app.focused is pilot.app.screen.query_one("#thread-messages")
    await pilot.press(key)
    await settle(pilot)


async def staff_answer(pilot: Pilot, text: str) -> None:
    """Staff: `a` into the reply box, then the answer."""
    assert pilot.app.focused is pilot.app.screen.query_one("#thread-messages")
    await pilot.press("a")
    assert pilot.app.focused is pilot.app.screen.query_one("#thread-reply")
    await type_and_send(pilot, text)


async def type_and_send(pilot: Pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await settle(pilot)


async def paste_and_send(pilot: Pilot, text: str) -> None:
    """Paste into the focused box, as a terminal delivers a paste, then Enter."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


def staff_session(camp, script: Callable[[Pilot], Any], who: str = "t1",  # type: ignore[no-untyped-def]
                  size: tuple[int, int] = (120, 40)) -> None:
    """The office, signed in as `who`, in the Disputes section; then `script`."""
    async def main(pilot: Pilot) -> None:
        await sign_in(pilot, who, STAFF_PASSWORD)
        assert isinstance(pilot.app.screen, OfficeScreen)
        await open_section(pilot, "disputes")
        await script(pilot)

    run(office(camp), main, size=size)


# --- 1, 2: the student opens one ----------------------------------------------------------------------


def test_a_student_disputes_the_selected_line_of_their_history(camp, today) -> None:  # type: ignore[no-untyped-def]
    fine_id = fined(camp)
    reward_id = post(camp.db, camp.actor("t1"), money({"s1": "3"}, description="Chess win")).id  # newer: on top

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        await open_tab(pilot, "history")
        history = pilot.app.screen.query_one("#history", DataTable)
        assert pilot.app.focused is history
        assert [row[4] for row in rows(history)[:2]] == ["Chess win", "Noise after lights out"]
        await pilot.press("down", "d")  # the fine's line, then "Dispute this"
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, DisputeDialog)
        assert f"#{fine_id}, 2018-08-10" in drawn(dialog.query_one(".dialog-body", Static))
        await type_and_send(pilot, "I was in the library at 23:00")
        assert isinstance(pilot.app.screen, StudentScreen)

        [(dispute_id, student, about, state, closer, fix)] = dispute_rows(camp)
        assert (student, about, state, closer, fix) == ("s1", fine_id, "open", None, None)
        assert about != reward_id
        assert messages_of(camp, dispute_id) == [("s1", "I was in the library at 23:00")]
        assert any(f"Dispute #{dispute_id} sent" in notice for notice in notices(pilot))
        assert [row[5] for row in rows(history)[:2]] == ["", "open: waiting for an answer"]

        # `d` again on the same line reads the open dispute instead of opening a second one
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DisputeThreadScreen) and pilot.app.screen.dispute_id == dispute_id
        await pilot.press("escape")
        await settle(pilot)
        assert len(dispute_rows(camp)) == 1

        # sending reloads the History tab only; F5 ("Refresh") reloads the Disputes tab too, rather than
        # leaving it to the once-a-second ledger watch
        await pilot.press("f5")
        await settle(pilot)
        await open_tab(pilot, "disputes")
        mine = pilot.app.screen.query_one("#my-disputes", DataTable)
        assert rows(mine) == [[f"#{dispute_id}", f"#{fine_id}", rows(mine)[0][2], "open: waiting for an answer",
                               "I was in the library at 23:00"]]
        thread = await open_first_thread(pilot, "#my-disputes")
        head = drawn(thread.query_one("#thread-head", Static))
        assert f"About: #{fine_id} Fine of 2018-08-10, -15.00@: Noise after lights out" in head
        assert "I was in the library at 23:00" in thread_messages(pilot)

    run(kiosk(camp), script)


def test_a_student_asks_a_general_question_from_the_disputes_tab(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot, "s2", STUDENT_PASSWORD)
        await open_tab(pilot, "disputes")
        note = pilot.app.screen.query_one("#my-disputes-note", Static)
        assert drawn(note).startswith("No disputes.")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DisputeDialog)
        before = checksum(camp.path)
        await type_and_send(pilot, "")  # nothing typed: the dialog stays and says so
        assert isinstance(pilot.app.screen, DisputeDialog)
        assert "Text: write what is wrong first." in notices(pilot)
        assert checksum(camp.path) == before
        await type_and_send(pilot, "When is the tax charged?")
        assert isinstance(pilot.app.screen, StudentScreen)

        [(dispute_id, student, about, state, _, _)] = dispute_rows(camp)
        assert (student, about, state) == ("s2", None, "open")
        assert messages_of(camp, dispute_id) == [("s2", "When is the tax charged?")]
        mine = pilot.app.screen.query_one("#my-disputes", DataTable)
        assert [(row[0], row[1], row[4]) for row in rows(mine)] == [
            (f"#{dispute_id}", "question", "When is the tax charged?")]
        assert not drawn(note).startswith("No disputes.")

    run(kiosk(camp), script)


def test_the_question_just_asked_takes_the_cursor_though_a_refresh_keeps_its_place(camp, today) -> None:  # type: ignore[no-untyped-def]
    """A change elsewhere refreshes the list keeping the cursor on its line; the question the student has just
    sent still takes the cursor, whichever of the two fills comes first."""
    _, earlier = disputed(camp)

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        await open_tab(pilot, "disputes")
        mine = pilot.app.screen.query_one("#my-disputes", DataTable)
        assert [row[0] for row in rows(mine)] == [f"#{earlier}"] and mine.cursor_row == 0
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Where is my grant?")
        mine.keep_place()  # what the live refresh does when the question's own commit wakes it first
        await pilot.press("enter")
        await settle(pilot)
        [asked] = [row[0] for row in dispute_rows(camp) if row[0] != earlier]
        assert [row[0] for row in rows(mine)] == [f"#{asked}", f"#{earlier}"]
        assert mine.cursor_row == 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DisputeThreadScreen) and pilot.app.screen.dispute_id == asked

    run(kiosk(camp), script)


# --- 3: staff read and answer; the student reads the answer ---------------------------------------------


def test_staff_see_the_count_and_the_queue_answer_and_the_student_reads_it(camp, today) -> None:  # type: ignore[no-untyped-def]
    fine_id, first = disputed(camp)
    second = disputes.open_dispute(camp.db, camp.actor("s2"), "Where is my olympiad prize?").dispute_id
    closed = disputes.open_dispute(camp.db, camp.actor("s3"), "Old question").dispute_id
    disputes.reject(camp.db, camp.manager, closed, "Asked and answered")

    async def in_office(pilot: Pilot) -> None:
        await sign_in(pilot, "t2", STAFF_PASSWORD)
        card = pilot.app.screen.query_one("#card-disputes", Static)
        assert str(card.render()) == "2\nopen disputes"
        await open_section(pilot, "disputes")
        queue = pilot.app.screen.query_one("#disputes-table", DataTable)
        assert [(row[0], row[1], row[3], row[5], row[7]) for row in rows(queue)] == [
            (f"#{first}", "Student01 Ann", f"#{fine_id}", "open: waiting for an answer", "I was in the library"),
            (f"#{second}", "Student02 Ann", "question", "open: waiting for an answer", "Where is my olympiad prize?"),
            (f"#{closed}", "Student03 Ann", "question", "rejected", "Old question")]
        assert drawn(pilot.app.screen.query_one("#disputes-note", Static)).startswith("2 open (2 not answered yet)")

        thread = await open_first_thread(pilot)
        assert thread.dispute_id == first
        await staff_answer(pilot, "Checking with the librarian.")
        assert messages_of(camp, first) == [("s1", "I was in the library"), ("t2", "Checking with the librarian.")]
        assert messages_of(camp, second) == [("s2", "Where is my olympiad prize?")]
        assert thread.query_one("#thread-reply", Input).value == ""
        shown = thread_messages(pilot)
        assert "Teacher2 Tom (staff)" in shown and "Checking with the librarian." in shown
        assert dispute_rows(camp)[0][3] == "open"  # an answer does not close it
        assert "State: open: answered" in drawn(thread.query_one("#thread-head", Static))  # as the queue says

    async def at_kiosk(pilot: Pilot) -> None:
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        await open_tab(pilot, "disputes")
        mine = pilot.app.screen.query_one("#my-disputes", DataTable)
        assert [(row[0], row[3]) for row in rows(mine)] == [(f"#{first}", "open: answered")]
        thread = await open_first_thread(pilot, "#my-disputes")
        shown = thread_messages(pilot)
        assert shown.index("I was in the library") < shown.index("Checking with the librarian.")
        assert "(staff)" in shown
        assert "State: open" in drawn(thread.query_one("#thread-head", Static))

    run(office(camp), in_office)
    run(kiosk(camp), at_kiosk)


# --- 4: closing -----------------------------------------------------------------------------------------


def test_rejecting_needs_a_reason(camp, today) -> None:  # type: ignore[no-untyped-def]
    fine_id, dispute_id = disputed(camp)

    async def script(pilot: Pilot) -> None:
        thread = await open_first_thread(pilot)
        await staff_key(pilot, "r")
        assert isinstance(pilot.app.screen, DisputeDialog)
        before = checksum(camp.path)
        await type_and_send(pilot, "")  # no reason: refused, the dialog stays, nothing written
        assert isinstance(pilot.app.screen, DisputeDialog)
        await type_and_send(pilot, "   ")
        assert isinstance(pilot.app.screen, DisputeDialog)
        assert checksum(camp.path) == before
        assert dispute_rows(camp)[0][3] == "open"

        await pilot.press("backspace", "backspace", "backspace")
        await type_and_send(pilot, "Two counsellors saw you.")
        assert pilot.app.screen is thread
        assert dispute_rows(camp) == [(dispute_id, "s1", fine_id, "rejected", "t1", None)]
        assert messages_of(camp, dispute_id)[-1] == ("t1", "Two counsellors saw you.")
        assert "State: rejected by t1" in drawn(thread.query_one("#thread-head", Static))
        assert not thread.query_one("#thread-reply", Input).display  # closed for good: no reply box
        await pilot.press("r")  # nor a second closing
        await settle(pilot)
        assert pilot.app.screen is thread

    staff_session(camp, script)


def test_the_student_reads_the_reason_of_a_rejection_and_writes_no_more(camp, today) -> None:  # type: ignore[no-untyped-def]
    _, dispute_id = disputed(camp)
    disputes.reject(camp.db, camp.actor("t1"), dispute_id, "Two counsellors saw you.")

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        await open_tab(pilot, "history")
        history = pilot.app.screen.query_one("#history", DataTable)
        assert rows(history)[0][5] == "rejected"
        await open_tab(pilot, "disputes")
        assert rows(pilot.app.screen.query_one("#my-disputes", DataTable))[0][3] == "rejected"
        thread = await open_first_thread(pilot, "#my-disputes")
        assert thread_messages(pilot).rstrip().endswith("Two counsellors saw you.")
        assert "State: rejected by t1" in drawn(thread.query_one("#thread-head", Static))
        assert not thread.query_one("#thread-reply", Input).display
        before = checksum(camp.path)
        await pilot.press(*"But", "enter")  # nowhere to write: nothing is added
        await settle(pilot)
        assert checksum(camp.path) == before

    run(kiosk(camp), script)


def test_an_empty_reason_is_refused_naming_the_reason(camp, today) -> None:  # type: ignore[no-untyped-def]
    disputed(camp)

    async def script(pilot: Pilot) -> None:
        await open_first_thread(pilot)
        await staff_key(pilot, "r")
        before = checksum(camp.path)
        await type_and_send(pilot, "")
        assert isinstance(pilot.app.screen, DisputeDialog)
        assert checksum(camp.path) == before
        assert any("reason" in notice.casefold() for notice in notices(pilot)), notices(pilot)

    staff_session(camp, script)


def test_resolving_names_the_transaction_that_fixed_it(camp, today) -> None:  # type: ignore[no-untyped-def]
    fine_id, dispute_id = disputed(camp)
    unrelated = post(camp.db, camp.actor("t1"), money({"s2": "15"}, description="for someone else")).id
    refund = post(camp.db, camp.actor("t1"), money({"s1": "15"}, description="refund of the fine")).id

    async def resolve_with(pilot: Pilot, text: str) -> None:
        await staff_key(pilot, "s")
        assert isinstance(pilot.app.screen, DisputeDialog)
        await type_and_send(pilot, text)

    async def script(pilot: Pilot) -> None:
        thread = await open_first_thread(pilot)
        before = checksum(camp.path)
        await resolve_with(pilot, "refunded")  # no number first
        assert "fixed_by: start with the number of the transaction that fixed it" in notices(pilot)
        await resolve_with(pilot, f"#{unrelated} sorry")  # a transaction for someone else
        assert any(notice.startswith(f"fixed_by: #{unrelated} does not fix this dispute") for notice in notices(pilot))
        await resolve_with(pilot, f"#{fine_id}")  # the fine itself, still counted
        assert any(notice.startswith(f"fixed_by: #{fine_id} is the disputed transaction") for notice in notices(pilot))
        assert checksum(camp.path) == before
        assert pilot.app.screen is thread and thread.query_one("#thread-reply", Input).display

        await resolve_with(pilot, f"#{refund} refunded, sorry")
        assert dispute_rows(camp) == [(dispute_id, "s1", fine_id, "resolved", "t1", refund)]
        assert messages_of(camp, dispute_id)[-1] == ("t1", "refunded, sorry")
        assert txn_state(camp.db, fine_id) == "processed"  # the fine stands: the refund fixed it
        head = drawn(thread.query_one("#thread-head", Static))
        assert "State: resolved by t1" in head
        assert f"Fixed by: #{refund} Money of 2018-08-10, 15.00@: refund of the fine" in head

    staff_session(camp, script)


def test_cancel_and_resolve_cancels_the_fine_and_names_it(camp, today) -> None:  # type: ignore[no-untyped-def]
    fine_id, dispute_id = disputed(camp)
    assert balance(camp.db, "s1") == 12_000 - 1500

    async def script(pilot: Pilot) -> None:
        thread = await open_first_thread(pilot)
        await staff_key(pilot, "x")
        assert isinstance(pilot.app.screen, ConfirmReason)
        await type_and_send(pilot, "Cancelled, sorry.")
        assert pilot.app.screen is thread
        assert txn_state(camp.db, fine_id) == "declined"
        assert balance(camp.db, "s1") == 12_000
        assert dispute_rows(camp) == [(dispute_id, "s1", fine_id, "resolved", "t1", fine_id)]
        assert messages_of(camp, dispute_id)[-1] == ("t1", "Cancelled, sorry.")
        head = drawn(thread.query_one("#thread-head", Static))
        assert f"Fixed by: #{fine_id} Fine of 2018-08-10, -15.00@ (cancelled)" in head

    staff_session(camp, script)


def test_cancel_and_resolve_is_refused_whole_when_the_cancel_is(camp, today) -> None:  # type: ignore[no-untyped-def]
    managers_fine = post(camp.db, camp.manager, fine({"s1": "15"})).id  # staff may not cancel a manager's
    dispute_id = disputes.open_dispute(camp.db, camp.actor("s1"), "Why?", transaction_id=managers_fine).dispute_id

    async def script(pilot: Pilot) -> None:
        thread = await open_first_thread(pilot)
        before = checksum(camp.path)
        await staff_key(pilot, "x")
        await type_and_send(pilot, "")
        assert pilot.app.screen is thread
        assert "a staff may not cancel other staff's transactions" in notices(pilot)
        assert checksum(camp.path) == before
        assert txn_state(camp.db, managers_fine) == "processed"
        assert dispute_rows(camp)[0][3] == "open" and messages_of(camp, dispute_id) == [("s1", "Why?")]

    staff_session(camp, script, who="t2")


def test_back_from_a_closed_thread_the_queue_shows_it_closed(camp, today, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(live, "CHECK_SECONDS", 3600.0)
    _, dispute_id = disputed(camp)

    async def script(pilot: Pilot) -> None:
        queue = pilot.app.screen.query_one("#disputes-table", DataTable)
        await open_first_thread(pilot)
        await staff_key(pilot, "r")
        await type_and_send(pilot, "It stands.")
        assert dispute_rows(camp)[0][3] == "rejected"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OfficeScreen)
        assert [(row[0], row[5]) for row in rows(queue)] == [(f"#{dispute_id}", "rejected")]

    staff_session(camp, script)


def test_at_80_columns_a_general_questions_thread_offers_every_key_that_acts(camp, today) -> None:  # type: ignore[no-untyped-def]
    """`x` (cancel the disputed transaction) does nothing for a question about none: on a line too short for
    every key it is the one left out, and reject and answer stay in sight."""
    disputes.open_dispute(camp.db, camp.actor("s2"), "Where is my olympiad prize?")

    async def script(pilot: Pilot) -> None:
        await open_first_thread(pilot)
        footer = pilot.app.screen.query_one(KeyFooter)
        line = "".join(segment.text for segment in footer.render().render(pilot.app.console))
        assert len(line) == 80
        for key in (" esc Back ", " s Resolved by #… ", " r Reject ", " a Answer ", " ? Help "):
            assert key in line, line
        assert " x " not in line, line
        await pilot.press("x")  # still refused if pressed
        await settle(pilot)
        assert isinstance(pilot.app.screen, DisputeThreadScreen)

    staff_session(camp, script, size=(80, 24))


# --- 5: hostile text ------------------------------------------------------------------------------------


def test_markup_a_student_types_is_stored_and_shown_literally(camp, today) -> None:  # type: ignore[no-untyped-def]
    _, answered = disputed(camp)
    disputes.answer(camp.db, camp.actor("t2"), answered, ANSWER)

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        await open_tab(pilot, "disputes")
        await pilot.press("n")
        await settle(pilot)
        await type_and_send(pilot, MARKUP)
        assert isinstance(pilot.app.screen, StudentScreen)
        [asked] = [row[0] for row in dispute_rows(camp) if row[0] != answered]
        assert messages_of(camp, asked) == [("s1", MARKUP)]
        mine = pilot.app.screen.query_one("#my-disputes", DataTable)
        assert [row[0] for row in rows(mine)] == [f"#{asked}", f"#{answered}"]  # newest first
        assert MARKUP in drawn(mine)

        await open_first_thread(pilot, "#my-disputes")
        assert MARKUP in thread_messages(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("down", "enter")  # the older one, with the staff's answer
        await settle(pilot)
        assert isinstance(pilot.app.screen, DisputeThreadScreen) and pilot.app.screen.dispute_id == answered
        assert ANSWER in thread_messages(pilot)

    run(kiosk(camp), script)


def test_markup_in_the_queue_the_thread_and_an_answer_is_shown_literally(camp, today) -> None:  # type: ignore[no-untyped-def]
    _, dispute_id = disputed(camp, MARKUP)

    async def script(pilot: Pilot) -> None:
        queue = pilot.app.screen.query_one("#disputes-table", DataTable)
        assert MARKUP in drawn(queue)
        await open_first_thread(pilot)
        assert MARKUP in thread_messages(pilot)
        await staff_answer(pilot, ANSWER)
        assert isinstance(pilot.app.screen, DisputeThreadScreen)
        assert messages_of(camp, dispute_id) == [("s1", MARKUP), ("t1", ANSWER)]
        assert ANSWER in thread_messages(pilot)

    staff_session(camp, script, size=(200, 40))  # wide enough for the whole question in the queue


def test_an_escape_sequence_is_refused_naming_the_field_and_nothing_is_written(camp, today) -> None:  # type: ignore[no-untyped-def]
    fined(camp)

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        await open_tab(pilot, "history")
        await pilot.press("d")
        await settle(pilot)
        box = pilot.app.screen.query_one("#dispute-text", Input)
        before = checksum(camp.path)
        pilot.app.post_message(events.Paste("Not me \x1b[2J"))
        await pilot.pause()
        assert box.value == "Not me \x1b[2J"  # the box keeps what was pasted, so the ledger can refuse it
        assert "Not me ␛[2J" in drawn(box)  # and draws ESC as a visible placeholder
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StudentScreen)
        assert any(notice.startswith("text: contains an escape character (U+001B ESC at character 8)")
                   for notice in notices(pilot)), notices(pilot)
        assert checksum(camp.path) == before
        assert dispute_rows(camp) == []

    run(kiosk(camp), script)


def test_an_escape_sequence_in_an_answer_or_a_reason_is_refused_naming_the_field(camp, today) -> None:  # type: ignore[no-untyped-def]
    _, dispute_id = disputed(camp)

    async def script(pilot: Pilot) -> None:
        thread = await open_first_thread(pilot)
        before = checksum(camp.path)
        await pilot.press("a")
        await paste_and_send(pilot, "cleared\x1b[2J")
        assert any(notice.startswith("text: contains an escape character (U+001B ESC at character 8)")
                   for notice in notices(pilot)), notices(pilot)
        assert thread.query_one("#thread-reply", Input).value == "cleared\x1b[2J"  # kept, to be mended
        await staff_key(pilot, "r")
        await paste_and_send(pilot, "no\x1b[2J")
        assert any(notice.startswith("reason: contains an escape character (U+001B ESC at character 3)")
                   for notice in notices(pilot)), notices(pilot)
        assert pilot.app.screen is thread
        assert checksum(camp.path) == before
        assert dispute_rows(camp)[0][3] == "open"
        assert messages_of(camp, dispute_id) == [("s1", "I was in the library")]

    staff_session(camp, script)


def test_an_escape_stored_before_the_input_filter_is_drawn_as_a_placeholder(camp, today) -> None:  # type: ignore[no-untyped-def]
    _, dispute_id = disputed(camp)
    query(camp.path, "INSERT INTO dispute_message (dispute_id, author_id, at, text) "
                     "SELECT ?, id, '2018-08-10 12:00:00', ? FROM account WHERE username = 't2'",
          (dispute_id, "old \x1b[2J\x07 note"))  # an old database may hold anything

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        await open_tab(pilot, "disputes")
        await open_first_thread(pilot, "#my-disputes")
        shown = thread_messages(pilot)
        assert "\x1b" not in shown and "\x07" not in shown
        assert "old ␛[2J␇ note" in shown

    run(kiosk(camp), script)

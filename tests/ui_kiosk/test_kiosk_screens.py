"""The kiosk's screens as a student uses them, at the sizes kiosks have."""

from __future__ import annotations

from helpers import STUDENT_PASSWORD, money, p2p
from kiosk_support import run, settle, sign_in
from textual.widgets import DataTable, Input, OptionList, Static, Tabs
from textual.widgets._progress_bar import PercentageStatus

from campbank.app import CampBankApp
from campbank.ledger.actions import files, study_fines
from campbank.ledger.actions.posting import post
from campbank.screens.student.home import StudentScreen
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.live import refresh


def kiosk(camp) -> CampBankApp:  # type: ignore[no-untyped-def]
    return CampBankApp(camp.db, kiosk=True, idle_seconds=3600)


def test_every_tab_label_fits_an_80_by_24_kiosk(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        tabs = pilot.app.screen.query_one(Tabs)
        last = list(tabs.query("Tab"))[-1]
        assert str(last.label) == "Files"
        assert last.region.right <= 80 and last.region.width >= len("Files")

    run(kiosk(camp), script, size=(80, 24))


def test_the_programme_shows_whole_percentages_at_100_columns(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        for status in pilot.app.screen.query(PercentageStatus):
            text = str(status.render()).strip()
            assert text.endswith("%")
            assert status.content_region.right <= 100 - 1  # inside the screen, short of the scroll bar

    run(kiosk(camp), script, size=(100, 30))


def test_the_equator_fine_reads_as_charged_once_it_was(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        fines = pilot.app.screen.query_one("#fines", Static)
        assert "equator) fine if checked now" in str(fines.render())
        charged = [fine for fine in study_fines.charge(camp.db, camp.manager, "equator", force=True)
                   if fine.username == "s1"]
        pilot.app.screen.action_reload()
        await settle(pilot)
        shown = str(fines.render())
        assert "if checked now" not in shown
        assert f"(equator) fine charged: {charged[0].fine // 100}." in shown

    run(kiosk(camp), script, size=(100, 30))


def test_the_history_is_by_day_with_amounts_on_the_right(camp, today) -> None:  # type: ignore[no-untyped-def]
    post(camp.db, camp.actor("t1"), money({"s1": "3"}, date="2018-08-10"))
    post(camp.db, camp.actor("t1"), money({"s1": "12.5"}, date="2018-08-07"))  # entered late, for an earlier day

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        pilot.app.screen.query_one("#student-tabs").active = "tab-history"
        await settle(pilot)
        table = pilot.app.screen.query_one("#history", DataTable)
        days = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert days == sorted(days, reverse=True)
        labels = [str(column.label) for column in table.columns.values()]
        assert labels[:3] == ["Date", "Amount", "Balance"]
        amount, balance = table.get_row_at(0)[1:3]
        assert amount.justify == "right" and balance.justify == "right"

    run(kiosk(camp), script, size=(80, 24))


def test_the_files_list_shows_when_each_was_added_at_80_and_120_columns(camp, today) -> None:  # type: ignore[no-untyped-def]
    files.add_file(camp.db, camp.actor("t1"), "a-very-long-name-for-the-weekly-timetable-of-squad-four.md", b"# Hi")

    for size in ((80, 24), (120, 40)):
        async def script(pilot) -> None:  # type: ignore[no-untyped-def]
            await sign_in(pilot, "s1", STUDENT_PASSWORD)
            pilot.app.screen.query_one("#student-tabs").active = "tab-files"
            await settle(pilot)
            table = pilot.app.screen.query_one("#files-list", DataTable)
            columns = list(table.columns.values())
            where = table.get_column_index("added")
            before = sum(column.get_render_width(table) for column in columns[:where])
            assert str(columns[where].label) == "Added"
            assert before + columns[where].get_render_width(table) <= table.scrollable_content_region.width
            assert "…" in str(table.get_row_at(0)[0])  # the long name is cut, not the time

        run(kiosk(camp), script, size=size)


async def open_transfer(pilot) -> None:  # type: ignore[no-untyped-def]
    """Sign in as s1 and put the cursor in the transfer tab's name box."""
    await sign_in(pilot, "s1", STUDENT_PASSWORD)
    pilot.app.screen.query_one("#student-tabs").active = "tab-transfer"
    await settle(pilot)
    pilot.app.screen.query_one("#who", Input).focus()


def test_down_moves_from_the_name_into_the_matches_and_up_back(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await open_transfer(pilot)
        await pilot.press(*"student0")
        matches = app.screen.query_one("#who-matches", OptionList)
        assert matches.option_count == 4
        await pilot.press("down")
        assert app.focused is matches and matches.highlighted == 0
        await pilot.press("down", "enter")
        assert app.screen.query_one("#who", Input).value == "Student03 Ann"
        assert app.focused is app.screen.query_one("#amount", Input)
        app.screen.query_one("#who", Input).focus()
        await pilot.press("backspace", "down", "up")
        assert app.focused is app.screen.query_one("#who", Input)

    run(kiosk(camp), script)


def test_a_change_elsewhere_while_choosing_keeps_the_highlighted_match_and_the_chosen_name(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await open_transfer(pilot)
        await pilot.press(*"student0", "down", "down")
        matches = app.screen.query_one("#who-matches", OptionList)
        assert app.focused is matches and matches.highlighted == 1
        post(camp.db, camp.actor("t1"), money({"s2": "1"}))  # a staff member posts somewhere else
        refresh(app.screen)  # what the ledger watch does when it sees the change
        await settle(pilot)
        assert app.focused is matches and matches.highlighted == 1 and matches.option_count == 4
        await pilot.press("enter")
        assert app.screen.query_one("#who", Input).value == "Student03 Ann"
        refresh(app.screen)
        await settle(pilot)
        assert matches.option_count == 0  # the chosen name is not offered again
        assert app.focused is app.screen.query_one("#amount", Input)

    run(kiosk(camp), script)


def test_a_second_request_beyond_what_is_left_is_refused_on_the_kiosk(camp, today) -> None:  # type: ignore[no-untyped-def]
    post(camp.db, camp.actor("s1"), p2p("s2", "100"))

    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await open_transfer(pilot)
        await pilot.press(*"student03", "down", "enter", *"100", "enter", *"bus", "enter")
        await settle(pilot)
        message = str(app.screen.query_one("#transfer-message", Static).render())
        assert "amount" in message and "waiting" in message
        assert len(app.screen.query_one("#requests", DataTable).rows) == 1

    run(kiosk(camp), script)


def test_the_kiosk_offers_no_command_palette(camp, today) -> None:  # type: ignore[no-untyped-def]
    async def script(pilot) -> None:  # type: ignore[no-untyped-def]
        app = pilot.app
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        footer_keys = {shown.key for shown in app.screen.query_one(KeyFooter).keys_shown()}
        assert "question_mark" in footer_keys  # the footer does show the screen's keys
        assert "ctrl+p" not in footer_keys
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, StudentScreen)

    run(kiosk(camp), script, size=(120, 40))

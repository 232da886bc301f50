"""The footer's line of keys: it follows the focus, a click on a key presses it, disabled keys are refused."""

from __future__ import annotations

from manager_pilot import Seeded, open_section, run, settle, sign_in
from textual.pilot import Pilot
from textual.widgets import OptionList

from campbank.app import CampBankApp
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.page_table import PageTable


def footer(pilot: Pilot) -> KeyFooter:
    return pilot.app.screen.query_one(KeyFooter)


def keys(pilot: Pilot) -> list[str]:
    return [shown.key for shown in footer(pilot).keys_shown()]


def where(pilot: Pilot, key: str) -> int:
    """The cell of the footer a key is drawn in."""
    line = "".join(segment.text for segment in footer(pilot).render().render(pilot.app.console))
    shown = next(s for s in footer(pilot).keys_shown() if s.key == key)
    return line.index(f" {shown.display} {shown.description}") + 1


def test_the_footer_follows_the_focus_and_a_click_presses_a_key(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        assert keys(pilot)[:3] == ["f5", "ctrl+o", "ctrl+b"] and keys(pilot)[-1] == "ctrl+p"
        await open_section(pilot, "transactions")
        pilot.app.screen.query_one("#tx-table", PageTable).focus()
        await settle(pilot)
        assert "slash" in keys(pilot)  # the table's own keys come first
        assert "escape" not in keys(pilot)  # no filter to clear: the key is not offered

        menu = pilot.app.screen.query_one("#menu", OptionList)
        await pilot.click(KeyFooter, offset=(where(pilot, "ctrl+b"), 0))
        await settle(pilot)
        assert not menu.display
        await pilot.click(KeyFooter, offset=(where(pilot, "ctrl+o"), 0))
        await settle(pilot)
        assert menu.display and menu.has_focus
        assert "slash" not in keys(pilot)

    run(CampBankApp(seeded.db), script)


def test_a_line_too_short_for_every_key_keeps_the_help_key(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "transactions")
        pilot.app.screen.query_one("#tx-table", PageTable).focus()
        await settle(pilot)
        line = "".join(segment.text for segment in footer(pilot).render().render(pilot.app.console))
        assert len(line) == 80
        assert "Log out" not in line  # not every key fits…
        assert " ? Help " in line and line.index(" ? Help ") == where(pilot, "question_mark") - 1  # …the help does
        assert "/ Filter" in line and line.rstrip().endswith("palette")
        await pilot.click(KeyFooter, offset=(where(pilot, "question_mark"), 0))
        await settle(pilot)
        assert pilot.app.screen.query("HelpPanel")  # which lists the keys left out

    run(CampBankApp(seeded.db), script, size=(80, 24))

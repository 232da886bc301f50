"""Tax (preview, run with a backup, run again, void) and study fines (preview, charge twice) from the UI."""

from __future__ import annotations

import pytest
from helpers import DAY, query
from manager_pilot import Seeded, notices, open_section, run, settle, sign_in
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TabbedContent

from campbank.app import CampBankApp
from campbank.ledger.store.backup import default_backup_dir
from campbank.widgets import live
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.confirm import ConfirmDialog


@pytest.fixture(autouse=True)
def no_change_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The change watch, noticing a charge a second later, reloads the preview, whose summary then takes
    the place of the message a click left; these tests read those messages (the watch has its own tests)."""
    monkeypatch.setattr(live, "CHECK_SECONDS", 3600.0)


def taxes(seeded: Seeded) -> list[tuple[int, str]]:
    return query(seeded.db.path, "SELECT id, state FROM txn WHERE type = 'tax' ORDER BY id")


def study_fines(seeded: Seeded) -> int:
    return query(seeded.db.path, "SELECT COUNT(*) FROM txn WHERE type = 'study_fine'")[0][0]


def message(pilot: Pilot, widget_id: str) -> str:
    return str(pilot.app.screen.query_one(widget_id, Static).render())


async def confirm(pilot: Pilot) -> None:
    await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmDialog)
    await pilot.press("enter")
    await settle(pilot)


def test_tax_preview_writes_nothing_then_run_charges_once_with_a_backup(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "charges")
        screen = pilot.app.screen
        assert screen.query_one("#tax-date", Input).value == DAY  # today by default

        await pilot.click("#tax-preview")
        await settle(pilot)
        assert "would charge" in str(screen.query_one("#tax-results", DataTable).get_row_at(0)[2])
        assert "Nothing was written" in message(pilot, "#tax-message")
        assert taxes(seeded) == []

        await pilot.click("#tax-run")
        await confirm(pilot)
        assert len(taxes(seeded)) == 1
        assert "Charged 1 of 1" in message(pilot, "#tax-message")

        await pilot.click("#tax-run")  # the same day again: nothing more
        await confirm(pilot)
        assert len(taxes(seeded)) == 1
        assert "already taxed" in str(screen.query_one("#tax-results", DataTable).get_row_at(0)[2])

    run(CampBankApp(seeded.db), script)
    assert list(default_backup_dir(seeded.db).glob("campbank-*-tax.db"))
    assert query(seeded.db.path, "SELECT COUNT(*) FROM audit_log WHERE action = 'tax.charged'")[0][0] == 1


def test_a_tax_day_is_voided_after_a_confirmation(seeded: Seeded) -> None:
    from datetime import date

    from campbank.ledger.actions import tax

    tax.run(seeded.db, seeded.camp.manager, day=date.fromisoformat(DAY))

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "charges")
        await pilot.click("#tax-void")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmReason)
        pilot.app.screen.query_one("#reason", Input).value = "wrong day"
        await pilot.press("enter")
        await settle(pilot)
        assert "voided" in message(pilot, "#tax-message")

    run(CampBankApp(seeded.db), script)
    assert [state for _, state in taxes(seeded)] == ["declined"]


def test_a_bad_tax_date_is_refused_in_place(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "charges")
        pilot.app.screen.query_one("#tax-date", Input).value = "10.08.2018"
        await pilot.click("#tax-preview")
        await settle(pilot)
        assert any("not a date" in n for n in notices(pilot))
        assert taxes(seeded) == []

    run(CampBankApp(seeded.db), script)


def test_study_fines_preview_then_charge_twice_changes_nothing_the_second_time(seeded: Seeded) -> None:
    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        await open_section(pilot, "charges")
        pilot.app.screen.query_one("#charges-tabs", TabbedContent).active = "charges-fines"
        await pilot.pause()
        await pilot.click("#fines-preview")
        await settle(pilot)
        table = pilot.app.screen.query_one("#fines-table", DataTable)
        assert table.row_count == len(seeded.camp.students)
        assert "would be charged" in message(pilot, "#fines-message")

        owing = message(pilot, "#fines-message").split(" students would be charged ")
        await pilot.click("#fines-charge")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmDialog)  # the question names the head-count and the total
        assert str(dialog.body).startswith(f"Charge {owing[0].split()[-1]} students {owing[1].split()[0]} in all")
        await confirm(pilot)
        charged = study_fines(seeded)
        assert charged > 0
        assert f"Charged {charged} students" in message(pilot, "#fines-message")
        assert all(str(table.get_row_at(i)[8]).startswith("#") for i in range(table.row_count)
                   if str(table.get_row_at(i)[7]))

        await pilot.click("#fines-charge")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ConfirmDialog)  # nothing owed: nothing to ask
        assert study_fines(seeded) == charged
        assert "Nothing charged" in message(pilot, "#fines-message")

    run(CampBankApp(seeded.db), script)

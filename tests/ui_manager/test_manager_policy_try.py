"""The office's Policy dry-run section, driven by keys: a manager names a candidate season and reads what it
would have charged this camp, per component, per squad and per student; a name that is no season is refused
in place; nothing is written either way. At 80 columns, with the menu shown, every amount is drawn whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import DAY, Camp, checksum_apart_from_sign_in, copy_database, load_camp
from manager_pilot import open_section, run, settle, sign_in
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from campbank.app import CampBankApp
from campbank.core.money import format_amount
from campbank.ledger import clock
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.store.database import open_database
from campbank.ledger.views.policy_try import DryRun
from campbank.screens.manager.policy_try import PolicyTryPane


@pytest.fixture
def camp_on_day(camp_template: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Camp]:
    """The camp of tests/conftest.py (students s1..s5, staff, managers), today being DAY of its season."""
    monkeypatch.setattr(clock, "today", lambda: date.fromisoformat(DAY))
    copy_database(camp_template, db_path)
    db = open_database(db_path)
    yield load_camp(db)
    db.dispose()


def heavy_tax(folder: Path) -> Path:
    """The flat-tax season with a tax of 2,000@ a day: amounts of ten characters and more, which a narrow
    terminal must still draw whole."""
    text = SEASON_FILES["flat-tax"].read_text(encoding="utf-8").replace('name = "Flat tax"', 'name = "Heavy tax"')
    schedule = text.index("[tax.schedule]")
    end = text.index("\n[", schedule + 1)
    taxed = re.sub(r"(?m)^(\d+) = 20$", r"\1 = 2000", text[schedule:end])
    path = folder / "season-heavy-tax.toml"
    path.write_text(text[:schedule] + taxed + text[end:], encoding="utf-8")
    return path


def drawn(app: CampBankApp) -> str:
    """Every line of the screen as it is drawn: what the manager reads."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def try_file(pilot: Pilot, name: str) -> PolicyTryPane:
    await open_section(pilot, "policy-try")
    pane = pilot.app.screen.query_one(PolicyTryPane)
    await pilot.click("#try-file")
    await pilot.press(*name, "enter")
    await settle(pilot)
    return pane


def amounts(run: DryRun) -> list[str]:
    """Every amount of the totals, as the section writes it."""
    return [format_amount(cents, run.currency_sign) for c in run.components
            for cents in (c.charged, c.would_charge, c.charged_by_end, c.would_charge_by_end)]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_a_candidate_season_is_shown_whole_and_nothing_is_written(camp_on_day, tmp_path, size):
    camp = camp_on_day
    candidate = heavy_tax(tmp_path)
    before = checksum_apart_from_sign_in(camp.path)

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        pane = await try_file(pilot, str(candidate))
        run = pane.run
        assert run is not None, pilot.app.screen.query_one("#try-summary", Static).render()
        assert run.candidate == "Heavy tax" and run.days_so_far >= 1
        assert max(len(amount) for amount in amounts(run)) >= 10
        screen = drawn(pilot.app)
        assert "Heavy tax against" in screen
        assert "…" not in screen.split("Student")[0], "an amount was cut short"
        for amount in amounts(run):
            assert amount in screen, f"{amount} is not drawn whole"
        table = pilot.app.screen.query_one("#try-students", DataTable)
        assert table.row_count == len(camp.students) == len(run.students)

    run(CampBankApp(camp.db, idle_seconds=3600), script, size=size)
    assert checksum_apart_from_sign_in(camp.path) == before, "a dry-run wrote to the camp"


def test_a_name_that_is_no_season_is_refused_in_place(camp_on_day, tmp_path):
    camp = camp_on_day
    before = checksum_apart_from_sign_in(camp.path)
    missing = tmp_path / "no-such-season.toml"

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot)
        pane = await try_file(pilot, str(missing))
        assert pane.run is None
        said = str(pilot.app.screen.query_one("#try-summary", Static).render())
        assert "no-such-season.toml" in said, said
        assert pilot.app.screen.query_one("#try-students", DataTable).row_count == 0

    run(CampBankApp(camp.db, idle_seconds=3600), script)
    assert checksum_apart_from_sign_in(camp.path) == before

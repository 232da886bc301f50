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
from argon2 import PasswordHasher
from helpers import DAY, Camp, checksum_apart_from_sign_in, copy_database, load_camp
from manager_pilot import open_section, run, settle, sign_in
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from campbank.app import CampBankApp
from campbank.core.money import format_amount
from campbank.demo import MANAGER, DemoCamp, create_demo
from campbank.ledger import clock
from campbank.ledger.actions import auth
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.store.database import open_database
from campbank.ledger.views.policy_try import DryRun
from campbank.screens.manager.policy_try import PolicyTryPane

DEMO_TODAY = date(2026, 7, 8)  # the demo's eighth day: days 1-7 are its week


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


def summary_lines(app: CampBankApp) -> list[str]:
    """The lines of the totals and the squads, as drawn."""
    region = app.screen.query_one("#try-summary", Static).region
    return [line[region.x:region.right] for line in drawn(app).splitlines()[region.y:region.bottom]]


@pytest.fixture(scope="module")
def demo_week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoCamp]:
    """The demo camp (130 students, a week of history) on its eighth day, as a manager meets it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "today", lambda: DEMO_TODAY)
        patch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        camp = create_demo(path)
    yield camp
    camp.database.dispose()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_every_name_and_count_pair_of_the_totals_and_squads_is_drawn_whole(demo_week, monkeypatch, size):
    """The demo's week against the savings season: beside amounts of ten characters, a component's name
    wraps rather than being cut ("intere…"), a squad keeps room for its name, and a count pair ("33 → 33")
    is never split across lines."""
    monkeypatch.setattr(clock, "today", lambda: DEMO_TODAY)

    async def script(pilot: Pilot) -> None:
        await sign_in(pilot, *MANAGER)
        run = (await try_file(pilot, "savings")).run
        assert run is not None, pilot.app.screen.query_one("#try-summary", Static).render()
        lines = summary_lines(pilot.app)
        text = "\n".join(lines)
        assert "…" not in text, text
        words = {word for line in lines for word in line.split()}
        names = [c.name for c in run.components] + [sq.squad or "No squad" for sq in run.squads]
        assert "interest paid" in names
        for name in names:
            assert set(name.split()) <= words, f"{name!r} is not drawn whole:\n{text}"
        for sq in run.squads:
            for pair in (f"{sq.danger_now} → {sq.danger_now_candidate}",
                         f"{sq.danger_at_end} → {sq.danger_at_end_candidate}"):
                assert any(pair in line for line in lines), f"{pair} is split:\n{text}"

    run(CampBankApp(demo_week.database, idle_seconds=3600), script, size=size)

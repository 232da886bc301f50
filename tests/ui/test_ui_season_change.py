"""A running office or kiosk picks up a season a manager loads (or moves) while it runs: its idle time,
its names and its rules, without polling the whole database (one tiny read every half minute)."""

from __future__ import annotations

from helpers import actor_of
from pilot_steps import run, settle

from campbank.app import SEASON_CHECK, CampBankApp
from campbank.ledger.season.in_force import load, move_dates
from campbank.ledger.season.load import SEASON_FILES


def test_a_running_kiosk_takes_the_new_seasons_idle_time_and_dates(camp):
    text = SEASON_FILES["classic"].read_text(encoding="utf-8").replace("kiosk_idle_seconds = 90",
                                                                       "kiosk_idle_seconds = 20")
    app = CampBankApp(camp.db, kiosk=True)
    assert SEASON_CHECK <= 60

    async def script() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            assert app.idle_seconds == 90
            load(camp.db, actor_of(camp.db, "manager"), text, "summer.toml")
            app.check_season()
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert app.idle_seconds == 20 and app.season.source == "summer.toml"
            moved = move_dates(camp.db, actor_of(camp.db, "manager"), None, 25)
            app.check_season()
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert app.season.last_day == moved.last_day and app.season.days == 25

    run(script)


def test_an_idle_time_given_on_the_command_line_is_kept(camp):
    app = CampBankApp(camp.db, kiosk=True, idle_seconds=7)
    text = SEASON_FILES["classic"].read_text(encoding="utf-8").replace("kiosk_idle_seconds = 90",
                                                                       "kiosk_idle_seconds = 20")

    async def script() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            load(camp.db, actor_of(camp.db, "manager"), text, "summer.toml")
            app.check_season()
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert app.idle_seconds == 7 and app.season.source == "summer.toml"

    run(script)

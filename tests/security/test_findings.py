"""The hostile-text findings as they were reproduced, one test each. They use only what any version of
CampBank has (the app, the ledger's actions, the command line), so each can be run against an older one:
there, every test here fails."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from camps import hostile_season
from helpers import DAY, MANAGER_PASSWORD, STAFF_PASSWORD, STUDENT_PASSWORD, p2p, query
from textual.widgets import Input, Static, TabbedContent
from textual.worker import WorkerCancelled, WorkerFailed
from typer.testing import CliRunner

from campbank.app import CampBankApp
from campbank.cli import app as cli_app
from campbank.core.errors import InputError
from campbank.ledger import clock
from campbank.ledger.actions import notices
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.users import add_user
from campbank.ledger.season import in_force

ESCAPES = "hi \x1b]0;PWNED\x07\x1b[2J"


@pytest.fixture
def plain(camp, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The test camp (manager, m1, staff t1 t2, students s1..s5) with nothing hostile in it; today is DAY."""
    monkeypatch.setattr(clock, "today", lambda: date.fromisoformat(DAY))
    return camp
RAW = re.compile("[\x07\x1b\x9b]")


def drive(app: CampBankApp, steps) -> CampBankApp:  # type: ignore[no-untyped-def]
    """Run the app through `steps`; an error the app died of is raised here."""

    async def main() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await steps(pilot)
            assert app.is_running, "the app exited"

    asyncio.run(main())
    return app


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await pilot.pause()
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def sign_in(pilot, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one("#username", Input).value = username
    pilot.app.screen.query_one("#password", Input).value = password
    await pilot.click("#sign-in")
    await settle(pilot)


def screen_text(app: CampBankApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def ask_transfer(pilot, amount: str, comment: str) -> str:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.screen.query_one("#student-tabs", TabbedContent).active = "tab-transfer"
    await settle(pilot)
    app.screen.query_one("#who", Input).focus()
    await pilot.press(*"Student02", "enter", "enter")
    app.screen.query_one("#amount", Input).value = amount
    app.screen.query_one("#comment", Input).value = comment
    app.screen.query_one("#comment", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
    return str(app.screen.query_one("#transfer-message", Static).render())


def run_cli(db: Path, *args: str, user: str | None = None, flag: str = "--as"):  # type: ignore[no-untyped-def]
    argv = ["--db", str(db), *args] + ([flag, user] if user else [])
    password = {"m": MANAGER_PASSWORD, "t": STAFF_PASSWORD, "s": STUDENT_PASSWORD}[user[0]] if user else None
    result = CliRunner().invoke(cli_app, argv, env={"CAMPBANK_PASSWORD": password, "CAMPBANK_DB": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def store_escapes(path: Path, sql: str, *params: object) -> None:
    """Write what an older CampBank let in, straight into the file."""
    with sqlite3.connect(path) as raw:
        raw.execute(sql, params)


def test_markup_typed_as_a_transfer_amount_leaves_the_kiosk_running(plain) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        shown = await ask_transfer(pilot, "[/x]", "for lunch")
        assert shown.startswith("amount: ") and "[/x]" in shown

    drive(CampBankApp(plain.db, kiosk=True), steps)


def test_markup_in_a_transfer_comment_is_sent_and_shown_as_typed(plain) -> None:  # type: ignore[no-untyped-def]
    async def steps(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "s1", STUDENT_PASSWORD)
        assert (await ask_transfer(pilot, "1", "thanks [/b]")).startswith("Request #")
        assert "thanks [/b]" in screen_text(pilot.app)

    drive(CampBankApp(plain.db, kiosk=True), steps)


def test_approvals_show_a_markup_comment_as_typed(plain) -> None:  # type: ignore[no-untyped-def]
    post(plain.db, plain.actor("s1"), p2p("s2", "1", "thanks [/b] [bold red]boo"))

    async def steps(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "t1", STAFF_PASSWORD)
        pilot.app.screen.show_section("approvals")
        await settle(pilot)
        assert "thanks [/b] [bold red]boo" in screen_text(pilot.app)

    drive(CampBankApp(plain.db, idle_seconds=3600), steps)


def test_an_announcement_title_with_markup_leaves_the_login_screens_working(plain) -> None:  # type: ignore[no-untyped-def]
    notices.announce(plain.db, plain.actor("t1"), title="Lunch [/b]", text="Soup",
                     until=date.fromisoformat(DAY))

    async def steps(pilot) -> None:  # type: ignore[no-untyped-def]
        assert "Lunch [/b]" in screen_text(pilot.app)

    drive(CampBankApp(plain.db, kiosk=True), steps)
    drive(CampBankApp(plain.db), steps)


def test_a_season_named_with_markup_starts_the_kiosk_and_season_show(plain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    season = tmp_path / "season.toml"
    season.write_text(hostile_season("Camp [/bold]"), encoding="utf-8")
    loaded = run_cli(plain.path, "season", "load", str(season), user="manager")
    assert loaded.exit_code == 0 and "Camp [/bold]" in loaded.output
    shown = run_cli(plain.path, "season", "show")
    assert shown.exit_code == 0 and "Camp [/bold]" in shown.output

    async def steps(pilot) -> None:  # type: ignore[no-untyped-def]
        assert "Camp [/bold]" in screen_text(pilot.app)

    drive(CampBankApp(plain.db, kiosk=True), steps)


def test_a_comment_with_escape_sequences_is_refused(plain) -> None:  # type: ignore[no-untyped-def]
    try:
        post(plain.db, plain.actor("s1"), p2p("s2", "1", ESCAPES))
    except InputError as error:
        assert error.field == "description"
    else:
        raise AssertionError("a comment with escape sequences was stored")


def test_approvals_never_replay_stored_escape_sequences(plain) -> None:  # type: ignore[no-untyped-def]
    request = post(plain.db, plain.actor("s1"), p2p("s2", "1", "hi")).id
    store_escapes(plain.path, "UPDATE txn SET description = ? WHERE id = ?", ESCAPES, request)

    async def steps(pilot) -> None:  # type: ignore[no-untyped-def]
        await sign_in(pilot, "t1", STAFF_PASSWORD)
        pilot.app.screen.show_section("approvals")
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "PWNED" in text and not RAW.search(text)

    drive(CampBankApp(plain.db, idle_seconds=3600), steps)


def test_exports_and_files_list_never_print_stored_escape_sequences(plain, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    request = post(plain.db, plain.actor("s1"), p2p("s2", "1", "hi")).id
    store_escapes(plain.path, "UPDATE txn SET description = ? WHERE id = ?", ESCAPES, request)
    menu = tmp_path / "menu.txt"
    menu.write_text("soup", encoding="utf-8")
    assert run_cli(plain.path, "files", "add", str(menu), user="manager", flag="--by").exit_code == 0
    store_escapes(plain.path, "UPDATE shared_file SET name = ?", "menu \x1b]0;OWNED\x07\x1b[2J.txt")
    store_escapes(plain.path, "UPDATE account SET last_name = ? WHERE username = 's2'", ESCAPES)
    for args, user, flag in ((("export", "money"), "manager", "--as"), (("export", "balances"), "manager", "--as"),
                             (("files", "list"), "t1", "--by")):
        output = run_cli(plain.path, *args, user=user, flag=flag).output
        assert ("PWNED" in output or "OWNED" in output) and not RAW.search(output), args


def test_the_balances_csv_neutralises_a_formula_looking_squad(plain) -> None:  # type: ignore[no-untyped-def]
    squad = '=HYPERLINK("http://evil.example/","Squad 5")'
    season = re.sub(r"^squads = .*$", lambda _m: 'squads = ["Squad 1", "Squad 2", "Squad 3", "Squad 4", '
                    '"=HYPERLINK(\\"http://evil.example/\\",\\"Squad 5\\")"]', hostile_season(), flags=re.MULTILINE)
    in_force.load(plain.db, plain.manager, season, "formula.toml")
    add_user(plain.db, plain.manager, last_name="Formula", first_name="Fedor", role="student",
             squad=squad, grade=7, username="formula.f")
    output = run_cli(plain.path, "export", "balances", user="manager").output
    row = next(line for line in output.splitlines() if line.startswith("formula.f,"))
    assert f'"\'{squad.replace(chr(34), chr(34) * 2)}"' in row, row
    records = json.loads(run_cli(plain.path, "export", "balances", "--format", "json", user="manager").output)
    assert next(r for r in records if r["username"] == "formula.f")["squad"] == squad


def test_a_path_too_long_for_the_file_system_is_refused_by_name(plain) -> None:  # type: ignore[no-untyped-def]
    """Found by the suite: a 10,000-character path crashed the office's files and export dialogs."""
    from campbank.formats.export_files import check_target
    from campbank.ledger.actions.files import add_path

    long = "x" * 10_000
    for call in (lambda: add_path(plain.db, plain.actor("t1"), long),
                 lambda: check_target(long + ".csv", (".csv",))):
        try:
            call()
        except InputError as error:
            assert error.field == "path"
        else:
            raise AssertionError("a path too long was not refused")
    assert query(plain.path, "SELECT COUNT(*) FROM shared_file") == [(0,)]

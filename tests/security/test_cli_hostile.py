"""Every text field of the command line under hostile text: refused with one `error: field: reason` line
(exit 2), or kept as typed and printed literally; nothing printed is parsed as markup, and no escape
sequence (stored now or by an older CampBank) reaches the terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from camps import HOSTILE_LAST_NAME, HOSTILE_SQUAD, OLD_TEXT, SEASON_NAME, hostile_season
from helpers import DAY, MANAGER_PASSWORD, STAFF_PASSWORD, STUDENT_PASSWORD, fine, p2p
from hostile import HOSTILE, SAMPLE, refused
from typer.testing import CliRunner

from campbank.cli import app
from campbank.ledger.actions.person_details import MAX_NAME_LENGTH
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.prepare import MAX_DESCRIPTION
from campbank.ledger.actions.states import MAX_REASON
from campbank.ledger.verify import verify_file

PASSWORDS = {"s": STUDENT_PASSWORD, "t": STAFF_PASSWORD, "m": MANAGER_PASSWORD}
RAW = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def cli(db: Path, *args: str, as_user: str | None = None, flag: str = "--as"):  # type: ignore[no-untyped-def]
    """Run `campbank --db DB ARGS`: never a traceback, and nothing a terminal would act on in its output."""
    argv = ["--db", str(db), *args]
    env = {"CAMPBANK_DB": None, "CAMPBANK_PASSWORD": None}
    if as_user is not None:
        argv += [flag, as_user]
        env["CAMPBANK_PASSWORD"] = PASSWORDS[as_user[0]]
    result = CliRunner().invoke(app, argv, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert not RAW.findall(result.output), f"raw control characters printed: {RAW.findall(result.output)!r}"
    assert "Traceback" not in result.output
    return result


def refusal(result, field: str) -> None:  # type: ignore[no-untyped-def]
    """One error line naming the field, exit 2."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith(f"error: {field}: "), result.output


def write(tmp_path: Path, name: str, payload: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def test_post_approve_reject_cancel_and_void(hostile_camp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = hostile_camp.path
    for name, text in HOSTILE.items():  # the description of a staff transaction and of a student's transfer
        for payload, user in ((fine({"s1": "1"}, description=text), "t1"), (p2p("s2", "0.01", text), "s1")):
            result = cli(db, "post", str(write(tmp_path, "p.json", payload)), as_user=user)
            if refused(text, limit=MAX_DESCRIPTION):
                refusal(result, "description")
            else:
                assert result.exit_code == 0 and result.output.startswith("Posted #"), (name, result.output)
    markup_key = cli(db, "post", str(write(tmp_path, "k.json", fine({"[/b]nobody": "1"}))), as_user="t1")
    assert markup_key.exit_code == 2 and "[/b]nobody" in markup_key.output  # quoted literally in the error
    refusal(cli(db, "post", str(write(tmp_path, "e.json", fine({"s1\x1b[2J": "1"}))), as_user="t1"), "amounts")
    request = post(hostile_camp.db, hostile_camp.actor("s1"), p2p("s2", "1")).id
    for text in SAMPLE.values():
        for command in ("approve", "reject", "cancel"):
            result = cli(db, command, str(request), "--reason", text, as_user="m1" if command == "cancel" else "t1")
            if refused(text, limit=MAX_REASON):
                refusal(result, "reason")
        result = cli(db, "tax", "void", DAY, "--reason", text, as_user="manager")
        if refused(text, limit=MAX_REASON):
            refusal(result, "reason")
    assert verify_file(db).ok


@pytest.mark.parametrize("option", ["--last-name", "--first-name", "--middle-name", "--username"])
def test_users_add_names(hostile_camp, option: str) -> None:  # type: ignore[no-untyped-def]
    db = hostile_camp.path
    field = option[2:].replace("-", "_")
    for name, text in SAMPLE.items():
        names = {"--last-name": "Petrov", "--first-name": "Pyotr", option: text}
        args = [arg for pair in names.items() for arg in pair]
        result = cli(db, "users", "add", *args, "--role", "staff", as_user="manager")
        if field == "username" or refused(text, limit=MAX_NAME_LENGTH, name=True) or text.startswith("="):
            refusal(result, field)
        else:
            assert result.exit_code == 0 and text in result.output, (name, result.output)


def test_season_load_and_show_print_names_literally(hostile_camp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = hostile_camp.path
    shown = cli(db, "season", "show")
    assert shown.exit_code == 0 and SEASON_NAME in shown.output and HOSTILE_SQUAD in shown.output
    season = tmp_path / "season [b].toml"
    season.write_text(hostile_season("New [/bold] name"), encoding="utf-8")
    loaded = cli(db, "season", "load", str(season), as_user="manager")
    assert loaded.exit_code == 0 and "Season New [/bold] name from season [b].toml is now in force" in loaded.output
    season.write_text(hostile_season("Evil \x1b]0;pwned\x07"), encoding="utf-8")
    result = cli(db, "season", "load", str(season), as_user="manager")
    assert result.exit_code == 2 and "line 7, key name: contains an escape character" in result.output


def test_shared_file_names(hostile_camp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = hostile_camp.path
    menu = tmp_path / "menu.txt"
    menu.write_text("soup", encoding="utf-8")
    for text in SAMPLE.values():
        result = cli(db, "files", "add", str(menu), "--as", text, as_user="manager", flag="--by")
        if refused(text, limit=200, name=True):
            refusal(result, "name")
        else:
            stored = "/".join(part.strip() for part in text.split("/") if part.strip())  # a path's parts
            assert result.exit_code == 0 and f"Added {stored}" in result.output
    listed = cli(db, "files", "list", as_user="t1", flag="--by")
    assert "[link=x]y[/link]" in listed.output


def test_what_an_older_campbank_stored_never_reaches_the_terminal(old_camp) -> None:  # type: ignore[no-untyped-def]
    db = old_camp.path
    assert "Season: old ␛]0;PWNED␇␛[2J" in cli(db, "season", "show").output
    assert "menu old ␛]0;PWNED␇␛[2J.txt" in cli(db, "files", "list", as_user="t1", flag="--by").output
    money = cli(db, "export", "money", as_user="manager").output
    assert "old ␛]0;PWNED␇␛[2J" in money  # the comment and the surname, shown in the CSV
    records = json.loads(cli(db, "export", "money", "--format", "json", as_user="manager").output)
    assert OLD_TEXT in {r["description"] for r in records}  # JSON keeps the text exact, escaped
    balances = cli(db, "export", "balances", as_user="manager").output
    assert "old ␛]0;PWNED␇␛[2J" in balances


def test_every_help_page_renders(hostile_camp) -> None:  # type: ignore[no-untyped-def]
    commands = [[], ["init"], ["demo"], ["season", "load"], ["season", "show"], ["users", "import"],
                ["users", "add"], ["post"], ["approve"], ["cancel"], ["tax", "run"], ["tax", "void"],
                ["fines", "charge"], ["report", "xlsx"], ["export", "money"], ["files", "add"], ["kiosk"],
                ["backup"], ["verify"]]
    for command in commands:
        result = cli(hostile_camp.path, *command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output, command


def test_names_with_markup_print_literally_in_tables(hostile_camp) -> None:  # type: ignore[no-untyped-def]
    db = hostile_camp.path
    preview = cli(db, "fines", "preview", "--stage", "final", as_user="manager")
    assert preview.exit_code == 0 and HOSTILE_LAST_NAME in preview.output and HOSTILE_SQUAD in preview.output

"""`campbank pockets|loans|funds|circles` from the command line: what people typed (pocket, fund and circle
names, usernames) is printed literally, never read as markup, and text an older CampBank stored with terminal
escape sequences reaches the terminal only as visible placeholders."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from helpers import MANAGER_PASSWORD, STAFF_PASSWORD, STUDENT_PASSWORD
from savings_support import assert_sound
from typer.testing import CliRunner

from campbank.cli import app

PASSWORDS = {"s": STUDENT_PASSWORD, "t": STAFF_PASSWORD, "m": MANAGER_PASSWORD}
RAW = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MARKUP = "[bold red]Bike[/] =1+1"
ESCAPES = "old \x1b]0;PWNED\x07\x1b[2J"


def cli(db: Path, *args: str, as_user: str) -> str:
    """Run `campbank --db DB ARGS --as USER`; it succeeds and prints nothing a terminal would act on."""
    result = CliRunner().invoke(app, ["--db", str(db), *args, "--as", as_user],
                                env={"CAMPBANK_DB": None, "CAMPBANK_PASSWORD": PASSWORDS[as_user[0]]})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    assert not RAW.findall(result.output), f"raw control characters printed: {RAW.findall(result.output)!r}"
    return result.output


def test_names_people_typed_are_printed_as_typed(savings) -> None:  # type: ignore[no-untyped-def]
    db = savings.path
    assert f"Opened the goal pocket '{MARKUP}'" in cli(db, "pockets", "open", "goal", "--name", MARKUP,
                                                       "--target", "50", as_user="s1")
    assert f"│ {MARKUP} │ goal" in cli(db, "pockets", "list", "s1", as_user="s1")
    assert "Opened fund #1: [b]Kayak[/b]" in cli(db, "funds", "open", "[b]Kayak[/b]", "--target", "20",
                                                 "--deadline", "2018-08-20", as_user="t1")
    assert "│ [b]Kayak[/b] │" in cli(db, "funds", "list", as_user="t1")
    assert "Circle #1: [i]Friends, 3 rounds" in cli(db, "circles", "create", "[i]Friends", "--member", "s1",
                                                    "--member", "s2", "--member", "s3", "--contribution", "5",
                                                    "--start", "2018-08-08", as_user="manager")
    assert "│ [i]Friends │" in cli(db, "circles", "list", as_user="t1")
    assert "Posted #" in cli(db, "loans", "grant", "s1", "30", "3", "--date", "2018-08-07", as_user="t1")
    assert "Loan #1 to s1 on 2018-08-07" in cli(db, "loans", "show", "1", as_user="t1")
    assert "1 loan, " in cli(db, "loans", "list", as_user="manager")
    assert_sound(db)


@pytest.mark.sqlite_only("it writes into the camp's SQLite file by hand")
def test_names_an_older_campbank_stored_show_their_escapes_visibly(savings) -> None:  # type: ignore[no-untyped-def]
    db = savings.path
    cli(db, "pockets", "open", "goal", "--name", "Bike", as_user="s1")
    cli(db, "funds", "open", "Kayak", "--target", "20", "--deadline", "2018-08-20", as_user="t1")
    cli(db, "circles", "create", "Friends", "--member", "s1", "--member", "s2", "--contribution", "5",
        "--start", "2018-08-08", as_user="manager")
    with sqlite3.connect(db) as raw:  # names are not history: an older version could have written anything
        raw.execute("UPDATE pocket SET name = ? WHERE name = 'Bike'", (ESCAPES,))
        raw.execute("UPDATE fund SET name = ?", (ESCAPES,))
        raw.execute("UPDATE circle SET name = ?", (ESCAPES,))
    visible = "old ␛]0;PWNED␇␛[2J"
    assert visible in cli(db, "pockets", "list", "s1", as_user="s1")
    assert visible in cli(db, "funds", "list", as_user="t1")
    assert visible in cli(db, "circles", "list", as_user="t1")

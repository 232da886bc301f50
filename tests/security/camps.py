"""The camps of the hostile-text suite: a hostile season, hostile names and announcements (all text the
filter lets in), and a camp an older CampBank wrote with escape sequences in it."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from importlib import resources
from pathlib import Path

from helpers import DAY, Camp, copy_database, load_camp, p2p, query

from campbank.ledger.actions import files, notices, posting, prepare
from campbank.ledger.actions.users import add_user
from campbank.ledger.season import in_force
from campbank.ledger.season.load import parse_season
from campbank.ledger.store.database import open_database

SEASON_NAME = "Camp [/bold] [link=x]y[/link]"
HOSTILE_SQUAD = "[bold red]Squad 5"
HOSTILE_LABEL = "[/b] Reward"
HOSTILE_LAST_NAME = "[/b]Markov"
ANNOUNCEMENT_TITLE = "Menu [/b]"
ANNOUNCEMENT_TEXT = "Soup [bold red]and[/] bread\n\tתודה"
OLD_TEXT = "old \x1b]0;PWNED\x07\x1b[2J"
"""What a CampBank without the input filter let in: a retitle and a clear-screen sequence."""


def hostile_season(name: str = SEASON_NAME) -> str:
    """The classic season with markup in its name, a squad and a money type's label (all allowed)."""
    text = resources.files("campbank").joinpath("data/season-classic.toml").read_text(encoding="utf-8")
    toml_name = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in name)
    replace = {
        r"^name = .*$": f'name = "{toml_name}"',
        r"^squads = .*$": f'squads = ["Squad 1", "Squad 2", "Squad 3", "Squad 4", "{HOSTILE_SQUAD}"]',
        r'^reward = \{ label = "[^"]*"': f'reward = {{ label = "{HOSTILE_LABEL}"',
    }
    for pattern, line in replace.items():
        text, count = re.subn(pattern, lambda _m, line=line: line, text, count=1, flags=re.MULTILINE)
        assert count == 1, pattern
    return text


def make_hostile_camp(template: Path, path: Path) -> Camp:
    """The template camp (manager, m1, staff t1 t2, students s1..s5) plus: the hostile season, a student
    `markov.b` in the hostile squad with markup in his name, and an announcement with markup."""
    copy_database(template, path)
    db = open_database(path)
    camp = load_camp(db)
    in_force.load(db, camp.manager, hostile_season(), "hostile.toml")
    add_user(db, camp.manager, last_name=HOSTILE_LAST_NAME, first_name="Boris", role="student",
             squad=HOSTILE_SQUAD, grade=9, username="markov.b", password="student-pass-1")
    camp.students.append("markov.b")
    notices.announce(db, camp.actor("t1"), title=ANNOUNCEMENT_TITLE, text=ANNOUNCEMENT_TEXT,
                     until=date.fromisoformat(DAY))
    return camp


def make_old_camp(template: Path, path: Path, older) -> Camp:  # type: ignore[no-untyped-def]
    """A camp an older CampBank wrote, before typed text was checked: escape sequences in the season's
    name, a transfer's comment, an announcement, a shared file's name and a student's surname. `older` is a
    MonkeyPatch that takes the input filter away while the camp is written."""
    copy_database(template, path)
    db = open_database(path)
    camp = load_camp(db)
    older.setattr(prepare, "_check_text", lambda *_args: None)
    older.setattr(prepare, "clean_text", lambda value, **_kwargs: value)
    older.setattr(notices, "clean_text", lambda value, **_kwargs: value)
    older.setattr(files, "visible_name", lambda value, **_kwargs: value)
    older.setattr(in_force, "parse_season", lambda text, source, **_: parse_season(text, source, check_text=False))
    in_force.load(db, camp.manager, hostile_season(OLD_TEXT), "old.toml")
    post = posting.post(db, camp.actor("s1"), p2p("s2", "1", OLD_TEXT))
    notices.announce(db, camp.actor("t1"), title=OLD_TEXT, text=OLD_TEXT, until=date.fromisoformat(DAY))
    files.add_file(db, camp.actor("t1"), f"menu {OLD_TEXT}.txt", OLD_TEXT.encode())
    older.undo()
    with sqlite3.connect(path) as raw:  # names are not history: an older version could have written anything
        raw.execute("UPDATE account SET last_name = ? WHERE username = 's2'", (OLD_TEXT,))
    assert query(path, "SELECT description FROM txn WHERE id = ?", (post.id,)) == [(OLD_TEXT,)]
    return camp

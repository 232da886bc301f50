"""Fixtures shared by every test: a fresh camp database per test, and fast password hashing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import server_db
from argon2 import PasswordHasher
from textual import _wait
from textual.widgets import Button

from campbank.ledger.actions import auth
from campbank.ledger.actions.setup import initialise
from campbank.ledger.store.database import Database

MANAGER_PASSWORD = "manager-pass-1"
TESTS = Path(__file__).parent

# Pilot waits for the app to look idle after every key: it sleeps in steps of SLEEP_GRANULARITY until a step
# used almost no CPU. Textual's 20 ms step made those waits most of the UI tests' time; a 5 ms step still
# sees a busy app (and the tests wait for the ledger's workers themselves, see `settle`).
_wait.SLEEP_GRANULARITY = 1 / 200
_wait.SLEEP_IDLE = _wait.SLEEP_GRANULARITY / 20

# A button ignores clicks for 0.2 s after it was pressed (its pressed look). A person is never that quick;
# a test is, now that Pilot waits less, so buttons here drop that look and take every click.
_button_init = Button.__init__


def _button_without_pressed_look(self: Button, *args: Any, **kwargs: Any) -> None:
    _button_init(self, *args, **kwargs)
    self.active_effect_duration = 0


Button.__init__ = _button_without_pressed_look  # type: ignore[method-assign]

# Tables printed by the CLI are as wide as the terminal; tests read them at one fixed width, whether or
# not they run in a terminal (or in a worker process of pytest-xdist).
os.environ["COLUMNS"] = "160"


# Whole folders of slow tests: real `campbank` processes killed and racing, and the terminal UI driven
# by Textual's Pilot. Single slow tests elsewhere carry @pytest.mark.slow themselves.
SLOW_FOLDERS = frozenset({"reliability", "ui", "ui_manager", "ui_shell"})


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than there are CPUs. A fifth of the suite's time is spent waiting on real
    `campbank` processes (crash, concurrency, CLI), which a spare worker fills: 215 s against 233 s on two."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The tests that share one worker (an xdist_group) go first: that worker spends two minutes on them
    # while the others share everything else, instead of the group starting late and running on alone.
    items.sort(key=lambda item: item.get_closest_marker("xdist_group") is None)
    for item in items:
        if SLOW_FOLDERS.intersection(item.path.relative_to(TESTS).parts[:-1]):
            item.add_marker(pytest.mark.slow)
        only = item.get_closest_marker("sqlite_only")
        if only is not None and server_db.ON_SERVER:
            item.add_marker(pytest.mark.skip(reason=f"SQLite's file itself: {only.args[0]}"))


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with the smallest parameters: the same code path, a hundred times faster."""
    monkeypatch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    """Where the test's camp lives: a file, or with CAMPBANK_TEST_DB a new empty database on the server."""
    if not server_db.ON_SERVER:
        yield tmp_path / "camp.db"
        return
    location = server_db.new_location()
    yield location
    server_db.drop(location)
    server_db.MADE.remove(location)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if server_db.ON_SERVER:
        server_db.drop_all()


@pytest.fixture(scope="session")
def empty_camp_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database of a new camp, as `campbank init` makes it: the season and the manager."""
    from helpers import fast_hashing

    path = server_db.camp_location(tmp_path_factory, "empty-camp")
    with fast_hashing():
        initialise(path, manager="manager", manager_password=MANAGER_PASSWORD).database.dispose()
    return path


@pytest.fixture
def db(empty_camp_template: Path, db_path: Path) -> Iterator[Database]:
    """A fresh copy of a new camp (see `empty_camp_template`)."""
    from helpers import copy_database

    from campbank.ledger.store.database import open_database

    copy_database(empty_camp_template, db_path)
    database = open_database(db_path)
    yield database
    database.dispose()


# --- a populated camp, built once and copied for each test ------------------------------------------


@pytest.fixture(scope="session")
def camp_template(empty_camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database file: manager + m1, staff t1 t2, students s1..s5 (each with the initial grant)."""
    from helpers import copy_database, fast_hashing, populate

    from campbank.ledger.store.database import open_database

    path = server_db.camp_location(tmp_path_factory, "camp-template")
    copy_database(empty_camp_template, path)
    with fast_hashing():
        database = open_database(path)
        populate(database, students=5, staff=2, managers=1)
        database.dispose()
    return path


@pytest.fixture
def camp(camp_template: Path, db_path: Path):  # type: ignore[no-untyped-def]
    """A fresh copy of the populated camp (see `camp_template`), as a `helpers.Camp`."""
    from helpers import copy_database, load_camp

    from campbank.ledger.store.database import open_database

    copy_database(camp_template, db_path)
    database = open_database(db_path)
    yield load_camp(database)
    database.dispose()

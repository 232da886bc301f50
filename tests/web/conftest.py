"""Fixtures of the web tests: a camp whose season includes today, and one `campbank serve` per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import Server, running_server, season_text

from campbank.ledger.season.in_force import load as load_season
from campbank.ledger.store.database import open_database


def prepare_camp(template: Path, target: Path, **season: object) -> Path:
    """A copy of the test camp (manager, m1, t1, t2, s1..s5) with a season that includes today."""
    from helpers import actor_of, copy_database

    copy_database(template, target)
    db = open_database(target)
    try:
        load_season(db, actor_of(db, "manager"), season_text(**season), "web-test.toml")  # type: ignore[arg-type]
    finally:
        db.dispose()
    return target


@pytest.fixture(scope="module")
def web_camp(camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_camp(camp_template, tmp_path_factory.mktemp("web") / "camp.db")


@pytest.fixture(scope="module")
def server(web_camp: Path) -> Iterator[Server]:
    with running_server(web_camp, "--max-sessions", "3") as running:
        yield running
    assert running.process.returncode == 0, "\n".join(running.output)

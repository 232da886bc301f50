"""A camp with savings and credit switched on: the shared five-student camp with the savings season loaded.

Students s1..s5 (Squad 1..4, s5 in Squad 1 again) each hold the classic grant of 120@; staff t1, t2; the
manager and m1. The savings season (docs/savings.md) keeps the classic calendar, 2018-08-06..26, and lets
staff grant loans of up to 150@ in up to 7 instalments at 10%; savings earn 1.5% a day on up to 200@.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import server_db
from helpers import Camp, copy_database, load_camp

from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.store.database import open_database


@pytest.fixture(scope="session")
def savings_template(camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = server_db.camp_location(tmp_path_factory, "savings-camp")
    copy_database(camp_template, path)
    db = open_database(path)
    camp = load_camp(db)
    season_store.load(db, camp.manager, SEASON_FILES["savings"].read_text(encoding="utf-8"), "season-savings.toml")
    db.dispose()
    return path


@pytest.fixture
def savings(savings_template: Path, db_path: Path) -> Iterator[Camp]:
    copy_database(savings_template, db_path)
    database = open_database(db_path)
    yield load_camp(database)
    database.dispose()

"""A small camp for the manager's screens: the template camp, two staff transactions, today = DAY."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from helpers import DAY, copy_database, load_camp, money
from manager_pilot import Seeded

from campbank.ledger import clock
from campbank.ledger.actions.posting import post
from campbank.ledger.store.database import open_database


@pytest.fixture
def seeded(camp_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seeded]:
    """manager + m1, staff t1 t2, students s1..s5 (template) and two staff transactions; today is DAY."""
    monkeypatch.setattr(clock, "today", lambda: date.fromisoformat(DAY))
    path = tmp_path / "ui.db"
    copy_database(camp_template, path)
    db = open_database(path)
    camp = load_camp(db)
    by_t1 = post(db, camp.actor("t1"), money({"s1": "10", "s2": "5"}, description="olympiad prize")).id
    by_t2 = post(db, camp.actor("t2"), money({"s3": "7"}, description="radio help")).id
    yield Seeded(camp, by_t1, by_t2)
    db.dispose()


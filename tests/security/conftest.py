"""Fixtures of the hostile-text suite (the camps are built in camps.py); today is a day of the season."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from camps import make_hostile_camp, make_old_camp
from helpers import DAY

from campbank.ledger import clock


@pytest.fixture
def hostile_camp(camp_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setattr(clock, "today", lambda: date.fromisoformat(DAY))
    camp = make_hostile_camp(camp_template, tmp_path / "hostile.db")
    yield camp
    camp.db.dispose()


@pytest.fixture
def old_camp(camp_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setattr(clock, "today", lambda: date.fromisoformat(DAY))
    with pytest.MonkeyPatch.context() as older:
        camp = make_old_camp(camp_template, tmp_path / "old.db", older)
    yield camp
    camp.db.dispose()

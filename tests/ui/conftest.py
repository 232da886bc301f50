"""UI fixtures: a small camp (tests/conftest.py `camp`) on a calendar fixed inside the classic season.

The app itself comes from `pilot_steps.make_app(camp)`; the Pilot steps the tests share are there too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from campbank.ledger import clock

TODAY = date(2018, 8, 10)  # helpers.DAY: inside the classic season


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """The camp's calendar is fixed on a day inside the classic season (forms default to it)."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def office(camp, today) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """The camp of tests/conftest.py (manager, m1, staff t1 t2, students s1..s5), its clock on 2018-08-10."""
    yield camp

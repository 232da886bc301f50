"""Kiosk and refresh UI tests: the small camp of tests/conftest.py on a day inside the classic season."""

from __future__ import annotations

from datetime import date

import pytest

from campbank.ledger import clock

TODAY = date(2018, 8, 10)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY

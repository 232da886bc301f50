"""Fixtures shared by every test: a fresh camp database per test, and fast password hashing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from campbank.ledger import auth
from campbank.ledger.db import Database
from campbank.ledger.setup import initialise

MANAGER_PASSWORD = "manager-pass-1"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with the smallest parameters: the same code path, a hundred times faster."""
    monkeypatch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "camp.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    camp = initialise(db_path, manager="manager", manager_password=MANAGER_PASSWORD)
    yield camp.database
    camp.database.dispose()

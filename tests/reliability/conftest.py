"""Fixtures of the reliability tests (the helpers are in support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from reliability.support import build_big_camp

from campbank.ledger.actions import auth


@pytest.fixture(scope="session")
def big_camp_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database file: 2,000 students s1..s2000 with their grants, staff t1..t4, the manager."""
    import server_db

    path = server_db.camp_location(tmp_path_factory, "big-camp")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        build_big_camp(path)
    return path

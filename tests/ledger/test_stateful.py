"""Random sequences of everything people do, with every invariant of docs/guarantees.md checked after each step:
on the classic season (stateful_machine.py), and on the savings season with every savings-and-credit
action besides (stateful_savings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import server_db
from helpers import actor_of, copy_database
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from stateful_machine import LedgerMachine
from stateful_savings import SavingsMachine

from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.store.database import open_database

# No shrinking: each step touches the database, so shrinking a failure takes minutes; the printed steps of
# an unshrunk failure (25 at most) are readable as they are.
SETTINGS = dict(deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.slow
def test_random_sequences_keep_every_invariant(camp_template):
    run_state_machine_as_test(lambda: LedgerMachine(camp_template),
                              settings=settings(max_examples=30, stateful_step_count=25, **SETTINGS))


@pytest.fixture(scope="module")
def savings_season_template(camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = server_db.camp_location(tmp_path_factory, "stateful-savings")
    copy_database(camp_template, path)
    db = open_database(path)
    season_store.load(db, actor_of(db, "manager"), SEASON_FILES["savings"].read_text(encoding="utf-8"),
                      "season-savings.toml")
    db.dispose()
    return path


@pytest.mark.slow
def test_random_sequences_with_savings_and_credit_keep_every_invariant(savings_season_template):
    run_state_machine_as_test(lambda: SavingsMachine(savings_season_template),
                              settings=settings(max_examples=25, stateful_step_count=35, **SETTINGS))

"""A small market for the report tests, built once through the ledger API and copied for each test.

The camp of `camp_template` (manager, m1, staff t1 t2, students s1..s5 in Squads 1-4, grades 7-11, each
with the 120@ initial grant), plus three students whose names a CSV or a spreadsheet could mangle, and a
day of business: rewards in three report groups, a fine that puts s2 in danger, a purchase that puts s4
in warning, a lab, facultatives, a workout, a cancelled fine and a pending transfer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import server_db
from argon2 import PasswordHasher
from helpers import (
    DAY,
    STUDENT_PASSWORD,
    Camp,
    copy_database,
    fine,
    load_camp,
    money,
    p2p,
    purchase,
)

from campbank.ledger.actions import auth
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.states import cancel
from campbank.ledger.actions.users import add_user
from campbank.ledger.store.database import open_database

# username -> (last name, first name, middle name, squad, grade)
AWKWARD = {
    "obrien": ('O"Brien, Jr.', "Ann", "Мария", "Squad 2", 9),
    "petrov": ("Петров", "Пётр", "", "Squad 3", 10),
    "minus": ("-2+3", "Bob", "", "Squad 4", 8),
}
FORMULA_DESCRIPTION = "=1+2"


def build_market(camp: Camp) -> dict[str, int]:
    """Post the market's day of business; returns the ids of the transactions worth naming."""
    manager, t1, t2 = camp.manager, camp.actor("t1"), camp.actor("t2")
    for username, (last, first, middle, squad, grade) in AWKWARD.items():
        add_user(camp.db, manager, last_name=last, first_name=first, middle_name=middle, role="student",
                 squad=squad, grade=grade, username=username, password=STUDENT_PASSWORD)
    ids = {}
    ids["reward"] = post(camp.db, t1, money({"s1": "10", "s2": "5.50"}, description='Prize, "best" team')).id
    ids["olympiad"] = post(camp.db, t1, money({"s3": "20"}, "olympiad", description=FORMULA_DESCRIPTION)).id
    ids["radio"] = post(camp.db, t2, money({"s1": "3", "obrien": "4"}, "radio_help")).id
    ids["fine"] = post(camp.db, t1, fine({"s2": "130"})).id  # s2: 120 + 5.50 - 130 = -4.50, in danger
    ids["purchase"] = post(camp.db, t2, purchase({"s4": "100"})).id  # s4: 20.00, a warning
    ids["lab"] = post(camp.db, t1, {"type": "lab", "date": DAY, "partners": [
        {"username": "s1", "amount": "15"}, {"username": "s3", "amount": "12"}]}).id
    ids["fac"] = post(camp.db, t1, {"type": "fac_attend", "date": DAY, "block": "fac_1",
                                    "attendees": ["s1", "s2", "petrov"]}).id
    ids["workout"] = post(camp.db, t2, {"type": "workout", "date": DAY, "attendees": ["s1", "s3", "petrov"]}).id
    ids["cancelled"] = post(camp.db, t2, fine({"s5": "50"}, "fine_lang")).id
    cancel(camp.db, t2, ids["cancelled"], reason="wrong student")
    ids["pending"] = post(camp.db, camp.actor("s5"), p2p("s1", "2")).id
    return ids


@pytest.fixture(scope="session")
def market_template(camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = server_db.camp_location(tmp_path_factory, "market-template")
    copy_database(camp_template, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        database = open_database(path)
        ids = build_market(load_camp(database))
        database.dispose()
    return path, ids


@pytest.fixture
def market(market_template: tuple[Path, dict[str, int]], db_path: Path) -> Iterator[Camp]:
    """A fresh copy of the market; `market.ids` names its transactions."""
    source, ids = market_template
    copy_database(source, db_path)
    database = open_database(db_path)
    camp = load_camp(database)
    camp.ids = ids  # type: ignore[attr-defined]
    yield camp
    database.dispose()


"""Random mixes of every transaction type, cancels, alters and approvals keep every invariant of docs/guarantees.md.

Each example starts from a copy of a small populated camp and runs a random sequence of operations by
random people; refusals are expected (clashes, too little money, wrong role). Afterwards the balances and
counters recomputed from the raw entries must equal the caches, all balances sum to zero, and the
verifier finds nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import server_db
from helpers import (
    DAY,
    cached_counters,
    copy_database,
    load_camp,
    query,
    recomputed_balances,
    recomputed_counters,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from campbank.core.errors import CampBankError
from campbank.ledger.actions.posting import alter, post, template
from campbank.ledger.actions.states import approve, cancel, reject
from campbank.ledger.actions.tax import run as run_tax
from campbank.ledger.season.load import SEASON_FILES, load_season_file
from campbank.ledger.store.database import open_database
from campbank.ledger.verify import verify_file

SEASON = load_season_file(SEASON_FILES["classic"])
DAYS = ["2018-08-09", DAY, "2018-08-11"]
AMOUNT = st.integers(1, 4000).map(lambda cents: f"{cents // 100}.{cents % 100:02d}")


def payload_for(kind: str, students: list[str], data: st.DataObject) -> dict[str, object]:
    """A plausible payload of `kind` over a random subset of `students` (it may still be refused)."""
    some = data.draw(st.lists(st.sampled_from(students), min_size=1, max_size=len(students), unique=True))
    two = data.draw(st.lists(st.sampled_from(students), min_size=2, max_size=2, unique=True))
    base: dict[str, object] = {"type": kind, "date": data.draw(st.sampled_from(DAYS))}
    amounts = {s: data.draw(AMOUNT) for s in some}
    if kind == "general_money":
        return {**base, "money_type": "reward", "amounts": amounts}
    if kind == "fine":
        return {**base, "fine_type": "fine_any", "amounts": amounts}
    if kind == "purchase":
        return {**base, "purchase_type": data.draw(st.sampled_from(["goods", "books"])), "amounts": amounts}
    if kind == "fac_pass":
        return {**base, "amounts": amounts}
    if kind in ("workout", "certificate"):
        key = "attendees" if kind == "workout" else "certificates"
        return {**base, key: some}
    if kind == "fac_attend":
        return {**base, "block": data.draw(st.sampled_from(["fac_1", "fac_2"])), "attendees": some}
    if kind == "lecture":
        split = data.draw(st.integers(0, len(some)))
        return {**base, "attendees": some[:split], "absentees": some[split:]}
    if kind == "seminar":
        marks = {name: data.draw(st.sampled_from(values)) for name, values in SEASON.seminar_criteria.items()}
        return {**base, "block": data.draw(st.sampled_from(["seminar_1", "seminar_2", "seminar_3"])),
                "speaker": some[0], "attendees": some[1:], "marks": marks}
    if kind == "exam":
        return {**base, "scores": {s: data.draw(st.integers(0, 16)) for s in some}}
    if kind == "activity":
        return {**base, "activity_type": data.draw(st.sampled_from(["sport_activity", "evening_activity"])),
                "places": {s: data.draw(st.integers(1, 4)) for s in some}}
    if kind == "lab":
        return {**base, "partners": [{"username": s, "amount": data.draw(AMOUNT)} for s in two]}
    if kind == "dining_services":
        return {**base, "duty": "potato", "attendees": some}
    raise AssertionError(kind)


STAFF_TYPES = ["general_money", "fine", "purchase", "fac_pass", "workout", "certificate", "fac_attend",
               "lecture", "seminar", "exam", "activity", "lab", "dining_services"]
OPERATIONS = ["post"] * 6 + ["p2p", "decide", "cancel", "alter", "tax"]


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_random_mixes_keep_every_invariant(camp_template: Path, tmp_path_factory, data: st.DataObject) -> None:
    path = server_db.camp_location(tmp_path_factory, "mix")
    copy_database(camp_template, path)
    db = open_database(path)
    camp = load_camp(db)
    staff = camp.staff + camp.managers
    posted: list[int] = []
    try:
        for _ in range(data.draw(st.integers(5, 25))):
            operation = data.draw(st.sampled_from(OPERATIONS))
            try:
                if operation == "post":
                    kind = data.draw(st.sampled_from(STAFF_TYPES))
                    who = camp.actor(data.draw(st.sampled_from(staff)))
                    posted.append(post(db, who, payload_for(kind, camp.students, data)).id)
                elif operation == "p2p":
                    sender, receiver = data.draw(st.lists(st.sampled_from(camp.students), min_size=2, max_size=2,
                                                          unique=True))
                    posted.append(post(db, camp.actor(sender), {"type": "p2p", "receiver": receiver, "date": DAY,
                                                                "amount": data.draw(AMOUNT),
                                                                "description": "mix"}).id)
                elif operation == "decide" and posted:
                    decide = data.draw(st.sampled_from([approve, reject]))
                    decide(db, camp.actor(data.draw(st.sampled_from(staff))), data.draw(st.sampled_from(posted)))
                elif operation == "cancel" and posted:
                    who = data.draw(st.sampled_from(staff + camp.students))
                    cancel(db, camp.actor(who), data.draw(st.sampled_from(posted)), reason="mistake")
                elif operation == "alter" and posted:
                    txn, who = data.draw(st.sampled_from(posted)), data.draw(st.sampled_from(staff))
                    edited = template(db, camp.actor(who), txn)
                    edited["description"] = "altered"
                    posted.append(alter(db, camp.actor(who), txn, edited).id)
                elif operation == "tax":
                    run_tax(db, camp.manager, day=date.fromisoformat(data.draw(st.sampled_from(DAYS))))
            except CampBankError as refusal:
                event(f"refused: {type(refusal).__name__}")  # a refusal writes nothing; the checks prove it
            else:
                event(f"done: {operation}")
        _check_invariants(path)
    finally:
        db.dispose()


def _check_invariants(path: Path) -> None:
    cached = dict(query(path, "SELECT username, balance FROM account"))
    assert sum(cached.values()) == 0
    assert recomputed_balances(path) == cached
    assert recomputed_counters(path) == cached_counters(path)
    assert query(path, "SELECT transaction_id FROM journal WHERE counter_type IS NULL "
                       "GROUP BY transaction_id HAVING SUM(amount) != 0") == []
    report = verify_file(path)
    assert report.ok, report.findings

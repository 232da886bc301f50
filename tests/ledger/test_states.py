"""The transaction state machine (docs/guarantees.md#states): the table, reversing journal rows, alter and template."""

from __future__ import annotations

import itertools

import pytest
from helpers import (
    GRANT,
    audit_actions,
    audit_details,
    balances,
    checksum,
    fine,
    journal_of,
    money,
    p2p,
    query,
    txn_row,
    txn_state,
)

from campbank.core.enums import TRANSITIONS, State
from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.ledger.actions.posting import alter, post, template
from campbank.ledger.actions.states import approve, cancel, reject, transition
from campbank.ledger.transactions import load_transaction
from campbank.ledger.verify import verify_file
from campbank.ledger.views.accounts import history

LEGAL = {
    (State.CREATED, State.PROCESSED),
    (State.CREATED, State.DECLINED),
    (State.PROCESSED, State.DECLINED),
    (State.PROCESSED, State.SUBSTITUTED),
}


def test_the_table_is_exactly_the_spec():
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == LEGAL
    assert TRANSITIONS[State.DECLINED] == frozenset()
    assert TRANSITIONS[State.SUBSTITUTED] == frozenset()


def transaction_in(camp, state: State) -> int:  # type: ignore[no-untyped-def]
    """A transaction brought to `state` through the public API."""
    staff = camp.actor("t1")
    if state == State.CREATED:
        return post(camp.db, camp.actor("s1"), p2p("s2", "10")).id
    posted = post(camp.db, staff, money({"s1": "10"})).id
    if state == State.DECLINED:
        cancel(camp.db, staff, posted, reason="mistake")
    elif state == State.SUBSTITUTED:
        alter(camp.db, staff, posted, money({"s1": "11"}))
    assert txn_state(camp.db, posted) == state
    return posted


@pytest.mark.parametrize(("old", "new"), list(itertools.product(State, State)), ids=lambda s: str(s))
def test_every_pair_of_states(camp, old, new):
    txn_id = transaction_in(camp, old)
    manager = camp.manager
    before = checksum(camp.path)

    def move(session):  # type: ignore[no-untyped-def]
        return transition(session, load_transaction(session, txn_id), new, actor_id=manager.id)

    if (old, new) in LEGAL:
        changed = camp.db.write(move)
        assert (changed.old_state, changed.state) == (old, new)
        assert txn_state(camp.db, txn_id) == new
        assert audit_actions(camp.db, f"txn:{txn_id}")[-1] == f"txn.{new}"
        assert verify_file(camp.path).ok
    else:
        with pytest.raises(RuleError) as info:
            camp.db.write(move)
        assert info.value.field == "state"
        assert f"cannot become {new}" in info.value.message
        assert checksum(camp.path) == before, "a refused transition wrote something"


# --- the public actions refuse what the table refuses ---------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.PROCESSED, "approve"),  # processed -> processed
        (State.DECLINED, "approve"),  # declined -> processed
        (State.DECLINED, "reject"),
        (State.DECLINED, "cancel"),
        (State.DECLINED, "alter"),  # declined -> substituted
        (State.SUBSTITUTED, "approve"),
        (State.SUBSTITUTED, "reject"),
        (State.SUBSTITUTED, "cancel"),
        (State.SUBSTITUTED, "alter"),
    ],
)
def test_public_actions_refuse_illegal_moves_and_write_nothing(camp, state, action):
    if state == State.PROCESSED or action in ("cancel", "alter"):
        txn_id = transaction_in(camp, state)  # a staff transaction
    else:  # a student's transfer brought to the state
        txn_id = post(camp.db, camp.actor("s1"), p2p("s2", "10")).id
        approve(camp.db, camp.actor("t1"), txn_id)
        if state == State.DECLINED:
            cancel(camp.db, camp.actor("t1"), txn_id, reason="mistake")
        else:  # a transfer is never altered, so make it substituted directly
            camp.db.write(lambda s: transition(s, load_transaction(s, txn_id), State.SUBSTITUTED, actor_id=None))
    assert txn_state(camp.db, txn_id) == state
    before = checksum(camp.path)
    staff = camp.actor("t1")
    with pytest.raises(RuleError):
        if action == "approve":
            approve(camp.db, staff, txn_id)
        elif action == "reject":
            reject(camp.db, staff, txn_id, reason="mistake")
        elif action == "cancel":
            cancel(camp.db, staff, txn_id, reason="mistake")
        else:
            alter(camp.db, staff, txn_id, money({"s1": "12"}))
    assert checksum(camp.path) == before


def test_approve_twice_is_refused(camp):
    txn_id = post(camp.db, camp.actor("s1"), p2p("s2", "10")).id
    approve(camp.db, camp.actor("t1"), txn_id)
    before = checksum(camp.path)
    with pytest.raises(RuleError, match="already processed"):
        approve(camp.db, camp.actor("t2"), txn_id)
    with pytest.raises(RuleError, match="already processed"):
        reject(camp.db, camp.actor("t2"), txn_id, reason="mistake")
    assert checksum(camp.path) == before


def test_a_staff_transaction_is_not_a_request_to_approve(camp):
    txn_id = post(camp.db, camp.actor("t1"), money({"s1": "5"})).id
    before = checksum(camp.path)
    for action in (approve, reject):
        with pytest.raises(RuleError, match="not a request"):
            action(camp.db, camp.actor("t2"), txn_id)
    assert checksum(camp.path) == before


def test_unknown_transaction(camp):
    from campbank.core.errors import NotFound

    with pytest.raises(NotFound):
        cancel(camp.db, camp.manager, 9999, reason="mistake")


# --- cancel ------------------------------------------------------------------------------------------


def test_cancel_writes_reversing_rows_and_restores_balances(camp):
    staff = camp.actor("t1")
    start = balances(camp.db)
    txn_id = post(camp.db, staff, money({"s1": "10", "s2": "2.50"})).id
    fine_id = post(camp.db, staff, fine({"s3": "4"})).id
    assert balances(camp.db)["s1"] == start["s1"] + 1000
    assert balances(camp.db)["t1"] == start["t1"] - 1250 + 400

    changed = cancel(camp.db, staff, txn_id, reason="wrong student")
    assert (changed.old_state, changed.state) == ("processed", "declined")
    rows = journal_of(camp.db, txn_id)
    forward = [(u, a) for u, a, rev in rows if not rev]
    backward = [(u, a) for u, a, rev in rows if rev]
    assert sorted(forward) == sorted([("s1", 1000), ("t1", -1000), ("s2", 250), ("t1", -250)])
    assert sorted(backward) == sorted((u, -a) for u, a in forward), "each row is negated exactly once"
    assert len(query(camp.path, "SELECT * FROM money_entry WHERE transaction_id = ?", (txn_id,))) == 2

    after = balances(camp.db)
    assert after["s1"] == start["s1"] and after["s2"] == start["s2"]
    assert after["t1"] == start["t1"] + 400  # the fine still counts
    assert sum(after.values()) == 0

    lines = [line for line in history(camp.db, camp.manager, "s1") if line.transaction_id == txn_id]
    assert sorted((line.amount, line.reverses) for line in lines) == [(-1000, True), (1000, False)]
    assert lines[0].balance_after == start["s1"], "the newest line (the reversal) leaves the balance as before"

    assert audit_actions(camp.db, f"txn:{txn_id}") == ["txn.created", "txn.processed", "txn.declined"]
    assert audit_details(camp.db, "txn.declined")[-1]["reason"] == "wrong student"
    assert txn_state(camp.db, fine_id) == "processed"
    assert verify_file(camp.path).ok


def test_cancel_a_pending_request_writes_no_journal(camp):
    txn_id = post(camp.db, camp.actor("s1"), p2p("s2", "10")).id
    start = balances(camp.db)
    cancel(camp.db, camp.actor("s1"), txn_id, reason="mistake")
    assert txn_state(camp.db, txn_id) == "declined"
    assert journal_of(camp.db, txn_id) == []
    assert balances(camp.db) == start
    assert audit_actions(camp.db, f"txn:{txn_id}") == ["txn.created", "txn.declined"]


def test_reject_then_nothing_more(camp):
    txn_id = post(camp.db, camp.actor("s1"), p2p("s2", "10")).id
    reject(camp.db, camp.actor("t1"), txn_id, reason="no")
    assert txn_state(camp.db, txn_id) == "declined"
    with pytest.raises(RuleError):
        approve(camp.db, camp.actor("t1"), txn_id)
    assert balances(camp.db)["s1"] == GRANT


# --- alter ------------------------------------------------------------------------------------------


def test_alter_substitutes_and_only_the_new_one_counts(camp):
    staff = camp.actor("t1")
    start = balances(camp.db)
    old = post(camp.db, staff, money({"s1": "10", "s2": "10"}, description="olympiad")).id
    new = alter(camp.db, staff, old, money({"s1": "25", "s3": "1"}, description="olympiad, fixed"))
    assert new.id != old and new.state == "processed" and not new.duplicate
    assert txn_state(camp.db, old) == "substituted"
    row = txn_row(camp.db, new.id)
    assert row["update_of"] == old and row["state"] == "processed" and row["type"] == "general_money"
    assert row["description"] == "olympiad, fixed"
    after = balances(camp.db)
    assert after["s1"] == start["s1"] + 2500
    assert after["s2"] == start["s2"]
    assert after["s3"] == start["s3"] + 100
    assert after["t1"] == start["t1"] - 2600
    assert sum(after.values()) == 0
    # the old transaction's rows are reversed, not removed
    assert sorted(a for _, a, rev in journal_of(camp.db, old) if rev) == [-1000, -1000, 1000, 1000]
    assert audit_actions(camp.db, f"txn:{old}") == ["txn.created", "txn.processed", "txn.substituted"]
    assert audit_actions(camp.db, f"txn:{new.id}") == ["txn.created", "txn.processed"]
    assert verify_file(camp.path).ok


def test_alter_of_an_altered_transaction_is_refused_but_the_new_one_can_be_altered(camp):
    staff = camp.actor("t1")
    first = post(camp.db, staff, money({"s1": "10"})).id
    second = alter(camp.db, staff, first, money({"s1": "20"})).id
    with pytest.raises(RuleError):
        alter(camp.db, staff, first, money({"s1": "30"}))
    third = alter(camp.db, staff, second, money({"s1": "30"})).id
    assert txn_row(camp.db, third)["update_of"] == second
    assert balances(camp.db)["s1"] == GRANT + 3000


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        (money({"s1": "1.234"}), InputError, "amounts.s1"),
        (fine({"s1": "5"}), InputError, "type"),  # the type cannot change
        (money({"nobody": "5"}), InputError, "amounts.nobody"),
        ([1, 2], InputError, "payload"),
    ],
)
def test_a_bad_alter_leaves_the_old_transaction_counting(camp, payload, error, field):
    staff = camp.actor("t1")
    old = post(camp.db, staff, money({"s1": "10"})).id
    before = checksum(camp.path)
    with pytest.raises(error) as info:
        alter(camp.db, staff, old, payload)
    assert info.value.field == field
    assert checksum(camp.path) == before
    assert txn_state(camp.db, old) == "processed"


def test_alter_drops_an_idempotency_key_and_keeps_the_original(camp):
    staff = camp.actor("t1")
    old = post(camp.db, staff, money({"s1": "10"}, idempotency_key="k-1")).id
    new = alter(camp.db, staff, old, money({"s1": "12"}, idempotency_key="k-1")).id
    assert txn_row(camp.db, new)["idempotency_key"] is None
    assert txn_row(camp.db, old)["idempotency_key"] == f"u:{staff.id}:k-1"
    # the key still means the original: re-sending the original payload does not post again
    again = post(camp.db, staff, money({"s1": "10"}, idempotency_key="k-1"))
    assert again.duplicate and again.id == old


def test_alter_by_someone_else_is_refused(camp):
    old = post(camp.db, camp.actor("t1"), money({"s1": "10"})).id
    before = checksum(camp.path)
    for other in ("t2", "manager"):
        with pytest.raises(PermissionDenied):
            alter(camp.db, camp.actor(other), old, money({"s1": "11"}))
    assert checksum(camp.path) == before


# --- template -----------------------------------------------------------------------------------------


def test_template_returns_the_payload_without_the_key(camp):
    staff = camp.actor("t1")
    payload = money({"s1": "10", "s2": "0.5"}, description="radio", idempotency_key="radio-1")
    txn_id = post(camp.db, staff, payload).id
    before = checksum(camp.path)
    filled = template(camp.db, staff, txn_id)
    expected = dict(payload)
    del expected["idempotency_key"]
    assert filled == expected
    assert checksum(camp.path) == before, "a template reads only"
    # posting the template makes a second, independent transaction
    again = post(camp.db, staff, filled)
    assert again.id != txn_id and not again.duplicate
    assert balances(camp.db)["s1"] == GRANT + 2000


def test_template_of_a_declined_transaction_still_works(camp):
    staff = camp.actor("t1")
    txn_id = post(camp.db, staff, fine({"s1": "3"})).id
    cancel(camp.db, staff, txn_id, reason="mistake")
    assert template(camp.db, staff, txn_id)["amounts"] == {"s1": "3"}

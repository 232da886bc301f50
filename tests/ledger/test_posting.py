"""Posting (docs/rules.md#payloads): the money moves, p2p requests, idempotency, refusals that write nothing."""

from __future__ import annotations

import pytest
from helpers import (
    DAY,
    GRANT,
    audit_actions,
    balances,
    checksum,
    fine,
    journal_of,
    money,
    p2p,
    purchase,
    query,
    txn_row,
    txn_state,
)

from campbank.core.errors import CampBankError, InputError, RuleError
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.states import approve, cancel, reject
from campbank.ledger.actions.users import deactivate
from campbank.ledger.verify import verify_file

# --- the three staff forms -------------------------------------------------------------------------


def test_general_money_pays_each_student_from_the_creator(camp):
    start = balances(camp.db)
    posted = post(camp.db, camp.actor("t1"), money({"s1": "10", "s2": "0.05", "s3": 7}, money_type="olympiad"))
    assert (posted.type, posted.state, posted.recipients, posted.total) == ("general_money", "processed", 3, 1705)
    assert not posted.duplicate
    after = balances(camp.db)
    assert after["s1"] - start["s1"] == 1000
    assert after["s2"] - start["s2"] == 5
    assert after["s3"] - start["s3"] == 700
    assert after["t1"] - start["t1"] == -1705, "staff balances go negative as they issue money"
    assert sum(after.values()) == 0
    assert sorted(journal_of(camp.db, posted.id)) == sorted(
        [("s1", 1000, 0), ("t1", -1000, 0), ("s2", 5, 0), ("t1", -5, 0), ("s3", 700, 0), ("t1", -700, 0)]
    )
    types = query(camp.path, "SELECT DISTINCT money_type FROM money_entry WHERE transaction_id = ?", (posted.id,))
    assert types == [("olympiad",)]
    assert audit_actions(camp.db, f"txn:{posted.id}") == ["txn.created", "txn.processed"]
    assert posted.summary() == "general_money, 3 recipients, total 17.05@, processed"


@pytest.mark.parametrize("payload", [fine({"s1": "4.5"}, fine_type="fine_lang"),
                                     purchase({"s1": "4.5"}, purchase_type="goods")])
def test_fines_and_purchases_take_from_the_student(camp, payload):
    start = balances(camp.db)
    posted = post(camp.db, camp.actor("m1"), payload)
    assert posted.total == -450 and posted.state == "processed"
    after = balances(camp.db)
    assert after["s1"] == start["s1"] - 450
    assert after["m1"] == start["m1"] + 450, "the student pays the creator"
    assert sum(after.values()) == 0


def test_a_fine_may_take_a_balance_below_zero(camp):
    post(camp.db, camp.actor("t1"), fine({"s1": "150"}))
    assert balances(camp.db)["s1"] == GRANT - 15_000
    assert verify_file(camp.path).ok


def test_description_and_payload_are_kept(camp):
    payload = money({"s1": "1"}, description="  radio club  ")
    posted = post(camp.db, camp.actor("t1"), payload)
    row = txn_row(camp.db, posted.id)
    assert row["description"] == "radio club"
    assert row["day"] == DAY
    import json

    assert json.loads(row["payload"]) == payload


# --- p2p --------------------------------------------------------------------------------------------


def test_p2p_waits_for_approval_then_moves_the_money(camp):
    start = balances(camp.db)
    request = post(camp.db, camp.actor("s1"), p2p("s2", "20", "for the cake"))
    assert request.state == "created"
    assert balances(camp.db) == start, "a pending request moves nothing"
    assert journal_of(camp.db, request.id) == []
    changed = approve(camp.db, camp.actor("t1"), request.id, reason="ok")
    assert (changed.old_state, changed.state) == ("created", "processed")
    after = balances(camp.db)
    assert after["s1"] == start["s1"] - 2000
    assert after["s2"] == start["s2"] + 2000
    assert after["t1"] == start["t1"], "the approver is not part of the transfer"
    assert audit_actions(camp.db, f"txn:{request.id}") == ["txn.created", "txn.processed"]
    assert verify_file(camp.path).ok


def test_approval_checks_the_balance_again(camp):
    """The old system checked only at request time."""
    request = post(camp.db, camp.actor("s1"), p2p("s2", "100"))
    post(camp.db, camp.actor("t1"), purchase({"s1": "30"}))  # s1 spends after asking: 90 left
    before = checksum(camp.path)
    with pytest.raises(RuleError) as info:
        approve(camp.db, camp.actor("t1"), request.id)
    assert info.value.field == "amount"
    assert "90.00@" in info.value.message
    assert checksum(camp.path) == before
    assert txn_state(camp.db, request.id) == "created"
    # it can still be rejected
    reject(camp.db, camp.actor("t1"), request.id, reason="mistake")
    assert balances(camp.db)["s1"] == GRANT - 3000


def test_two_requests_that_together_exceed_the_balance(camp):
    first = post(camp.db, camp.actor("s1"), p2p("s2", "100")).id
    with pytest.raises(RuleError) as refused:  # each alone is within 120, but the first still waits
        post(camp.db, camp.actor("s1"), p2p("s3", "100"))
    assert refused.value.field == "amount"
    post(camp.db, camp.actor("t1"), fine({"s1": "50"}))  # the balance falls while the request waits
    with pytest.raises(RuleError):
        approve(camp.db, camp.actor("t1"), first)  # checked again at approval
    assert balances(camp.db)["s1"] == GRANT - 5_000
    assert txn_state(camp.db, first) == "created"


def test_a_student_may_send_their_whole_balance_but_not_a_cent_more(camp):
    with pytest.raises(RuleError) as info:
        post(camp.db, camp.actor("s1"), p2p("s2", "120.01"))
    assert info.value.field == "amount"
    request = post(camp.db, camp.actor("s1"), p2p("s2", "120"))
    approve(camp.db, camp.actor("t1"), request.id)
    assert balances(camp.db)["s1"] == 0


def test_a_student_cancels_their_own_pending_request(camp):
    request = post(camp.db, camp.actor("s1"), p2p("s2", "5")).id
    cancel(camp.db, camp.actor("s1"), request, reason="mistake")
    assert txn_state(camp.db, request) == "declined"
    with pytest.raises(RuleError):
        approve(camp.db, camp.actor("t1"), request)
    assert balances(camp.db)["s1"] == GRANT


def test_approval_refused_when_sender_or_receiver_was_deactivated(camp):
    to_gone = post(camp.db, camp.actor("s1"), p2p("s2", "5")).id
    from_gone = post(camp.db, camp.actor("s3"), p2p("s1", "5")).id
    deactivate(camp.db, camp.manager, "s2")
    deactivate(camp.db, camp.manager, "s3")
    before = checksum(camp.path)
    for request in (to_gone, from_gone):
        with pytest.raises(RuleError, match="deactivated"):
            approve(camp.db, camp.actor("t1"), request)
    assert checksum(camp.path) == before


@pytest.mark.parametrize(
    ("payload", "field", "why"),
    [
        (p2p("s1", "5"), "receiver", "not yourself"),
        (p2p("t1", "5"), "receiver", "not a student"),
        (p2p("nobody", "5"), "receiver", "no user"),
        ({**p2p("s2", "5"), "receiver": None}, "receiver", "username"),
        (p2p("s2", "5", comment=""), "description", "comment is required"),
        (p2p("s2", "5", comment="   "), "description", "comment is required"),
        ({k: v for k, v in p2p("s2", "5").items() if k != "description"}, "description", "comment"),
        (p2p("s2", "5", comment="x" * 501), "description", "at most"),
        (p2p("s2", "0"), "amount", "at least"),
        (p2p("s2", "-5"), "amount", "at least"),
        (p2p("s2", "1.001"), "amount", "decimals"),
        (p2p("s2", 1.5), "amount", "floating-point"),
        ({k: v for k, v in p2p("s2", "5").items() if k != "amount"}, "amount", "amount"),
    ],
)
def test_bad_p2p_requests(camp, payload, field, why):
    before = checksum(camp.path)
    with pytest.raises(InputError) as info:
        post(camp.db, camp.actor("s1"), payload)
    assert info.value.field == field
    assert why in info.value.message
    assert checksum(camp.path) == before


# --- idempotency -------------------------------------------------------------------------------------


def test_the_same_key_twice_posts_once(camp):
    payload = money({"s1": "10", "s2": "5"}, idempotency_key="radio-2018-08-10")
    first = post(camp.db, camp.actor("t1"), payload)
    after_first = checksum(camp.path)
    second = post(camp.db, camp.actor("t1"), dict(payload))
    assert second.duplicate and not first.duplicate
    assert (second.id, second.type, second.state, second.recipients, second.total) == (
        first.id, first.type, first.state, first.recipients, first.total)
    assert checksum(camp.path) == after_first, "a duplicate writes nothing at all"
    assert query(camp.path, "SELECT COUNT(*) FROM txn WHERE idempotency_key LIKE 'u:%:radio-2018-08-10'") == [(1,)]
    assert balances(camp.db)["s1"] == GRANT + 1000


def test_the_same_key_still_answers_after_the_transaction_was_cancelled(camp):
    payload = money({"s1": "10"}, idempotency_key="k")
    first = post(camp.db, camp.actor("t1"), payload)
    cancel(camp.db, camp.actor("t1"), first.id, reason="mistake")
    again = post(camp.db, camp.actor("t1"), payload)
    assert again.duplicate and again.id == first.id and again.state == "declined"
    assert balances(camp.db)["s1"] == GRANT


@pytest.mark.parametrize(
    ("who", "payload"),
    [
        ("t1", money({"s1": "11"}, idempotency_key="k")),  # a different amount
        ("t1", money({"s1": "10", "s2": "1"}, idempotency_key="k")),  # another student added
        ("t1", fine({"s1": "10"}, idempotency_key="k")),  # another type
    ],
)
def test_the_same_key_with_a_different_payload_is_refused(camp, who, payload):
    first = post(camp.db, camp.actor("t1"), money({"s1": "10"}, idempotency_key="k"))
    before = checksum(camp.path)
    with pytest.raises(RuleError) as info:
        post(camp.db, camp.actor(who), payload)
    assert info.value.field == "idempotency_key"
    assert f"#{first.id}" in info.value.message
    assert checksum(camp.path) == before


def test_the_same_p2p_key_twice_makes_one_request(camp):
    payload = p2p("s2", "5", idempotency_key="kiosk-1")
    first = post(camp.db, camp.actor("s1"), payload)
    second = post(camp.db, camp.actor("s1"), payload)
    assert second.duplicate and second.id == first.id and second.state == "created"
    assert query(camp.path, "SELECT COUNT(*) FROM txn WHERE type = 'p2p'") == [(1,)]


# --- bad payloads: InputError naming the field, nothing written --------------------------------------

GOOD = money({"s1": "10", "s2": "5"})


def with_(**changes: object) -> dict[str, object]:
    payload = {**GOOD, **changes}
    return {k: v for k, v in payload.items() if v is not DROP}


DROP = object()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param([GOOD], "payload", id="a list, not an object"),
        pytest.param("general_money", "payload", id="a string"),
        pytest.param(None, "payload", id="null"),
        pytest.param(42, "payload", id="a number"),
        pytest.param(with_(type=DROP), "type", id="no type"),
        pytest.param(with_(type=""), "type", id="blank type"),
        pytest.param(with_(type="bonus"), "type", id="unknown type"),
        pytest.param(with_(type=["fine"]), "type", id="type not text"),
        pytest.param(with_(colour="red"), "colour", id="unknown field"),
        pytest.param(with_(receiver="s2"), "receiver", id="a field of another type"),
        pytest.param(with_(money_type=DROP), "money_type", id="no money type"),
        pytest.param(with_(money_type="fine_lang"), "money_type", id="a fine type as money type"),
        pytest.param(with_(money_type="lottery"), "money_type", id="unknown money type"),
        pytest.param(with_(amounts=DROP), "amounts", id="no amounts"),
        pytest.param(with_(amounts={}), "amounts", id="empty amounts"),
        pytest.param(with_(amounts=["s1", "s2"]), "amounts", id="amounts as a list"),
        pytest.param(with_(amounts={"s1": "10", "nobody": "5"}), "amounts.nobody", id="unknown username"),
        pytest.param(with_(amounts={"s1": "10", "t1": "5"}), "amounts.t1", id="a staff member"),
        pytest.param(with_(amounts={"s1": "10", "manager": "5"}), "amounts.manager", id="a manager"),
        pytest.param(with_(amounts={"bank": "5"}), "amounts.bank", id="the bank"),
        pytest.param(with_(amounts={"s1": "10", "s2": "1.234"}), "amounts.s2", id="3 decimals"),
        pytest.param(with_(amounts={"s1": "1e3"}), "amounts.s1", id="exponent"),
        pytest.param(with_(amounts={"s1": "NaN"}), "amounts.s1", id="NaN"),
        pytest.param(with_(amounts={"s1": 12.5}), "amounts.s1", id="a float"),
        pytest.param(with_(amounts={"s1": True}), "amounts.s1", id="a bool"),
        pytest.param(with_(amounts={"s1": "0"}), "amounts.s1", id="zero"),
        pytest.param(with_(amounts={"s1": "-5"}), "amounts.s1", id="negative"),
        pytest.param(with_(amounts={"s1": "100000.01"}), "amounts.s1", id="over the limit"),
        pytest.param(with_(amounts={"s1": ""}), "amounts.s1", id="blank amount"),
        pytest.param(with_(amounts={"s1": "1,5"}), "amounts.s1", id="comma decimal"),
        pytest.param(with_(date="2018-09-01"), "date", id="after the season"),
        pytest.param(with_(date="2018-08-05"), "date", id="before the season"),
        pytest.param(with_(date=DROP), "date", id="no date: today, outside the 2018 season"),
        pytest.param(with_(date="2018-13-01"), "date", id="month 13"),
        pytest.param(with_(date="2018-02-30"), "date", id="30 February"),
        pytest.param(with_(date="10.08.2018"), "date", id="another date format"),
        pytest.param(with_(date=20180810), "date", id="date as a number"),
        pytest.param(with_(description=42), "description", id="description not text"),
        pytest.param(with_(description="x" * 501), "description", id="description too long"),
        pytest.param(with_(idempotency_key=""), "idempotency_key", id="blank key"),
        pytest.param(with_(idempotency_key=7), "idempotency_key", id="key not text"),
        pytest.param(with_(idempotency_key="k" * 201), "idempotency_key", id="key too long"),
    ],
)
def test_bad_payloads_name_the_field_and_write_nothing(camp, payload, field):
    before = checksum(camp.path)
    with pytest.raises(InputError) as info:
        post(camp.db, camp.actor("t1"), payload)
    assert info.value.field == field, str(info.value)
    assert info.value.message
    assert checksum(camp.path) == before


def test_a_deactivated_student_can_no_longer_be_paid_or_fined(camp):
    deactivate(camp.db, camp.manager, "s2")
    before = checksum(camp.path)
    for payload in (money({"s1": "1", "s2": "1"}), fine({"s2": "1"}), purchase({"s2": "1"})):
        with pytest.raises(InputError) as info:
            post(camp.db, camp.actor("t1"), payload)
        assert info.value.field == "amounts.s2"
        assert "deactivated" in info.value.message
    with pytest.raises(InputError) as info:
        post(camp.db, camp.actor("s1"), p2p("s2", "1"))
    assert info.value.field == "receiver"
    assert checksum(camp.path) == before


def test_one_bad_student_of_many_posts_nothing(camp):
    amounts = {f"s{i}": "1" for i in range(1, 6)} | {"ghost": "1"}
    before = checksum(camp.path)
    with pytest.raises(CampBankError):
        post(camp.db, camp.actor("t1"), money(amounts))
    assert checksum(camp.path) == before

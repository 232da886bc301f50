"""Cancels and rejections say who and why; a student's waiting requests count against what they may ask."""

from __future__ import annotations

from itertools import pairwise

import pytest
from helpers import GRANT, T0, audit_details, balance, money, p2p, txn_state

from campbank.core.errors import InputError, RuleError
from campbank.ledger import clock
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.states import approve, cancel, reject
from campbank.ledger.views.accounts import history, my_requests
from campbank.ledger.views.my_transactions import my_transactions
from campbank.ledger.views.oversight import transaction_detail


def test_staff_must_say_why_they_reject_or_cancel_and_nothing_changes_without_it(camp) -> None:  # type: ignore[no-untyped-def]
    request = post(camp.db, camp.actor("s1"), p2p("s2", "5")).id
    payment = post(camp.db, camp.actor("t1"), money({"s3": "4"})).id
    for refused in (lambda: reject(camp.db, camp.actor("t1"), request),
                    lambda: reject(camp.db, camp.actor("t1"), request, reason="   "),
                    lambda: cancel(camp.db, camp.actor("t1"), payment),
                    lambda: cancel(camp.db, camp.manager, request, reason="")):
        with pytest.raises(InputError) as error:
            refused()
        assert error.value.field == "reason"
    assert txn_state(camp.db, request) == "created" and txn_state(camp.db, payment) == "processed"
    assert balance(camp.db, "s3") == GRANT + 400


def test_a_student_withdraws_their_own_request_without_a_reason(camp) -> None:  # type: ignore[no-untyped-def]
    request = post(camp.db, camp.actor("s1"), p2p("s2", "5")).id
    cancel(camp.db, camp.actor("s1"), request)
    [mine] = my_requests(camp.db, camp.actor("s1"))
    assert mine.state == "declined" and mine.decision == "cancelled by Student01 Ann"


def test_a_rejection_and_a_cancel_read_differently_with_who_and_why(camp) -> None:  # type: ignore[no-untyped-def]
    rejected = post(camp.db, camp.actor("s1"), p2p("s2", "5", "for the bus")).id
    cancelled = post(camp.db, camp.actor("s1"), p2p("s3", "6", "for the pen")).id
    approve(camp.db, camp.actor("t1"), cancelled, reason="fine")
    reject(camp.db, camp.actor("t2"), rejected, reason="ask your counsellor first")
    cancel(camp.db, camp.manager, cancelled, reason="the pen was never given")
    assert [d["how"] for d in audit_details(camp.db, "txn.declined")] == ["rejected", "cancelled"]

    requests = {r.id: r for r in my_requests(camp.db, camp.actor("s1"))}
    assert requests[rejected].decision == "rejected by Teacher2 Tom: ask your counsellor first"
    assert requests[cancelled].decision.startswith("cancelled by ")
    assert requests[cancelled].decision.endswith(": the pen was never given")

    detail = transaction_detail(camp.db, camp.manager, rejected)
    assert detail.state == "declined" and detail.decision == "rejected by Teacher2 Tom: ask your counsellor first"
    assert transaction_detail(camp.db, camp.manager, cancelled + 0).decision.startswith("cancelled by ")

    paid = post(camp.db, camp.actor("t1"), money({"s4": "3"})).id
    cancel(camp.db, camp.actor("t1"), paid, reason="wrong student")
    mine = {t.id: t for t in my_transactions(camp.db, camp.actor("t1"))}
    assert mine[paid].decision == "cancelled by Teacher1 Tom: wrong student"


def test_the_history_names_the_other_side_of_each_transfer_and_why_it_was_cancelled(camp) -> None:  # type: ignore[no-untyped-def]
    sent = post(camp.db, camp.actor("s1"), p2p("s2", "5", "for the bus")).id
    approve(camp.db, camp.actor("t1"), sent, reason="ok")
    cancel(camp.db, camp.actor("t1"), sent, reason="paid twice")
    mine = history(camp.db, camp.actor("s1"), "s1")
    received = history(camp.db, camp.actor("s2"), "s2")
    assert [(line.amount, line.counterpart) for line in mine[:2]] == [(500, "Student02 Ann"), (-500, "Student02 Ann")]
    assert [(line.amount, line.counterpart) for line in received[:2]] == [(-500, "Student01 Ann"),
                                                                       (500, "Student01 Ann")]
    assert mine[0].decision == "cancelled by Teacher1 Tom: paid twice"


def test_waiting_requests_count_against_what_a_student_may_still_ask(camp) -> None:  # type: ignore[no-untyped-def]
    assert balance(camp.db, "s1") == GRANT  # 120.00@
    first = post(camp.db, camp.actor("s1"), p2p("s2", "100")).id
    with pytest.raises(RuleError) as error:
        post(camp.db, camp.actor("s1"), p2p("s3", "100"))
    assert error.value.field == "amount" and "waiting" in error.value.message
    post(camp.db, camp.actor("s1"), p2p("s3", "20"))  # exactly what is left
    with pytest.raises(RuleError):
        post(camp.db, camp.actor("s1"), p2p("s3", "0.01"))
    reject(camp.db, camp.actor("t1"), first, reason="no")
    post(camp.db, camp.actor("s1"), p2p("s3", "100"))  # a rejected request no longer holds anything back


def test_the_history_is_in_the_order_of_the_days_with_balances_that_add_up(camp) -> None:  # type: ignore[no-untyped-def]
    with clock.fixed_at(T0):
        late = post(camp.db, camp.actor("t1"), money({"s1": "3"}, date="2018-08-10")).id
        early = post(camp.db, camp.actor("t1"), money({"s1": "2"}, date="2018-08-08")).id
        newest = post(camp.db, camp.actor("t1"), money({"s1": "1"}, date="2018-08-10")).id
    lines = history(camp.db, camp.actor("s1"), "s1")
    assert [line.transaction_id for line in lines[:3]] == [newest, late, early]
    assert [line.day.isoformat() for line in lines] == sorted((line.day.isoformat() for line in lines), reverse=True)
    assert lines[0].balance_after == balance(camp.db, "s1")
    for newer, older in pairwise(lines):
        assert newer.balance_after - newer.amount == older.balance_after
    paged = history(camp.db, camp.actor("s1"), "s1", limit=1, before_id=lines[0].journal_id)
    assert paged[0].transaction_id == late and paged[0].balance_after == lines[1].balance_after
    paged = history(camp.db, camp.actor("s1"), "s1", limit=5, before_id=lines[1].journal_id)
    assert [line.transaction_id for line in paged][:1] == [early]

"""Disputes: a student asks about their own transaction; staff answer, then resolve (naming the fix) or reject.

The state moves once, open -> resolved | rejected, and the messages are append-only: the database itself
refuses anything else. Every step is audited; a refusal writes nothing.
"""

from __future__ import annotations

import pytest
from helpers import REFUSED, audit_actions, balance, checksum, fine, money, p2p, query, raw, txn_state

from campbank.core.errors import InputError, NotFound, PermissionDenied, RuleError
from campbank.ledger.actions import disputes
from campbank.ledger.actions.posting import alter, post
from campbank.ledger.actions.states import cancel
from campbank.ledger.verify import verify_file
from campbank.ledger.views.disputes import dispute_queue, dispute_thread, my_disputes


@pytest.fixture
def fined(camp):
    """s1 was fined 15@ by t1; returns the fine's id."""
    return post(camp.db, camp.actor("t1"), fine({"s1": "15"}, description="Noise after lights out")).id


def test_a_student_disputes_a_fine_and_staff_resolve_it_by_cancelling(camp, fined):
    s1 = camp.actor("s1")
    opened = disputes.open_dispute(camp.db, s1, "I was in the library at 23:00, ask Ms Orlova", transaction_id=fined)
    assert opened.state == "open"
    disputes.answer(camp.db, camp.actor("t2"), opened.dispute_id, "Checking with the librarian.")
    disputes.answer(camp.db, s1, opened.dispute_id, "She has the visitors' book.")
    with pytest.raises(RuleError, match="still processed"):
        disputes.resolve(camp.db, camp.actor("t2"), opened.dispute_id, fined)
    cancel(camp.db, camp.actor("t1"), fined, reason="dispute: was in the library")
    done = disputes.resolve(camp.db, camp.actor("t2"), opened.dispute_id, fined, note="Fine cancelled, sorry.")
    assert done.state == "resolved"

    [line] = my_disputes(camp.db, s1)
    assert (line.state, line.fixed_by, line.transaction_id, line.messages) == ("resolved", fined, fined, 4)
    thread = dispute_thread(camp.db, s1, opened.dispute_id)
    assert [(m.author, m.text) for m in thread.messages] == [
        ("s1", "I was in the library at 23:00, ask Ms Orlova"), ("t2", "Checking with the librarian."),
        ("s1", "She has the visitors' book."), ("t2", "Fine cancelled, sorry.")]
    assert thread.transaction is not None and thread.transaction.amount == -1500
    assert thread.transaction.state == "declined" and thread.closed_by == "t2"
    assert thread.fix is not None and thread.fix.id == fined
    assert audit_actions(camp.db, f"dispute:{opened.dispute_id}") == [
        "dispute.opened", "dispute.answered", "dispute.answered", "dispute.resolved"]
    assert verify_file(camp.path).ok


def test_an_alter_or_a_later_payment_to_the_student_also_fixes_it(camp, fined):
    first = disputes.open_dispute(camp.db, camp.actor("s1"), "Should be 5, not 15", transaction_id=fined)
    altered = alter(camp.db, camp.actor("t1"), fined, fine({"s1": "5"}, description="Noise after lights out"))
    disputes.resolve(camp.db, camp.manager, first.dispute_id, altered.id)
    early = post(camp.db, camp.actor("t1"), money({"s2": "3"}, description="before the question"))
    general = disputes.open_dispute(camp.db, camp.actor("s2"), "Where is my olympiad prize?")
    with pytest.raises(RuleError, match="made since the dispute was opened"):
        disputes.resolve(camp.db, camp.manager, general.dispute_id, early.id)
    prize = post(camp.db, camp.actor("t1"), money({"s2": "30"}, money_type="olympiad", description="prize"))
    disputes.resolve(camp.db, camp.manager, general.dispute_id, prize.id)
    assert [line.state for line in dispute_queue(camp.db, camp.manager)] == ["resolved", "resolved"]


def test_the_fix_must_relate_to_the_dispute(camp, fined):
    opened = disputes.open_dispute(camp.db, camp.actor("s1"), "Wrong student", transaction_id=fined)
    other = post(camp.db, camp.actor("t1"), money({"s2": "3"})).id  # for someone else
    before = checksum(camp.path)
    with pytest.raises(RuleError, match="does not fix this dispute"):
        disputes.resolve(camp.db, camp.manager, opened.dispute_id, other)
    with pytest.raises(NotFound):
        disputes.resolve(camp.db, camp.manager, opened.dispute_id, 99_999)
    assert checksum(camp.path) == before
    refund = post(camp.db, camp.actor("t1"), money({"s1": "15"}, description="refund")).id  # for s1, made since
    disputes.resolve(camp.db, camp.manager, opened.dispute_id, refund)


def test_rejecting_needs_a_reason_the_student_reads(camp, fined):
    opened = disputes.open_dispute(camp.db, camp.actor("s1"), "Not me", transaction_id=fined)
    with pytest.raises(InputError):
        disputes.reject(camp.db, camp.actor("t1"), opened.dispute_id, "   ")
    disputes.reject(camp.db, camp.actor("t1"), opened.dispute_id, "Two counsellors saw you.")
    thread = dispute_thread(camp.db, camp.actor("s1"), opened.dispute_id)
    assert thread.line.state == "rejected" and thread.messages[-1].text == "Two counsellors saw you."
    for again in (lambda: disputes.answer(camp.db, camp.actor("s1"), opened.dispute_id, "But…"),
                  lambda: disputes.reject(camp.db, camp.manager, opened.dispute_id, "again")):
        with pytest.raises(RuleError, match="already rejected"):
            again()


def test_a_student_disputes_only_their_own_transactions(camp, fined):
    with pytest.raises(PermissionDenied, match="does not concern s2"):
        disputes.open_dispute(camp.db, camp.actor("s2"), "Mine?", transaction_id=fined)
    sent = post(camp.db, camp.actor("s2"), p2p("s3", "5")).id  # their own transfer concerns them
    disputes.open_dispute(camp.db, camp.actor("s2"), "Sent twice?", transaction_id=sent)
    disputes.open_dispute(camp.db, camp.actor("s3"), "What is this?", transaction_id=sent)  # and its receiver
    with pytest.raises(PermissionDenied):
        disputes.open_dispute(camp.db, camp.actor("t1"), "staff cannot open one", transaction_id=fined)


def test_one_open_dispute_per_transaction_and_student(camp, fined):
    first = disputes.open_dispute(camp.db, camp.actor("s1"), "Wrong", transaction_id=fined)
    with pytest.raises(RuleError, match=f"dispute #{first.dispute_id} about #{fined} is still open"):
        disputes.open_dispute(camp.db, camp.actor("s1"), "Wrong!!", transaction_id=fined)


@pytest.mark.parametrize(("text", "why"), [
    ("", "empty"), ("   ", "empty"), ("x" * 501, "at most 500"), ("bell\x07", "control character"),
    ("\x1b[2Jcleared", "control character"), ("two\nlines", "line break"), ("rtl\u202eevil", "direction override"),
])
def test_bad_text_is_refused_and_nothing_written(camp, fined, text, why):
    before = checksum(camp.path)
    with pytest.raises(InputError, match=why):
        disputes.open_dispute(camp.db, camp.actor("s1"), text, transaction_id=fined)
    assert checksum(camp.path) == before


def test_exactly_500_characters_and_any_alphabet_are_fine(camp, fined):
    opened = disputes.open_dispute(camp.db, camp.actor("s1"), "Штраф " + "я" * 494, transaction_id=fined)
    assert len(dispute_thread(camp.db, camp.manager, opened.dispute_id).messages[0].text) == 500


def test_students_see_only_their_own(camp, fined):
    opened = disputes.open_dispute(camp.db, camp.actor("s1"), "Wrong", transaction_id=fined)
    with pytest.raises(PermissionDenied):
        dispute_thread(camp.db, camp.actor("s2"), opened.dispute_id)
    with pytest.raises(PermissionDenied):
        dispute_queue(camp.db, camp.actor("s1"))
    with pytest.raises(PermissionDenied):
        disputes.answer(camp.db, camp.actor("s2"), opened.dispute_id, "me too")
    assert my_disputes(camp.db, camp.actor("s2")) == []


def test_the_queue_puts_open_ones_first_oldest_first(camp, fined):
    a = disputes.open_dispute(camp.db, camp.actor("s1"), "first", transaction_id=fined).dispute_id
    b = disputes.open_dispute(camp.db, camp.actor("s2"), "second").dispute_id
    c = disputes.open_dispute(camp.db, camp.actor("s3"), "third").dispute_id
    disputes.reject(camp.db, camp.manager, a, "no")
    assert [line.id for line in dispute_queue(camp.db, camp.actor("t1"))] == [b, c, a]
    assert [line.id for line in dispute_queue(camp.db, camp.actor("t1"), include_closed=False)] == [b, c]


def test_the_database_refuses_to_reopen_rewrite_or_delete(camp, fined):
    opened = disputes.open_dispute(camp.db, camp.actor("s1"), "Wrong", transaction_id=fined)
    disputes.reject(camp.db, camp.manager, opened.dispute_id, "no")
    connection = raw(camp.path)
    for sql in ("UPDATE dispute SET state = 'open', closed_at = NULL",
                "UPDATE dispute SET state = 'resolved'",
                "DELETE FROM dispute",
                "UPDATE dispute_message SET text = 'I agree'",
                "DELETE FROM dispute_message",
                "INSERT INTO dispute (student_id, opened_at, state) VALUES (1, '2018-08-10', 'resolved')"):
        with pytest.raises(REFUSED):
            connection.execute(sql)
    connection.close()
    assert query(camp.path, "SELECT state FROM dispute") == [("rejected",)]


def test_cancel_and_resolve_in_one_step(camp, fined):
    opened = disputes.open_dispute(camp.db, camp.actor("s1"), "Not me", transaction_id=fined)
    general = disputes.open_dispute(camp.db, camp.actor("s1"), "A question")
    with pytest.raises(RuleError, match="general question"):
        disputes.resolve_by_cancelling(camp.db, camp.actor("t2"), general.dispute_id)
    disputes.resolve_by_cancelling(camp.db, camp.actor("t1"), opened.dispute_id, note="Cancelled.")
    assert txn_state(camp.db, fined) == "declined" and balance(camp.db, "s1") == 12_000
    thread = dispute_thread(camp.db, camp.actor("s1"), opened.dispute_id)
    assert thread.line.state == "resolved" and thread.line.fixed_by == fined
    assert verify_file(camp.path).ok


def test_cancel_and_resolve_is_refused_whole_when_the_cancel_is(camp):
    tax_like = post(camp.db, camp.manager, fine({"s1": "15"})).id  # a manager's: staff may not cancel it
    opened = disputes.open_dispute(camp.db, camp.actor("s1"), "Why?", transaction_id=tax_like)
    before = checksum(camp.path)
    with pytest.raises(PermissionDenied):
        disputes.resolve_by_cancelling(camp.db, camp.actor("t2"), opened.dispute_id)
    assert checksum(camp.path) == before

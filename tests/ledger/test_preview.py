"""`preview` shows exactly what `post` / `alter` would write, refuses what they refuse, and writes nothing."""

from __future__ import annotations

import pytest
from helpers import DAY, checksum, money, p2p, query

from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.ledger.actions import posting
from campbank.ledger.actions.preview import preview

MARKS = {"topic_match": 1, "knowledge": 1, "logic": 1, "disclosure": 1, "oratory": 1, "illustrations": 1,
         "originality": 1, "discussion": 1, "discretion": 1}


def seminar(speaker: str, attendees: list[str], block: str = "seminar_1") -> dict[str, object]:
    return {"type": "seminar", "date": DAY, "block": block, "speaker": speaker, "attendees": attendees,
            "marks": MARKS}


def test_preview_matches_the_post_and_writes_nothing(camp) -> None:
    payload = money({"s1": "10", "s2": "2.50"}, description="cleaning")
    before = checksum(camp.path)
    shown = preview(camp.db, camp.actor("t1"), payload)
    assert checksum(camp.path) == before
    assert (shown.type, shown.recipients, shown.total, shown.description) == ("general_money", 2, 1250, "cleaning")
    assert [(line.username, line.amount, line.balance_before, line.balance_after) for line in shown.lines] == [
        ("s1", 1000, 12000, 13000), ("s2", 250, 12000, 12250)]
    posted = posting.post(camp.db, camp.actor("t1"), payload)
    assert (posted.recipients, posted.total) == (shown.recipients, shown.total)


def test_preview_refuses_as_post_does(camp) -> None:
    with pytest.raises(PermissionDenied):
        preview(camp.db, camp.actor("s1"), money({"s2": "1"}))
    with pytest.raises(PermissionDenied):
        preview(camp.db, camp.actor("t1"), {"type": "tax", "date": DAY})
    with pytest.raises(InputError, match="date"):
        preview(camp.db, camp.actor("t1"), money({"s1": "1"}, date="2030-01-01"))
    with pytest.raises(InputError, match="colour"):
        preview(camp.db, camp.actor("t1"), money({"s1": "1"}, colour="red"))
    with pytest.raises(InputError, match=r"amounts\.s1"):
        preview(camp.db, camp.actor("t1"), money({"s1": "1.234"}))


def test_preview_runs_the_clash_check(camp) -> None:
    posting.post(camp.db, camp.actor("t1"), seminar("s1", ["s2"]))
    with pytest.raises(RuleError, match="clash"):
        preview(camp.db, camp.actor("t2"), seminar("s3", ["s2"]))
    assert preview(camp.db, camp.actor("t2"), seminar("s3", ["s4"], block="seminar_2")).recipients == 2


def test_an_alter_preview_sees_the_old_transaction_gone(camp) -> None:
    old = posting.post(camp.db, camp.actor("t1"), seminar("s1", ["s2"])).id
    edited = posting.template(camp.db, camp.actor("t1"), old)
    edited["attendees"] = ["s2", "s3"]
    shown = preview(camp.db, camp.actor("t1"), edited, alter_of=old)  # no clash with itself
    assert shown.alter_of == old and shown.recipients == 3
    speaker = next(line for line in shown.lines if line.username == "s1")
    assert speaker.balance_before == 12000  # the old reward no longer counts
    with pytest.raises(PermissionDenied):
        preview(camp.db, camp.actor("t2"), edited, alter_of=old)
    with pytest.raises(InputError, match="type"):
        preview(camp.db, camp.actor("t1"), money({"s1": "1"}), alter_of=old)
    posting.alter(camp.db, camp.actor("t1"), old, edited)
    with pytest.raises(RuleError, match="substituted"):
        preview(camp.db, camp.actor("t1"), edited, alter_of=old)


def test_a_lecture_alter_preview_counts_misses_without_the_old_one(camp) -> None:
    lecture = {"type": "lecture", "date": DAY, "attendees": [], "absentees": ["s1"]}
    old = posting.post(camp.db, camp.actor("t1"), lecture).id
    again = preview(camp.db, camp.actor("t1"), lecture, alter_of=old)
    assert again.total == -1000  # the first miss again, not the second (-30)
    assert preview(camp.db, camp.actor("t1"), lecture).total == -3000


def test_a_repeated_key_is_shown_as_already_posted(camp) -> None:
    payload = money({"s1": "1"}, idempotency_key="form-1")
    first = posting.post(camp.db, camp.actor("t1"), payload).id
    assert preview(camp.db, camp.actor("t1"), payload).duplicate_of == first
    with pytest.raises(RuleError, match="idempotency_key"):
        preview(camp.db, camp.actor("t1"), money({"s1": "2"}, idempotency_key="form-1"))


def test_staff_reads_mine_pending_and_students(camp) -> None:
    from campbank.ledger.views.my_transactions import my_transactions
    from campbank.ledger.views.students import student_card, student_list
    from campbank.ledger.views.transfers import pending_transfers

    first = posting.post(camp.db, camp.actor("t1"), money({"s1": "1", "s2": "2"})).id
    second = posting.post(camp.db, camp.actor("t1"), {"type": "workout", "date": DAY, "attendees": ["s3"]}).id
    posting.post(camp.db, camp.actor("t2"), money({"s1": "5"}))
    mine = my_transactions(camp.db, camp.actor("t1"))
    assert [(m.id, m.recipients, m.total) for m in mine] == [(second, 1, 2500), (first, 2, 300)]
    assert [m.id for m in my_transactions(camp.db, camp.actor("t1"), before_id=second)] == [first]

    request = posting.post(camp.db, camp.actor("s4"), p2p("s5", "3", comment="book")).id
    waiting, = pending_transfers(camp.db, camp.actor("t1"))
    assert (waiting.id, waiting.sender, waiting.receiver, waiting.amount, waiting.comment, waiting.covered) == (
        request, "s4", "s5", 300, "book", True)
    with pytest.raises(PermissionDenied):
        pending_transfers(camp.db, camp.actor("s4"))

    assert [r.username for r in student_list(camp.db, camp.actor("t1"))] == ["s1", "s5", "s2", "s3", "s4"]
    with pytest.raises(PermissionDenied):
        student_list(camp.db, camp.actor("s1"))
    card = student_card(camp.db, camp.actor("t1"), "s1", limit=2)
    assert card.row.balance == 12600 and len(card.history) == 2 and card.more
    assert query(camp.path, "SELECT count(*) FROM txn")[0][0] >= 4


def test_an_alter_preview_writes_nothing_and_leaves_the_old_transaction_counting(camp) -> None:
    old = posting.post(camp.db, camp.actor("t1"), seminar("s1", ["s2"])).id
    edited = posting.template(camp.db, camp.actor("t1"), old)
    edited["attendees"] = ["s3"]
    before = checksum(camp.path)
    preview(camp.db, camp.actor("t1"), edited, alter_of=old)
    assert checksum(camp.path) == before
    assert query(camp.path, "SELECT state FROM txn WHERE id = ?", (old,)) == [("processed",)]


def test_every_read_of_an_alter_preview_sees_the_old_transaction_gone(camp) -> None:
    """Raw SQL included: the preview runs inside the alter's own (rolled back) write transaction."""
    from sqlalchemy import text

    from campbank.ledger.actions.prepare import substitute

    old = posting.post(camp.db, camp.actor("t1"), money({"s1": "10"})).id
    edited = posting.template(camp.db, camp.actor("t1"), old)

    def counted(session) -> int:  # type: ignore[no-untyped-def]
        substitute(session, camp.actor("t1"), old, edited)
        return session.execute(text("SELECT COUNT(*) FROM txn WHERE state = 'processed' AND id = :id"),
                               {"id": old}).scalar_one()

    assert camp.db.rehearse(counted) == 0
    assert query(camp.path, "SELECT state FROM txn WHERE id = ?", (old,)) == [("processed",)]


def test_a_form_already_posted_previews_as_the_earlier_transaction(camp) -> None:
    payload = seminar("s1", ["s2"]) | {"idempotency_key": "form-7"}
    first = posting.post(camp.db, camp.actor("t1"), payload)
    shown = preview(camp.db, camp.actor("t1"), payload)  # no clash with itself: posting it changes nothing
    assert (shown.duplicate_of, shown.recipients, shown.total, shown.lines) == (first.id, 2, first.total, ())

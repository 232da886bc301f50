"""`fac_attend`, and the ledger's time-block clash check on seminars and facultatives
(docs/rules.md#time-blocks-and-clashes)."""

from __future__ import annotations

import pytest

from campbank.core.errors import InputError, RuleError
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY
from campbank.rules.fac_attend import RULE

DAY = "2018-08-08"
MARKS = {"topic_match": 1, "knowledge": 2, "logic": 1, "disclosure": 1, "oratory": 1,
         "illustrations": 1, "originality": 0, "discussion": 0, "discretion": 0}


def payload(block="fac_1", attendees=("bob", "ann"), **extra):
    return {"type": "fac_attend", "block": block, "attendees": list(attendees), **extra}


def test_registered_with_its_form(season):
    assert REGISTRY["fac_attend"] is RULE
    fields = {f.name: f for f in RULE.fields(season)}
    assert list(fields) == ["block", "attendees"]
    assert (fields["block"].kind, fields["block"].choices) == ("block", ("fac_1", "fac_2"))
    assert fields["attendees"].kind == "per_student_tick"


@pytest.mark.parametrize("block", ["fac_1", "fac_2"])
def test_each_attendee_counts_one_visit_in_the_block(season, make_ctx, lines, block):
    money_of, counters_of = lines
    entries = RULE.build(payload(block, ("cat", "bob", "ann")), make_ctx(season))
    assert money_of(entries) == {}
    assert counters_of(entries) == {(u, "fac_attend"): (1, block) for u in ("ann", "bob", "cat")}
    assert [c.receiver for c in entries.counters] == ["ann", "bob", "cat"]  # roster order


@pytest.mark.parametrize(("changes", "field"), [
    ({"block": "seminar_1"}, "block"),
    ({"block": "lecture"}, "block"),
    ({"block": "fac_3"}, "block"),
    ({"block": None}, "block"),
    ({"attendees": []}, "attendees"),
    ({"attendees": None}, "attendees"),
    ({"attendees": ["ann", "ann"]}, "attendees"),
    ({"attendees": ["ann", "zed"]}, "attendees"),
    ({"attendees": ["ann", "teacher"]}, "attendees"),
    ({"attendees": ["gone"]}, "attendees"),
])
def test_refusals_name_the_field(season, make_ctx, changes, field):
    with pytest.raises(InputError) as caught:
        RULE.build({**payload(), **changes}, make_ctx(season))
    assert caught.value.field == field


def test_a_staff_attendee_is_named(season, make_ctx):
    with pytest.raises(InputError, match="'teacher' is not a student"):
        RULE.build(payload(attendees=["ann", "teacher"]), make_ctx(season))


# --------------------------------------------------------------------------- through the ledger


def test_posted_through_the_ledger(camp):
    grant = camp.season.initial_grant
    posted = camp.post(payload("fac_2", ("ann", "bob"), date=DAY))
    assert (posted.state, posted.recipients, posted.total) == ("processed", 2, 0)
    assert camp.counters("ann") == camp.counters("bob") == {"fac_attend": 1}
    assert camp.counters("cat") == {}
    assert camp.balance("ann") == camp.balance("bob") == grant
    assert camp.balance("teacher") == 0
    assert verify_file(camp.db.path).ok


def seminar(block, speaker, attendees):
    return {"type": "seminar", "date": DAY, "block": block, "speaker": speaker, "attendees": attendees,
            "marks": MARKS}


def test_a_clash_is_refused_naming_the_student_and_the_earlier_transaction(camp):
    first = camp.post(seminar("seminar_1", "ann", ["bob"]))  # 11:15-11:50
    before = camp.transaction_count()
    with pytest.raises(RuleError) as caught:
        camp.post(payload("fac_1", ("cat", "bob"), date=DAY))  # 11:15-12:15: bob was at seminar_1
    message = str(caught.value)
    assert "bob" in message and "Brown Bob" in message
    assert f"#{first.id}" in message
    assert "seminar_1" in message and "fac_1" in message
    assert "(cat)" not in message  # only bob clashes
    # Nothing of the refused transaction was written, not even cat's visit.
    assert camp.transaction_count() == before
    assert camp.counters("cat") == {}
    assert camp.counters("bob") == {"seminar_attend": 1}
    assert verify_file(camp.db.path).ok


def test_the_speaker_clashes_too(camp):
    first = camp.post(seminar("seminar_1", "ann", ["bob"]))
    with pytest.raises(RuleError, match=rf"Adams Ann \(ann\).*#{first.id}"):
        camp.post(payload("fac_1", ("ann",), date=DAY))


def test_blocks_that_do_not_overlap_are_fine(camp):
    camp.post(seminar("seminar_1", "ann", ["bob"]))  # 11:15-11:50
    camp.post(payload("fac_1", ("cat",), date=DAY))  # 11:15-12:15
    camp.post(seminar("seminar_3", "bob", ["cat", "ann"]))  # 12:51-13:30: after fac_1 and seminar_1
    camp.post(payload("fac_1", ("bob",), date="2018-08-09"))  # another day
    assert camp.counters("cat") == {"fac_attend": 1, "seminar_attend": 1}
    assert camp.counters("bob") == {"seminar_attend": 1, "seminar_pass": 1, "fac_attend": 1}
    assert camp.counters("ann") == {"seminar_pass": 1, "seminar_attend": 1}
    assert verify_file(camp.db.path).ok

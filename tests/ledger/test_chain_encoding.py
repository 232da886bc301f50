"""The chain's encoding (docs/tamper-evidence.md, "The encoding"): the exact bytes, written out by hand
here from the documented definition, and the same bytes however a table's rows are batched."""

from __future__ import annotations

import hashlib
import json
import struct
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from campbank.ledger.store.chain_encoding import Encoded, encode_rows
from campbank.ledger.store.chain_spec import CHAINED, GENESIS, header, link_hash

JOURNAL = next(table for table in CHAINED if table.name == "journal")
TXN = next(table for table in CHAINED if table.name == "txn")


def q(*values: int) -> bytes:
    return struct.pack(f"<{len(values)}q", *values)


def test_journal_rows_encode_exactly_as_documented():
    # as read: id, transaction_id, account_id, money_entry_id, counter_entry_id, amount, reverses, null mask,
    # counter_type, created_at (NULL read as 0 and '')
    rows = [(7, 3, 12, 40, 0, -250, 0, 0b110, "", "2018-08-10 12:00:00.000000"),
            (8, 3, 5, 0, 9, 1, 1, 0b001, "workout", "2018-08-10 12:00:00.000000")]
    expected = (q(7, 3, 12, 40, 0, -250, 0, 0b110) + q(8, 3, 5, 0, 9, 1, 1, 0b001)
                + b"\0" + b"2018-08-10 12:00:00.000000\0" + b"workout\0" + b"2018-08-10 12:00:00.000000\0")
    assert encode_rows(JOURNAL, rows) == expected


def test_text_is_utf8_and_a_link_hash_is_as_documented():
    row = (1, 2, 0, -500, 1, 0b10, "fine", "2018-08-10 12:00:00.000000", "2018-08-10", "Штраф", "{}", "")
    encoding = encode_rows(TXN, [row])
    assert encoding == q(1, 2, 0, -500, 1, 0b10) + "fine\0" "2018-08-10 12:00:00.000000\0" "2018-08-10\0" \
        "Штраф\0" "{}\0" "\0".encode()
    digest = hashlib.sha256(encoding).digest()
    expected = hashlib.sha256(GENESIS + q(1) + struct.pack("<Bqq", 0, 1, 1) + digest).digest()
    assert link_hash(GENESIS, 1, [(0, 1, 1)], [digest]) == expected
    assert header(1, [(0, 1, 1)]) == q(1) + bytes([0]) + q(1, 1)


def test_a_value_campbank_never_writes_makes_the_link_json():
    rows = [(1, 3, 12, 0, 0, 2.5, 0, 0b110, "", "2018-08-10"),  # a float amount
            (2, 3, 12, 0, 0, 1, 0, 0b110, "a\0b", "2018-08-10"),  # a zero character in a text
            (3, 3, 12, 0, 0, 1, 0, 0b110, b"\x01", "2018-08-10")]  # a blob where text belongs
    for row in rows:
        encoding = encode_rows(JOURNAL, [row])
        assert encoding.startswith(b"J")
        value = json.loads(encoding[1:])[0]
        assert value[5] == row[5] if not isinstance(row[8], bytes) else value[8] == {"blob": "01"}


SAFE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
VALUES = st.one_of(st.integers(-(2**63), 2**63 - 1), SAFE_TEXT, st.none(), st.floats(allow_nan=False),
                   st.binary(max_size=3), st.just("a\0b"))


@st.composite
def journal_rows(draw):  # type: ignore[no-untyped-def]
    """Rows in id order, mostly as CampBank writes them, sometimes with a value it never writes."""
    count = draw(st.integers(0, 30))
    rows = []
    for index in range(1, count + 1):
        row: list[object] = [index, *draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=7, max_size=7)),
                             draw(SAFE_TEXT), draw(SAFE_TEXT)]
        if draw(st.integers(0, 9)) == 0:
            row[draw(st.integers(1, 9))] = draw(VALUES)
        rows.append(tuple(row))
    return rows


@settings(max_examples=200, deadline=None)
@given(journal_rows(), st.data())
def test_slices_of_a_batch_are_the_links_own_encodings(rows, data):
    """verify encodes a batch of 20,000 rows at once and slices it per link; the writer encodes each link's
    rows alone: the bytes must be the same, whatever the rows hold."""
    batch = Encoded(JOURNAL, rows)
    cuts = sorted([0, *data.draw(st.lists(st.integers(0, len(rows)), max_size=5)), len(rows)])
    for start, end in pairwise(cuts):
        assert batch.slice(start, end) == encode_rows(JOURNAL, rows[start:end])

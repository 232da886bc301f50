"""What the hash chain covers and how a link is hashed (docs/tamper-evidence.md): plain data and hashlib,
light to import (verify's second process needs only this, `chain_encoding` and the rows).

Link n's hash is

    SHA-256(hash of link n-1 | header | SHA-256 of each table's rows in the link, in table order)

with 32 zero bytes before link 1. The header is n (int64) and, for each table with rows in the link, its
position in CHAINED (one byte), its last id and its number of rows (int64 each), little-endian; a table's
rows are encoded by `chain_encoding`. A link also keeps the first 8 bytes of each table's SHA-256
(`digests`), only to tell which table of a broken link changed.
"""

from __future__ import annotations

import hashlib
import struct
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from campbank.ledger.store.chain_encoding import INT, TEXT, ChainedTable, Column, TableStream

HASH_SIZE = 32
GENESIS = bytes(HASH_SIZE)  # the "previous hash" of link 1
DIGEST_SIZE = 8  # bytes of each table's SHA-256 a link keeps, to say which table of a broken link changed

# The meta row that says the chain has started: from the first row (a camp made with the chain), or when an
# older camp was first opened by this version (its history until then is chained as it was then).
META_KEY = "hash_chain"
FROM_THE_FIRST_ROW = "from the first row"


def _columns(*spec: str) -> tuple[Column, ...]:
    """"name:int", "name:text", with "?" for a nullable column."""
    columns = []
    for item in spec:
        name, kind = item.split(":")
        columns.append(Column(name, INT if kind.startswith("int") else TEXT, kind.endswith("?")))
    return tuple(columns)


# The order of this tuple, and of each table's columns, is part of the encoding: never reorder them; a new
# table goes at the end (with its own `_to` column in the chain).
CHAINED = (
    ChainedTable("txn", _columns("id:int", "type:text", "creator_id:int", "created_at:text", "day:text",
                                 "description:text", "payload:text", "update_of:int?", "idempotency_key:text?",
                                 "amount:int", "recipients:int")),
    ChainedTable("money_entry", _columns("id:int", "transaction_id:int", "receiver_id:int", "amount:int",
                                         "money_type:text", "description:text")),
    ChainedTable("counter_entry", _columns("id:int", "transaction_id:int", "receiver_id:int", "counter_type:text",
                                           "value:int", "day:text", "block:text?")),
    ChainedTable("journal", _columns("id:int", "transaction_id:int", "account_id:int", "money_entry_id:int?",
                                     "counter_entry_id:int?", "counter_type:text?", "amount:int", "reverses:int",
                                     "created_at:text")),
    ChainedTable("audit_log", _columns("id:int", "at:text", "actor_id:int?", "action:text", "target:text",
                                       "detail:text")),
)
TABLE_NAMES = tuple(table.name for table in CHAINED)


LINK_COLUMNS = ("seq", *(table.mark for table in CHAINED), "digests", "hash")
SEQ_HEADER = struct.Struct("<q")
MARK_HEADER = struct.Struct("<Bqq")


def header(seq: int, marks: Sequence[tuple[int, int, int]]) -> bytes:
    """The link number and, per table with rows in the link: its position in CHAINED, last id, rows."""
    return SEQ_HEADER.pack(seq) + b"".join(MARK_HEADER.pack(*mark) for mark in marks)


def link_hash(previous: bytes, seq: int, present: Sequence[tuple[int, int, int]], digests: Sequence[bytes]) -> bytes:
    """`present`: (table position, last id, rows) of each table with rows in the link; `digests`: the
    SHA-256 of each one's encoding."""
    return hashlib.sha256(b"".join((previous, header(seq, present), *digests))).digest()


def format_head(seq: int, hash_: bytes) -> str:
    """How a head is written wherever it is kept: `SEQ:HEX`."""
    return f"{seq}:{hash_.hex()}"


@dataclass
class TableDigests:
    """A table's part of every link: for each link whose mark for it advances, its rows' count and SHA-256."""

    counts: array = field(default_factory=lambda: array("q"))
    digests: bytearray = field(default_factory=bytearray)
    unchained: tuple[int, int, int] | None = None  # rows after the last link: first id, last id, how many


def digest_table(connection: Any, index: int, marks: Sequence[int], *, tally: Any = None, up_to: int | None = None,
                 missing: frozenset[str] = frozenset()) -> TableDigests:
    """Read one table once and hash its rows link by link (`marks`: its mark in every link, in order).

    `tally`, if given, sees every batch of rows (its method named after the table); `up_to`: ignore rows
    above this id (rows a writer committed after the caller's snapshot was taken).
    """
    table = CHAINED[index]
    on_batch = getattr(tally, table.name) if tally is not None else None
    stream = TableStream(connection.cursor(), table, missing=missing, on_batch=on_batch,
                         where="" if up_to is None else f"id <= {int(up_to)}")
    counts, digests = stream.hash_links(marks)
    return TableDigests(counts, digests, stream.drain())

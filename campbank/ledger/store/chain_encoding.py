"""The exact bytes the hash chain hashes for a table's rows (docs/tamper-evidence.md, "The encoding").

Each chained table declares its columns as integers or text, nullable or not. The rows of one table in one
link encode as two parts. First, for each row in id order, its integer columns (NULL as 0) and its null
mask (bit i set when the i-th nullable column is NULL; only for a table with nullable columns), each as
int64 little-endian. Then, for each row in id order, each of its text columns (NULL as '') in UTF-8
followed by one zero byte. Dates and times are text ('YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS.ffffff', UTC),
booleans integers. The number of rows is in the link's header.

A link whose rows hold a value this cannot hold exactly (text in an integer column, a number or blob in a
text column, a float, a text containing a zero character: only a hand-edited file has one) encodes
instead as b"J" and the JSON of the rows as read, so it is still hashed, exactly, and reported.

Encoding is done a whole batch of rows at a time (a few C-level passes, no Python loop per value) and a
link's bytes are two slices of the batch's: that is what lets `verify` hash millions of rows in seconds.
"""

from __future__ import annotations

import hashlib
import json
import struct
from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, chain
from operator import add, itemgetter
from typing import Any

INT = "int"
TEXT = "text"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # INT or TEXT (dates and times are text: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS.ffffff')
    nullable: bool = False


@dataclass(frozen=True)
class ChainedTable:
    name: str
    columns: tuple[Column, ...]  # `id` first; anything mutable (txn.state) is left out

    @property
    def mark(self) -> str:
        """The chain's column holding the last id of this table covered so far."""
        return f"{self.name}_to"

    @cached_property
    def ints(self) -> int:
        """How many integers each row is read and encoded with: its integer columns and the null mask."""
        return sum(c.kind == INT for c in self.columns) + any(c.nullable for c in self.columns)

    @cached_property
    def texts(self) -> int:
        count = sum(c.kind == TEXT for c in self.columns)
        assert count, "every chained table has a text column (the encoding splits rows by them)"
        return count

    def select(self, where: str = "", *, missing: frozenset[str] = frozenset()) -> str:
        """The query reading rows as they are encoded: the integers, then the texts.

        A `missing` column (an older file) reads as NULL, which the encoding refuses (it falls back to JSON).
        """
        def value(column: Column) -> str:
            if column.name in missing:
                return "NULL"
            return column.name if not column.nullable else f"COALESCE({column.name}, {_EMPTY[column.kind]})"

        nullable = [c for c in self.columns if c.nullable]
        parts = [value(c) for c in self.columns if c.kind == INT]
        if nullable:
            parts.append(" + ".join(f"(CASE WHEN {'NULL' if c.name in missing else c.name} IS NULL THEN {1 << i} "
                                    "ELSE 0 END)" for i, c in enumerate(nullable)))
        parts += [value(c) for c in self.columns if c.kind == TEXT]
        return f"SELECT {', '.join(parts)} FROM {self.name} {where} ORDER BY id"


_EMPTY = {INT: "0", TEXT: "''"}


def _other_value(value: object) -> object:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"blob": bytes(value).hex()}
    raise TypeError(f"cannot encode a value of type {type(value).__name__}")


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False, default=_other_value)


class Encoded:
    """A batch of one table's rows (as `ChainedTable.select` reads them), encoded once, sliced per link."""

    def __init__(self, table: ChainedTable, rows: Sequence[Sequence[Any]]) -> None:
        self.table = table
        self.rows = rows
        self._k, self._m = table.ints, table.texts
        try:
            self._encode_fast(rows)
            self.fast = True
        except (TypeError, ValueError, struct.error):  # see the module's doc: such a link is JSON
            self.fast = False

    def _encode_fast(self, rows: Sequence[Sequence[Any]]) -> None:
        k = self._k
        self.int_bytes = struct.pack(f"<{len(rows) * k}q", *chain.from_iterable(map(itemgetter(slice(0, k)), rows)))
        texts = list(chain.from_iterable(map(itemgetter(slice(k, None)), rows)))
        joined = "\0".join(texts)  # TypeError unless every one is text
        if texts and joined.count("\0") != len(texts) - 1:
            raise ValueError("a text with a zero character")
        if joined.isascii():  # one character, one byte: encode the batch at once
            self.text_bytes = joined.encode("ascii") + b"\0"
            lengths = list(map(len, texts))
        else:  # UnicodeEncodeError (a ValueError) for a lone surrogate
            encoded = list(map(str.encode, texts))
            self.text_bytes = b"\0".join(encoded) + b"\0"
            lengths = list(map(len, encoded))
        # Where each row's texts start: the bytes of the texts before it, and a zero byte after each text.
        m = self._m
        self.offsets = list(map(add, [0, *accumulate(lengths)][::m], range(0, len(texts) + 1, m)))

    def slice(self, start: int, end: int) -> bytes:
        """The encoding of rows[start:end], exactly what `encode_rows` gives for those rows alone."""
        if self.fast:
            return (self.int_bytes[8 * self._k * start:8 * self._k * end]
                    + self.text_bytes[self.offsets[start]:self.offsets[end]])
        if end - start < len(self.rows):  # a part of the batch: it may well encode in the usual form alone
            return Encoded(self.table, self.rows[start:end]).slice(0, end - start)
        # a lone surrogate (which only a damaged or hand-edited file holds) is kept, not an error
        return b"J" + _JSON.encode([list(row) for row in self.rows[start:end]]).encode("utf-8", "surrogatepass")


def encode_rows(table: ChainedTable, rows: Sequence[Sequence[Any]]) -> bytes:
    """The encoding of one link's rows of `table`."""
    return Encoded(table, rows).slice(0, len(rows))


class TableStream:
    """One chained table's rows in id order, read in big batches and encoded a batch at a time; `take`
    hands out the encoding of the next rows up to a link's mark.

    `on_batch` sees every batch as it is read, and whether every value fits the encoding (the integer
    columns hold integers): verify's other checks run there, in the same pass.
    """

    def __init__(self, cursor: Any, table: ChainedTable, *, after: int = 0, where: str = "",
                 missing: frozenset[str] = frozenset(), batch: int = 20_000,
                 on_batch: Callable[[list[Any], bool], None] | None = None) -> None:
        self.table = table
        self._cursor = cursor
        self._cursor.execute(table.select("WHERE id > ?" + (f" AND {where}" if where else ""), missing=missing),
                             (after,))
        self._batch = batch
        self._on_batch = on_batch
        self._rows: list[Any] = []
        self._encoded: Encoded | None = None
        self._pos = 0
        self._done = False
        self.count = 0  # how many rows the last `take` handed out

    def take(self, mark: int) -> bytes | None:
        """The encoding of the next rows whose id is at most `mark`; None when there are none."""
        rows, pos = self._rows, self._pos
        if pos < len(rows):
            end = pos + mark - rows[pos][0] + 1  # ids without gaps: the usual case, checked
            if pos < end <= len(rows) and rows[end - 1][0] == mark:
                self._pos = end
                self.count = end - pos
                return self._encoded.slice(pos, end)  # type: ignore[union-attr]
        taken: list[Any] = []
        while True:
            if self._pos >= len(self._rows) and not self._refill():
                break
            rows, pos = self._rows, self._pos
            end = bisect_right(rows, mark, lo=pos, key=_first)
            taken.extend(rows[pos:end])
            self._pos = end
            if end < len(rows):
                break
        self.count = len(taken)
        return encode_rows(self.table, taken) if taken else None

    def hash_links(self, marks: Sequence[int]) -> tuple[array, bytearray]:
        """For each mark that moves on from the one before (a link with rows of this table): how many rows
        it covers and the SHA-256 of their encoding. `take` in a loop, with its usual case inlined: this
        runs once per link of the chain."""
        counts, digests = array("q"), bytearray()
        sha256, count, add = hashlib.sha256, counts.append, digests.extend
        width = 8 * self.table.ints
        previous = 0
        rows: list[Any] = []
        pos, encoded = 0, self._encoded
        for mark in marks:
            if mark == previous:
                continue
            previous = mark
            if pos < len(rows):
                end = pos + mark - rows[pos][0] + 1
                if pos < end <= len(rows) and rows[end - 1][0] == mark and encoded is not None and encoded.fast:
                    h = sha256(encoded.int_bytes[width * pos:width * end])
                    h.update(encoded.text_bytes[encoded.offsets[pos]:encoded.offsets[end]])
                    add(h.digest())
                    count(end - pos)
                    pos = end
                    continue
            self._pos = pos
            encoding = self.take(mark)
            add(sha256(encoding or b"").digest())
            count(self.count)
            rows, pos, encoded = self._rows, self._pos, self._encoded
        self._pos = pos
        return counts, digests

    def drain(self) -> tuple[int, int, int] | None:
        """Read every row not handed out yet, keeping only (first id, last id, how many)."""
        first = last = None
        count = 0
        while self._pos < len(self._rows) or self._refill():
            rows = self._rows[self._pos:]
            self._pos = len(self._rows)
            first = rows[0][0] if first is None else first
            last = rows[-1][0]
            count += len(rows)
        return None if first is None or last is None else (first, last, count)

    def _refill(self) -> bool:
        if self._done:
            return False
        self._rows = self._cursor.fetchmany(self._batch)
        self._pos = 0
        if not self._rows:
            self._done = True
            self._encoded = None
            return False
        self._encoded = Encoded(self.table, self._rows)
        if self._on_batch is not None:
            self._on_batch(self._rows, self._encoded.fast)
        return True


_first = itemgetter(0)

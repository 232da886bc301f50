"""Writing the hash chain (docs/tamper-evidence.md): each write transaction ends with one link (`seal`), the
rows it appended to the chained tables hashed onto the previous link (`chain_spec`). A link records, for
each table, the last row id the chain covers after it, so the next link starts where this one ended and
`campbank verify` can replay the chain from the rows alone (`chain_replay`). Rows are read through a plain
DB-API cursor and hashed with hashlib, so nothing here is SQLite's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Field, Session, SQLModel

if TYPE_CHECKING:
    from campbank.ledger.store.database import Database

from campbank.ledger.store.chain_encoding import TableStream, encode_rows
from campbank.ledger.store.chain_spec import (
    CHAINED,
    DIGEST_SIZE,
    FROM_THE_FIRST_ROW,
    GENESIS,
    HASH_SIZE,
    LINK_COLUMNS,
    META_KEY,
    format_head,
    link_hash,
)
from campbank.ledger.store.dialects import raw_cursor

__all__ = ["CHAINED", "FROM_THE_FIRST_ROW", "HASH_SIZE", "META_KEY", "ChainLink", "Head", "current_head", "extend",
           "format_head", "head_of", "seal"]


class ChainLink(SQLModel, table=True):
    """One link: what one write transaction appended. Append-only like the rows it covers."""

    __tablename__ = "chain"

    seq: int = Field(primary_key=True)
    txn_to: int
    money_entry_to: int
    counter_entry_to: int
    journal_to: int
    audit_log_to: int
    digests: bytes
    hash: bytes


# Every name in these queries is one of the constants above (S608: no value is ever formatted in).
_INSERT_LINK = f"INSERT INTO chain ({', '.join(LINK_COLUMNS)}) VALUES ({', '.join('?' * len(LINK_COLUMNS))})"
_LAST_LINK = f"SELECT {', '.join(LINK_COLUMNS)} FROM chain ORDER BY seq DESC LIMIT 1"


@dataclass(frozen=True)
class Head:
    seq: int
    hash: bytes
    marks: tuple[int, ...]  # per chained table, the last id covered

    def __str__(self) -> str:
        return format_head(self.seq, self.hash)


EMPTY = Head(0, GENESIS, (0,) * len(CHAINED))


def last_link(cursor: Any) -> Head:
    """The newest link (EMPTY for a chain not started). `cursor` is a DB-API cursor."""
    row = cursor.execute(_LAST_LINK).fetchone()
    if row is None:
        return EMPTY
    seq, *marks, _digests, hash_ = row
    return Head(seq, bytes(hash_), tuple(marks))


def append_link(cursor: Any, head: Head, encodings: Sequence[tuple[int, int, int, bytes]]) -> Head:
    """Append one link after `head`: (table position, last id, rows, their encoding) per table with rows."""
    seq = head.seq + 1
    marks = list(head.marks)
    for index, mark, _rows, _encoding in encodings:
        marks[index] = mark
    digests = [hashlib.sha256(encoding).digest() for *_mark, encoding in encodings]
    hash_ = link_hash(head.hash, seq, [(index, mark, rows) for index, mark, rows, _e in encodings], digests)
    cursor.execute(_INSERT_LINK, (seq, *marks, b"".join(d[:DIGEST_SIZE] for d in digests), hash_))
    return Head(seq, hash_, tuple(marks))


def seal(session: Session) -> Head:
    """End a write transaction with the link of the rows it appended (no link when it appended none).

    Runs under the write lock the transaction already holds, so links are appended one writer at a time
    and every row id above the last link's marks was written by this transaction.
    """
    session.flush()
    cursor = raw_cursor(session)
    try:
        head = last_link(cursor)
        if head.seq == 0 and not _started(cursor):
            return head  # an older camp before its upgrade: the upgrade chains its history in many links
        encodings = []
        for index, table in enumerate(CHAINED):
            rows = cursor.execute(table.select("WHERE id > ?"), (head.marks[index],)).fetchall()
            if rows:
                encodings.append((index, rows[-1][0], len(rows), encode_rows(table, rows)))
        return append_link(cursor, head, encodings) if encodings else head
    finally:
        cursor.close()


def head_of(session: Session) -> Head:
    """The chain's newest link, as this session sees it."""
    cursor = raw_cursor(session)
    try:
        return last_link(cursor)
    finally:
        cursor.close()


def current_head(db: Database) -> Head:
    """The chain's newest link now: printed by each tax run, kept beside each backup, on the report."""
    with db.session() as session:
        return head_of(session)


def _started(cursor: Any) -> bool:
    return cursor.execute("SELECT 1 FROM meta WHERE key = ?", (META_KEY,)).fetchone() is not None


def extend(cursor: Any, boundaries: Iterable[Sequence[int]] | None = None, *, chunk: int = 20_000) -> Head:
    """Chain rows already in the tables but not yet covered, in many links (an older camp's history).

    `boundaries` gives the marks each link ends at (ascending, one id per chained table), e.g. one link per
    transaction; without it, links of at most `chunk` rows of one table each. Rows are read once.
    """
    head = last_link(cursor)
    tops = [cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t.name}").fetchone()[0]
            for t in CHAINED]
    streams = [TableStream(cursor.connection.cursor(), table, after=head.marks[i]) for i, table in enumerate(CHAINED)]
    for marks in [*(boundaries if boundaries is not None else _chunked(head.marks, tops, chunk)), tops]:
        encodings = []
        for index, mark in enumerate(marks):
            if mark != head.marks[index]:
                encoding = streams[index].take(mark)
                if encoding is not None:
                    encodings.append((index, mark, streams[index].count, encoding))
        if encodings:
            head = append_link(cursor, head, encodings)
    return head


def _chunked(start: Sequence[int], tops: Sequence[int], chunk: int) -> Iterable[tuple[int, ...]]:
    """Marks that advance one table at a time by at most `chunk` ids."""
    marks = list(start)
    for index, top in enumerate(tops):
        while marks[index] < top:
            marks[index] = min(top, marks[index] + chunk)
            yield tuple(marks)

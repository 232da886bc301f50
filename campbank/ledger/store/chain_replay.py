"""Replaying the hash chain from the rows: what `campbank verify` and `verify --anchor` rely on.

Each chained table is read once, in id order and in big batches, and the SHA-256 of its rows in every
link is recomputed (`digest_table`); then the links are recomputed from those digests (`combine`). The
tables are independent until `combine`, so the biggest one (the journal) is read by a second process while
this one reads the others: the replay uses both cores (docs/tamper-evidence.md, "Speed"). Each batch of
rows is also handed to a tally object as it is read (its method named after the table), so the ledger's
other checks run in the same pass instead of reading the tables again.
"""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campbank.ledger.store.chain_spec import (
    CHAINED,
    DIGEST_SIZE,
    GENESIS,
    LINK_COLUMNS,
    MARK_HEADER,
    SEQ_HEADER,
    TABLE_NAMES,
    TableDigests,
    digest_table,
    format_head,
)

WORKER_TABLE = "journal"  # the table read by the second process, when it is worth one
WORKER_FROM_ROWS = 500_000  # below this, a second process costs more than it saves


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: bytes

    def __str__(self) -> str:
        return format_head(self.seq, self.hash)


@dataclass(frozen=True)
class Span:
    """The rows of one table that one link covers."""

    table: str
    first: int | None  # the first and last id there are; None when the link's rows are missing
    last: int | None
    up_to: int  # the last id the link says it covers
    changed: bool | None  # against the link's digest of that table; None when it cannot be told
    transactions: tuple[int, ...] = ()  # the transactions these rows belong to (a few, for the message)


@dataclass(frozen=True)
class Break:
    seq: int
    spans: tuple[Span, ...]
    computed: bytes
    stored: bytes


@dataclass
class Replay:
    links: int = 0
    head: str | None = None  # the stored last link, SEQ:HEX
    first_break: Break | None = None
    later_breaks: int = 0  # links after the first break that do not match either
    malformed: list[str] = field(default_factory=list)  # links out of order, marks going back
    unchained: list[tuple[str, int, int, int]] = field(default_factory=list)  # table, first id, last id, rows
    anchors: dict[Anchor, str | None] = field(default_factory=dict)  # None: proven; else why not
    worker_tally: Any = None  # the tally object as the second process left it (its table's totals)


def replay(path: Path, connection: Any, *, anchors: Sequence[Anchor] = (), tally: Any = None,
           missing: Mapping[str, frozenset[str]] | None = None, chained: bool = True) -> Replay:
    """Recompute every link from the rows. `missing` names columns an older camp's file lacks (NULL is read
    in their place); `chained=False` reads the rows for the tally only (a file without a chain)."""
    missing = missing or {}
    links = connection.execute(f"SELECT {', '.join(LINK_COLUMNS)} FROM chain ORDER BY seq").fetchall() \
        if chained else []
    marks = [[link[1 + index] for link in links] for index in range(len(CHAINED))]
    worker = _Worker.start(path, connection, marks, tally, missing) if chained else None
    parts: dict[int, TableDigests] = {}
    for index, table in enumerate(CHAINED):
        if worker is None or index != worker.index:
            parts[index] = digest_table(connection, index, marks[index], tally=tally,
                                        missing=missing.get(table.name, frozenset()))
    result = Replay()
    if worker is not None:
        answer = worker.result()
        if answer is not None:
            parts[worker.index], result.worker_tally = answer
        else:  # it could not run (or died): read that table here, as a small camp's verify does
            parts[worker.index] = digest_table(connection, worker.index, marks[worker.index], tally=tally,
                                               missing=missing.get(WORKER_TABLE, frozenset()))
    if chained:
        _combine(connection, links, parts, anchors, result)
        result.unchained = [(CHAINED[index].name, *part.unchained) for index, part in sorted(parts.items())
                            if part.unchained is not None]
    return result


def _combine(connection: Any, links: list[Any], parts: dict[int, TableDigests], anchors: Sequence[Anchor],
             result: Replay) -> None:
    """Each link's hash from the tables' digests (the loop runs once per link: kept tight)."""
    wanted = {anchor.seq: anchor for anchor in anchors}
    width = len(CHAINED)
    tables = range(width)
    counts = [parts[i].counts for i in tables]
    digests = [memoryview(parts[i].digests) for i in tables]
    positions = [0] * width  # the next entry of each table's digests
    sha256, pack_seq, pack_mark = hashlib.sha256, SEQ_HEADER.pack, MARK_HEADER.pack
    previous, marks, expected_seq = GENESIS, [0] * width, 1
    for link in links:
        seq, stored = link[0], link[-1]
        if seq != expected_seq:
            result.malformed.append(f"link {seq} follows link {expected_seq - 1}")
        expected_seq = seq + 1
        pieces: list[Any] = [previous, pack_seq(seq)]
        sums: list[Any] = []
        for i in tables:
            mark = link[i + 1]
            if mark != marks[i]:
                k = positions[i]
                positions[i] = k + 1
                pieces.append(pack_mark(i, mark, counts[i][k]))
                sums.append(digests[i][32 * k:32 * k + 32])
        computed = sha256(b"".join(pieces + sums)).digest()
        if computed != stored:
            if result.first_break is None:
                result.first_break = _diagnose(connection, link, marks, parts, positions, computed)
            else:
                result.later_breaks += 1
            _check_marks(link, marks, result)
        if seq in wanted:
            result.anchors[wanted[seq]] = _anchor_outcome(wanted[seq], stored, result.first_break)
        previous, marks = stored, link[1:width + 1]
        result.links += 1
    if result.links:
        result.head = format_head(expected_seq - 1, bytes(previous))
    found, result.anchors = result.anchors, {}
    for anchor in anchors:  # in the order they were given
        result.anchors[anchor] = found.get(
            anchor, f"the chain has {result.links} links: link {anchor.seq} is not in it")


def _check_marks(link: Any, marks: Sequence[int], result: Replay) -> None:
    for i, table in enumerate(CHAINED):
        if link[i + 1] < marks[i]:
            result.malformed.append(f"link {link[0]} goes back in {table.name} from {marks[i]} to {link[i + 1]}")


def _anchor_outcome(anchor: Anchor, stored: bytes, first_break: Break | None) -> str | None:
    if first_break is not None:
        return (f"the chain breaks at link {first_break.seq}, at or before link {anchor.seq}: the history it "
                "anchors changed")
    if bytes(stored) != anchor.hash:
        return (f"link {anchor.seq} is now {format_head(anchor.seq, bytes(stored))}: the history up to it was "
                "rewritten, chain and all")
    return None


def _diagnose(connection: Any, link: Any, before: Sequence[int], parts: dict[int, TableDigests],
              positions: list[int], computed: bytes) -> Break:
    """Which tables of a broken link changed: each table's rows against the link's digest of them."""
    seq, kept, stored = link[0], link[-2], link[-1]
    present = [i for i in range(len(CHAINED)) if link[i + 1] != before[i]]
    whole = len(kept) == DIGEST_SIZE * len(present)
    spans = []
    for k, index in enumerate(present):
        table, up_to = CHAINED[index], link[index + 1]
        position = positions[index] - 1
        digest = bytes(parts[index].digests[32 * position:32 * position + DIGEST_SIZE])
        rows = connection.execute(table.select(f"WHERE id > {int(before[index])} AND id <= {int(up_to)}")).fetchall()
        changed = None if not whole else digest != kept[k * DIGEST_SIZE:(k + 1) * DIGEST_SIZE]
        txns = sorted({row[0] if table.name == "txn" else row[1] for row in rows}) if table.name != "audit_log" else []
        spans.append(Span(table.name, rows[0][0] if rows else None, rows[-1][0] if rows else None, up_to, changed,
                          tuple(txns[:5])))
    return Break(seq, tuple(spans), computed, bytes(stored))


class _Worker:
    """The journal, read and hashed (and tallied) by a second process (`chain_worker`), up to the last id
    this process's snapshot has: the rows are append-only, so it reads exactly what this process would."""

    def __init__(self, index: int, process: subprocess.Popen[bytes], feeder: threading.Thread) -> None:
        self.index, self._process, self._feeder = index, process, feeder

    @classmethod
    def start(cls, path: Path, connection: Any, marks: list[list[int]], tally: Any,
              missing: Mapping[str, frozenset[str]]) -> _Worker | None:
        index = TABLE_NAMES.index(WORKER_TABLE)
        up_to = connection.execute(f"SELECT COALESCE(MAX(id), 0) FROM {WORKER_TABLE}").fetchone()[0]
        if up_to < WORKER_FROM_ROWS:
            return None
        request = pickle.dumps({"path": str(path), "index": index, "marks": marks[index], "tally": tally,
                                "up_to": up_to, "missing": missing.get(WORKER_TABLE, frozenset())},
                               protocol=pickle.HIGHEST_PROTOCOL)
        try:
            process = subprocess.Popen([sys.executable, "-m", "campbank.ledger.store.chain_worker"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError:  # no interpreter to start: everything is read here
            return None
        feeder = threading.Thread(target=_feed, args=(process, request), daemon=True)  # it reads as it starts
        feeder.start()
        return cls(index, process, feeder)

    def result(self) -> tuple[TableDigests, Any] | None:
        """Its digests and tally; None when it gave no answer (the caller then reads the table itself,
        which also says what is wrong, if something is)."""
        assert self._process.stdout is not None and self._process.stderr is not None
        answer = self._process.stdout.read()
        self._process.stderr.read()
        self._process.wait()
        self._feeder.join()
        try:
            outcome = pickle.loads(answer)
        except Exception:  # noqa: BLE001  (no answer: the process failed to start or was killed)
            return None
        return (outcome[1], outcome[2]) if outcome[0] == "ok" else None


def _feed(process: subprocess.Popen[bytes], request: bytes) -> None:
    assert process.stdin is not None
    try:
        process.stdin.write(request)
        process.stdin.close()
    except OSError:  # it ended early; `result` says why
        pass

"""Raw exports written to a file (managers): money, counters or balances as CSV or JSON.

The text comes from `campbank.formats.exports` (streamed, chunk by chunk); it is written to a temporary
file beside the target and renamed over it, so nobody sees half an export and a failure leaves any
earlier file as it was. The export is audited like the CLI's (`export.money`, ...).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from campbank.core.errors import InputError
from campbank.formats import exports
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database

KINDS = ("money", "counters", "balances")
FORMATS = ("csv", "json")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class WrittenExport:
    path: Path
    kind: str
    format: str
    rows: int


def check_target(path: Path | str, suffixes: Iterable[str]) -> Path:
    """The file to write: not a folder, its folder exists, and it ends in one of `suffixes`."""
    path = Path(path).expanduser()
    if not str(path).strip():
        raise InputError("name the file to write", field="path")
    try:
        if path.is_dir():
            raise InputError(f"{path} is a folder; name the file to write", field="path")
        if not path.parent.exists():
            raise InputError(f"the folder {path.parent} does not exist", field="path")
    except OSError as error:  # a name too long for the file system, a folder nobody may read
        raise InputError(f"cannot write there: {error.strerror or error}", field="path") from None
    allowed = tuple(suffixes)
    if path.suffix.lower() not in allowed:
        raise InputError(f"{path.name} should end in {' or '.join(allowed)}", field="path")
    return path


def write_export(db: Database, actor: Actor, kind: str, fmt: str, path: Path | str,
                 progress: Progress | None = None) -> WrittenExport:
    """Write one raw export to `path`; `progress(done, total)` is told as entries are read."""
    if kind not in KINDS:
        raise InputError(f"{kind!r} is not one of: {', '.join(KINDS)}", field="export")
    if fmt not in FORMATS:
        raise InputError(f"{fmt!r} is not one of: {', '.join(FORMATS)}", field="format")
    target = check_target(path, (f".{fmt}",))
    rows = 0

    def counting(done: int, total: int) -> None:
        nonlocal rows
        rows = done
        if progress:
            progress(done, total)

    if kind == "balances":
        rows = len(exports.balance_rows(db, actor)[1])
        chunks: Iterable[str] = [exports.balances_json(db, actor) if fmt == "json" else exports.balances_csv(db, actor)]
        if progress:
            progress(rows, rows)
    elif fmt == "json":
        chunks = exports.entries_json(db, actor, kind, progress=counting)  # type: ignore[arg-type]
    else:
        chunks = exports.entries_csv(db, actor, kind, progress=counting)  # type: ignore[arg-type]
    _write_atomically(target, chunks, bom=fmt == "csv" and kind == "balances")
    exports.record_export(db, actor, kind, target=str(target), format=fmt, rows=rows)
    return WrittenExport(target, kind, fmt, rows)


def _write_atomically(target: Path, chunks: Iterable[str], *, bom: bool) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

"""Raw exports written to a file (managers): money, counters or balances as CSV or JSON.

The text comes from `campbank.formats.exports` (streamed, chunk by chunk) and is written as every output is
(`store.outputs`): never over a database, a device or a folder, over an existing file only with `force`,
through a private temporary file that takes the target's place only when complete, so nobody sees half an
export and a failure leaves any earlier file as it was. The export is audited like the CLI's
(`export.money`, ...), before its data is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from campbank.core.errors import InputError
from campbank.formats import exports
from campbank.ledger.permissions import Actor
from campbank.ledger.store import outputs
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


def check_target(path: Path | str, suffixes: Iterable[str], *, force: bool = False,
                 protect: Iterable[Path] = ()) -> Path:
    """The file to write: ends in one of `suffixes`, and passes `store.outputs.judge` (not a database, a
    device or a folder; an existing file only with `force`)."""
    path = Path(path).expanduser()
    if not str(path).strip():
        raise InputError("name the file to write", field="path")
    try:
        outputs.judge(path, force=force, protect=protect, field="path")
    except OSError as error:  # a name too long for the file system, a folder nobody may read
        raise InputError(f"cannot write there: {error.strerror or error}", field="path") from None
    allowed = tuple(suffixes)
    if path.suffix.lower() not in allowed:
        raise InputError(f"{path.name} should end in {' or '.join(allowed)}", field="path")
    return path


def write_export(db: Database, actor: Actor, kind: str, fmt: str, path: Path | str,
                 progress: Progress | None = None, *, force: bool = False) -> WrittenExport:
    """Write one raw export to `path`; `progress(done, total)` is told as entries are read."""
    if kind not in KINDS:
        raise InputError(f"{kind!r} is not one of: {', '.join(KINDS)}", field="export")
    if fmt not in FORMATS:
        raise InputError(f"{fmt!r} is not one of: {', '.join(FORMATS)}", field="format")
    target = check_target(path, (f".{fmt}",), force=force, protect=[db.path])
    rows = 0

    def counting(done: int, total: int) -> None:
        nonlocal rows
        rows = done
        if progress:
            progress(done, total)

    # Each producer commits the export's audit row before it hands over any data.
    if kind == "balances":
        text = (exports.balances_json(db, actor, target=str(target)) if fmt == "json"
                else exports.balances_csv(db, actor, target=str(target)))
        rows = len(exports.balance_rows(db, actor)[1])
        chunks: Iterable[str] = [text]
        if progress:
            progress(rows, rows)
    elif fmt == "json":
        chunks = exports.entries_json(db, actor, kind, progress=counting, target=str(target))  # type: ignore[arg-type]
    else:
        chunks = exports.entries_csv(db, actor, kind, progress=counting, target=str(target))  # type: ignore[arg-type]
    exports.save_text(chunks, target, bom=fmt == "csv" and kind == "balances", force=force, protect=[db.path])
    return WrittenExport(target, kind, fmt, rows)

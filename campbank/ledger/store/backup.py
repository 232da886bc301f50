"""Backups through SQLite's online backup API: consistent even while others write.

A backup is written like every output (`store.outputs`): into a private new file beside its destination
(mode 0600), put in place only when complete, never over a database, a device or a folder, and over another
file only with `force`. A backup that fails leaves nothing behind; one killed half-way leaves only a hidden
temporary file, which the next pruning of that folder removes once it is an hour old.

Each backup's hash chain head (its newest link, `SEQ:HASH`) is written beside it in `NAME.head` and in the
camp's audit log: `campbank verify --anchor` with it proves later that the history up to the backup is
unchanged (docs/tamper-evidence.md, "Anchors").
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from campbank.ledger import clock
from campbank.ledger.store import audit, dialects, outputs
from campbank.ledger.store.chain import last_link
from campbank.ledger.store.database import BUSY_TIMEOUT_MS, Database

STALE_AFTER_SECONDS = 3600  # an unfinished backup this old belongs to a process that was killed
SQLiteError = sqlite3.Error


def default_backup_dir(db: Database) -> Path:
    """Beside the camp's file; for a camp on a server, in this computer's CampBank data folder, by database."""
    if db.on_server:
        from platformdirs import user_data_dir

        return Path(user_data_dir("campbank", appauthor=False)) / "backups" / dialects.database_name(db.path)
    return db.path.parent / "backups"


def _extension(db: Database) -> str:
    if db.on_server:
        from campbank.ledger.store.server_backup import EXTENSION

        return EXTENSION
    return ".db"


def backup(db: Database, dest: Path | None = None, *, reason: str = "manual", keep: int | None = None,
           actor_id: int | None = None, force: bool = False) -> Path:
    """Copy the database to `dest` (a file, or a folder to put a dated file in); prune to `keep` files."""
    if dest is None or dest.is_dir():
        dest = (dest or default_backup_dir(db)) / f"campbank-{_stamp(clock.now())}-{reason}{_extension(db)}"
    staged = outputs.stage(dest, force=force, protect=[db.path], field="backup", new_folders=True)
    try:
        if db.on_server:
            from campbank.ledger.store.server_backup import dump

            head = dump(db.path, staged.temporary)
            dest = staged.commit()
        else:
            dest, head = _copy_file(db, staged), None
    finally:
        staged.discard()
    if head is None:
        head = _file_head(dest)
    _write_head(head_file(dest), head)
    db.write(lambda session: audit.record(session, "backup", actor_id=actor_id, target=str(dest), reason=reason,
                                          head=head), while_closed=True)
    if keep is not None:
        prune(dest.parent, reason, keep)
    return dest


def _file_head(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(last_link(connection.cursor()))
    finally:
        connection.close()


def _copy_file(db: Database, staged: outputs.Staged) -> Path:
    """SQLite's online backup into the staged file; its place once complete."""
    dest = staged.target
    try:
        source = sqlite3.connect(db.path, timeout=10)
        try:
            target = sqlite3.connect(staged.temporary)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        return staged.commit()
    except SQLiteError as error:
        raise outputs.OutputRefused(f"the backup to {dest} failed: {error}; nothing was written",
                                    field="backup") from None


def copy_into(source: Path, target: Path) -> None:
    """Replace `target`'s content with `source`'s, in place and under SQLite's locks (the backup API), so
    a program that has `target` open carries on in the new content, never in a deleted file."""
    reader = sqlite3.connect(source)
    writer = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def head_file(backup_path: Path) -> Path:
    """Where a backup's chain head is kept: beside it, `NAME.head`."""
    return backup_path.with_name(backup_path.name + ".head")


def _write_head(path: Path, head: str) -> None:
    """The backup's companion `.head` file, written as every output is; it belongs to its backup, so an
    older one (a backup replaced with `force`) is replaced with it."""
    with outputs.replacing(path, force=True, field="backup") as temporary:
        temporary.write_text(head + "\n", encoding="ascii")


def prune(folder: Path, reason: str, keep: int) -> None:
    """Keep only the newest `keep` backups made for `reason`; remove unfinished ones left by a killed run."""
    made = sorted([*folder.glob(f"campbank-*-{reason}.db"), *folder.glob(f"campbank-*-{reason}.dump")])
    for old in made[:-keep] if keep > 0 else made:
        old.unlink(missing_ok=True)
        head_file(old).unlink(missing_ok=True)
    stale = time.time() - STALE_AFTER_SECONDS
    for unfinished in folder.glob(f".campbank-*-{reason}.d*.*.tmp*"):
        with contextlib.suppress(OSError):
            if unfinished.stat().st_mtime < stale:
                unfinished.unlink()


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%d-%H%M%S-%f")

"""Backups through SQLite's online backup API: consistent even while others write.

A backup is written like every output (`store.outputs`): into a private new file beside its destination
(mode 0600), put in place only when complete, never over a database, a device or a folder, and over another
file only with `force`. A backup that fails leaves nothing behind; one killed half-way leaves only a hidden
temporary file, which the next pruning of that folder removes once it is an hour old.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from campbank.ledger import clock
from campbank.ledger.store import audit, outputs
from campbank.ledger.store.database import Database

STALE_AFTER_SECONDS = 3600  # an unfinished backup this old belongs to a process that was killed
SQLiteError = sqlite3.Error


def default_backup_dir(db: Database) -> Path:
    return db.path.parent / "backups"


def backup(db: Database, dest: Path | None = None, *, reason: str = "manual", keep: int | None = None,
           actor_id: int | None = None, force: bool = False) -> Path:
    """Copy the database to `dest` (a file, or a folder to put a dated file in); prune to `keep` files."""
    if dest is None or dest.is_dir():
        dest = (dest or default_backup_dir(db)) / f"campbank-{_stamp(clock.now())}-{reason}.db"
    staged = outputs.stage(dest, force=force, protect=[db.path], field="backup", new_folders=True)
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
        dest = staged.commit()
    except SQLiteError as error:
        raise outputs.OutputRefused(f"the backup to {dest} failed: {error}; nothing was written",
                                    field="backup") from None
    finally:
        staged.discard()
    db.write(lambda session: audit.record(session, "backup", actor_id=actor_id, target=str(dest), reason=reason))
    if keep is not None:
        prune(dest.parent, reason, keep)
    return dest


def prune(folder: Path, reason: str, keep: int) -> None:
    """Keep only the newest `keep` backups made for `reason`; remove unfinished ones left by a killed run."""
    made = sorted(folder.glob(f"campbank-*-{reason}.db"))
    for old in made[:-keep] if keep > 0 else made:
        old.unlink(missing_ok=True)
    stale = time.time() - STALE_AFTER_SECONDS
    for unfinished in folder.glob(f".campbank-*-{reason}.db.*.tmp*"):
        with contextlib.suppress(OSError):
            if unfinished.stat().st_mtime < stale:
                unfinished.unlink()


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%d-%H%M%S-%f")

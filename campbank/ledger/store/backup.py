"""Backups through SQLite's online backup API: consistent even while others write.

Each backup's hash chain head (its newest link, `SEQ:HASH`) is written beside it in `NAME.head` and in the
camp's audit log: `campbank verify --anchor` with it proves later that the history up to the backup is
unchanged (docs/tamper-evidence.md, "Anchors").
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from campbank.ledger import clock
from campbank.ledger.store import audit
from campbank.ledger.store.chain import last_link
from campbank.ledger.store.database import Database


def default_backup_dir(db: Database) -> Path:
    return db.path.parent / "backups"


def backup(db: Database, dest: Path | None = None, *, reason: str = "manual", keep: int | None = None,
           actor_id: int | None = None) -> Path:
    """Copy the database to `dest` (a file, or a folder to put a dated file in); prune to `keep` files."""
    folder = default_backup_dir(db)
    if dest is None or dest.is_dir():
        folder = dest or folder
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / f"campbank-{_stamp(clock.now())}-{reason}.db"
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")  # a killed backup never looks like a finished one
    source = sqlite3.connect(db.path, timeout=10)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        head = str(last_link(target.cursor()))
    finally:
        target.close()
        source.close()
    os.replace(partial, dest)
    head_file(dest).write_text(head + "\n", encoding="ascii")
    db.write(lambda session: audit.record(session, "backup", actor_id=actor_id, target=str(dest), reason=reason,
                                          head=head))
    if keep is not None:
        prune(dest.parent, reason, keep)
    return dest


def head_file(backup_path: Path) -> Path:
    """Where a backup's chain head is kept: beside it, `NAME.head`."""
    return backup_path.with_name(backup_path.name + ".head")


def prune(folder: Path, reason: str, keep: int) -> None:
    """Keep only the newest `keep` backups made for `reason`."""
    made = sorted(folder.glob(f"campbank-*-{reason}.db"))
    for old in made[:-keep] if keep > 0 else made:
        old.unlink(missing_ok=True)
        head_file(old).unlink(missing_ok=True)


def _stamp(at: datetime) -> str:
    return at.strftime("%Y%m%d-%H%M%S-%f")

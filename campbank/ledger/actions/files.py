"""Shared files: notices, schedules, rules and menus kept inside the camp's database.

A file is known by its name (a path such as `menus/monday.md`). Adding a name again stores a new version
and keeps the old ones in history; reading gives the newest unless a version is asked for. Up to 20 MB a
file. Staff and managers add (ADD_FILES); everyone signed in reads (READ_FILES). Every add is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import func
from sqlalchemy import select as select_columns  # typed for any number of columns (SQLModel's stops at four)
from sqlmodel import Session, col, select

from campbank.core.errors import InputError, NotFound
from campbank.core.text import clean_name as visible_name
from campbank.core.text import clean_text
from campbank.ledger import clock
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, SharedFileRemoval, SharedFileRow

MAX_SIZE = 20 * 1024 * 1024
MAX_NAME = 200
TEXT_SUFFIXES = frozenset({".txt", ".text", ".log", ".toml", ".ini", ".json", ".yaml", ".yml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})


@dataclass(frozen=True)
class SharedFile:
    """One version of a file, without its content."""

    name: str
    version: int
    size: int
    added_by: str
    added_at: datetime
    versions: int  # how many versions of this name exist

    @property
    def kind(self) -> str:
        return kind_of(self.name)


@dataclass(frozen=True)
class FileContent:
    name: str
    version: int
    size: int
    added_by: str
    added_at: datetime
    kind: str  # markdown, csv, text or binary
    data: bytes

    @property
    def text(self) -> str | None:
        """The content as text, or None for a binary file."""
        if self.kind == "binary":
            return None
        text = decode(self.data)
        return text if text is not None else self.data.decode("utf-8", errors="replace")


def kind_of(name: str, data: bytes | None = None) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in TEXT_SUFFIXES or (data is not None and suffix == "" and decode(data) is not None):
        return "text"
    return "binary"


def decode(data: bytes) -> str | None:
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def clean_name(name: str) -> str:
    """A file's name as stored: forward slashes, no empty, `.` or `..` parts, at most 200 characters, and
    only visible characters (no control characters, escape sequences or direction overrides)."""
    name = visible_name(name, field="name", max_length=MAX_NAME, required=False, strip=False)
    parts = [part.strip() for part in name.replace("\\", "/").split("/")]
    parts = [part for part in parts if part]
    if not parts:
        raise InputError("is blank; give the file a name such as menus/monday.md", field="name")
    if any(part in (".", "..") for part in parts):
        raise InputError(f"{name!r} may not contain . or .. parts", field="name")
    cleaned = "/".join(parts)
    if len(cleaned) > MAX_NAME:
        raise InputError(f"must be at most {MAX_NAME} characters", field="name")
    return cleaned


def check_size(size: int, name: str) -> None:
    if size > MAX_SIZE:
        raise InputError(
            f"{name} is too big: {human_size(size)} ({size:,} bytes); a shared file may be at most "
            f"{MAX_SIZE // (1024 * 1024)} MB ({MAX_SIZE:,} bytes)", field="file"
        )


def add_path(db: Database, actor: Actor, path: str | Path, *, name: str | None = None) -> SharedFile:
    """Add a file from disk under `name` (default: its file name)."""
    path = Path(path).expanduser()
    shown = str(path) if len(str(path)) <= 200 else str(path)[:199] + "…"
    try:
        if not path.is_file():
            raise InputError(f"there is no file at {shown}", field="path")
        check_size(path.stat().st_size, path.name)
        data = path.read_bytes()
    except OSError as error:  # a name too long, a folder nobody may read
        raise InputError(f"cannot read {shown}: {error.strerror or error}", field="path") from None
    return add_file(db, actor, name or path.name, data)


def add_file(db: Database, actor: Actor, name: str, data: bytes) -> SharedFile:
    """Store `data` as the newest version of `name`; older versions stay in history."""
    name = clean_name(name)
    check_size(len(data), name)

    def work(session: Session) -> SharedFile:
        account = acting_account(session, actor)
        require(account, Action.ADD_FILES)
        latest = session.exec(select(func.max(SharedFileRow.version)).where(SharedFileRow.name == name)).one()
        version = (latest or 0) + 1
        now = clock.now()
        row = SharedFileRow(name=name, version=version, size=len(data), content=data, added_by=account.id or 0,
                            added_at=now)
        session.add(row)
        session.flush()
        audit.record(session, "file.add", actor_id=account.id, target=f"file:{name}", at=now, version=version,
                     size=len(data))
        return SharedFile(name, version, len(data), account.username, now, version)

    return db.write(work)


def list_files(db: Database, actor: Actor) -> list[SharedFile]:
    """The newest version of every file, by name (content not loaded)."""
    with db.session() as session:
        require(acting_account(session, actor), Action.READ_FILES)
        newest = (
            select(SharedFileRow.name, func.max(SharedFileRow.version).label("newest"),
                   func.count().label("versions"))
            .group_by(col(SharedFileRow.name)).subquery()
        )
        rows = session.execute(
            select_columns(col(SharedFileRow.name), col(SharedFileRow.version), col(SharedFileRow.size),
                           col(Account.username), col(SharedFileRow.added_at), newest.c.versions)
            .join(newest, (newest.c.name == SharedFileRow.name) & (newest.c.newest == SharedFileRow.version))
            .join(Account, col(Account.id) == col(SharedFileRow.added_by))
            .order_by(col(SharedFileRow.name))
        ).all()
        hidden = removed_up_to(session)
        return [SharedFile(name, version, size, added_by, added_at, versions)
                for name, version, size, added_by, added_at, versions in rows if version > hidden.get(name, 0)]


def file_versions(db: Database, actor: Actor, name: str) -> list[SharedFile]:
    """Every version of one file, newest first."""
    with db.session() as session:
        require(acting_account(session, actor), Action.READ_FILES)
        rows = session.execute(
            select_columns(col(SharedFileRow.name), col(SharedFileRow.version), col(SharedFileRow.size),
                           col(Account.username), col(SharedFileRow.added_at))
            .join(Account, col(Account.id) == col(SharedFileRow.added_by))
            .where(col(SharedFileRow.name) == name).order_by(col(SharedFileRow.version).desc())
        ).all()
        hidden = removed_up_to(session, name).get(name, 0)
    rows = [row for row in rows if row[1] > hidden]
    if not rows:
        raise NotFound(f"there is no shared file called {name!r}", field="name")
    return [SharedFile(name_, version, size, added_by, added_at, versions=len(rows))
            for name_, version, size, added_by, added_at in rows]


def read_file(db: Database, actor: Actor, name: str, *, version: int | None = None) -> FileContent:
    """A file's content: the newest version, or the one asked for."""
    with db.session() as session:
        require(acting_account(session, actor), Action.READ_FILES)
        query = (
            select(SharedFileRow, Account.username)
            .join(Account, col(Account.id) == col(SharedFileRow.added_by))
            .where(SharedFileRow.name == name)
        )
        if version is not None:
            query = query.where(SharedFileRow.version == version)
        found = session.exec(query.order_by(col(SharedFileRow.version).desc()).limit(1)).first()
        if found is not None and found[0].version <= removed_up_to(session, name).get(name, 0):
            found = None
    if found is None:
        which = f"version {version} of " if version is not None else ""
        raise NotFound(f"there is no {which}shared file called {name!r}", field="name")
    row, username = found
    return FileContent(row.name, row.version, row.size, username, row.added_at, kind_of(row.name, row.content),
                       row.content)


def remove_file(db: Database, actor: Actor, name: str, *, reason: str = "") -> int:
    """Take a shared file out of the list (staff and managers); returns how many versions it had. The
    versions are kept and the audit row says who removed it and why; adding the name again shows it anew."""
    reason = clean_text(reason, field="reason", max_length=300)

    def work(session: Session) -> int:
        account = acting_account(session, actor)
        require(account, Action.ADD_FILES)
        newest = session.exec(select(func.max(SharedFileRow.version)).where(SharedFileRow.name == name)).one()
        if not newest or newest <= removed_up_to(session, name).get(name, 0):
            raise NotFound(f"there is no shared file called {name!r}", field="name")
        now = clock.now()
        session.add(SharedFileRemoval(name=name, up_to_version=newest, removed_by=account.id or 0, removed_at=now,
                                      reason=reason))
        audit.record(session, "file.remove", actor_id=account.id, target=f"file:{name}", at=now, versions=newest,
                     reason=reason)
        return int(newest)

    return db.write(work)


def removed_up_to(session: Session, name: str | None = None) -> dict[str, int]:
    """The newest removed version of each removed file (its versions up to there are hidden)."""
    query = select(SharedFileRemoval.name, func.max(SharedFileRemoval.up_to_version)).group_by(
        col(SharedFileRemoval.name))
    if name is not None:
        query = query.where(SharedFileRemoval.name == name)
    return {each: int(version) for each, version in session.exec(query)}


def human_size(size: int) -> str:
    """`1536` -> `1.5 KB`."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")

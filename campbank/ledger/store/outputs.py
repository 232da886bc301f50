"""Where CampBank writes a file for a person: outputs never destroy data (docs/security-guards.md, "Outputs").

Every file written on someone's say-so — a backup, an export, the xlsx report, a credentials workbook, a demo
camp — is judged here first, following symlinks to what they point at:

- a path holding a control character (a NUL, an escape sequence) is refused, and so is a folder, a device
  (`/dev/null`, a disk), a FIFO, a socket or anything else that is not a regular file; so is any SQLite
  database (its first 16 bytes are `SQLite format 3\\0`), the camp's own above all, and the journal, WAL or
  shared-memory file beside one;
- an existing regular file is replaced only when the person said so (`--force`);
- nothing is written in place: the data goes to a new file beside the target, made by `mkstemp` (a name
  nobody can predict, created exclusively, mode 0600 whatever the umask), and is renamed over the target
  only when it is complete. Without `--force` the rename cannot replace a file that appeared meanwhile.

A refusal is an `OutputRefused` (exit 2) naming the path and why, raised before anything is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from campbank.core.errors import InputError
from campbank.core.text import text_problem

SQLITE_HEADER = b"SQLite format 3\x00"
DATABASE_COMPANIONS = ("-journal", "-wal", "-shm")
PRIVATE = 0o600


class OutputRefused(InputError):
    """An output path that would destroy or leak data, or cannot be used; nothing was written."""


class OutputExists(OutputRefused):
    """An existing regular file, replaced only with `force` (a UI may ask, then try again with it)."""


def is_sqlite_file(path: Path) -> bool:
    """True when `path` starts with SQLite's header (any SQLite database, CampBank's or another program's)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def judge(path: Path | str, *, force: bool = False, protect: Iterable[Path] = (), field: str = "output",
          new_folders: bool = False) -> Path:
    """The file to write for `path` (symlinks resolved), or OutputRefused saying why not. Changes nothing.

    `protect` names databases that must never be written over even if their header were damaged (the camp's
    own file); every SQLite file is refused anyway. `new_folders`: a missing folder will be made (backups).
    """
    if not str(path).strip():
        raise OutputRefused("name the file to write", field=field)
    if problem := text_problem(str(path)):  # typed or pasted: a NUL or an escape sequence names no file
        raise OutputRefused(f"the path {problem}", field=field)
    given = Path(path).expanduser()
    target = Path(os.path.realpath(given))
    shown = _brief(given) if target == given.absolute() else f"{_brief(given)} (which points at {_brief(target)})"
    try:
        status: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise OutputRefused(f"{shown} cannot be checked: {error.strerror or error}", field=field) from None
    if status is None:
        if given.is_symlink():  # a link to nothing: whoever made it chose where the file would go, not you
            raise OutputRefused(f"{shown} does not exist; name the file itself, not a link to it", field=field)
        if not new_folders and not target.parent.is_dir():
            raise OutputRefused(f"the folder {_brief(target.parent)} does not exist", field=field)
    else:
        _refuse_what_is_not_a_file(status.st_mode, shown, field)
        if is_sqlite_file(target) or _is_protected(target, protect):
            raise OutputRefused(f"{shown} is a database; CampBank never writes over one (choose a new file "
                                "name)", field=field)
        if not os.access(target, os.R_OK):
            raise OutputRefused(f"{shown} cannot be read to check it is not a database", field=field)
    companion_of = _database_beside(target)
    if companion_of is not None or _is_protected_companion(target, protect):
        raise OutputRefused(f"{shown} belongs to the database {_brief(companion_of or target)}; choose another name",
                            field=field)
    if status is not None and not force:
        raise OutputExists(f"{shown} already exists; add --force to replace it", field=field)
    return target


def _brief(path: Path, keep: int = 60) -> str:
    """A path as a refusal shows it: a pasted name thousands of characters long is cut in the middle."""
    text = str(path)
    return text if len(text) <= 2 * keep + 1 else f"{text[:keep]}…{text[-keep:]}"


def _refuse_what_is_not_a_file(mode: int, shown: str, field: str) -> None:
    kinds = ((stat.S_ISDIR, "is a folder; name the file to write"), (stat.S_ISCHR, "is a device"),
             (stat.S_ISBLK, "is a device"), (stat.S_ISFIFO, "is a pipe (FIFO)"), (stat.S_ISSOCK, "is a socket"))
    for test, what in kinds:
        if test(mode):
            raise OutputRefused(f"{shown} {what}", field=field)
    if not stat.S_ISREG(mode):
        raise OutputRefused(f"{shown} is not a regular file", field=field)


def _database_beside(target: Path) -> Path | None:
    """The database whose journal, WAL or shared-memory file `target` is, if any."""
    for suffix in DATABASE_COMPANIONS:
        if target.name.endswith(suffix):
            base = target.with_name(target.name[: -len(suffix)])
            if is_sqlite_file(base):
                return base
    return None


def _is_protected(target: Path, protect: Iterable[Path]) -> bool:
    return any(_same(target, Path(p)) for p in protect)


def _is_protected_companion(target: Path, protect: Iterable[Path]) -> bool:
    return any(_same(target, Path(f"{p}{suffix}")) for p in protect for suffix in DATABASE_COMPANIONS)


def _same(a: Path, b: Path) -> bool:
    if Path(os.path.realpath(a)) == Path(os.path.realpath(b)):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


class Staged:
    """A private new file beside the target, put in the target's place by `commit` (or removed by `discard`)."""

    def __init__(self, target: Path, *, force: bool, protect: tuple[Path, ...], field: str,
                 visible_as: str | None = None) -> None:
        self.target = target
        self.force = force
        self.protect = protect
        self.field = field
        target.parent.mkdir(parents=True, exist_ok=True)
        # Hidden (`.NAME.XXXXXX.tmp`), or with `visible_as` findable by a person (`NAME.partial-XXXXXX.xlsx`)
        prefix, suffix = (f"{target.name}.{visible_as}-", target.suffix) if visible_as else (f".{target.name}.", ".tmp")
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
        os.close(handle)  # mkstemp: O_EXCL, a name nobody can predict, mode 0600 whatever the umask
        self.temporary = Path(name)
        self.done = False

    def commit(self) -> Path:
        """Put the finished file in the target's place, judging the target again first (it may have changed)."""
        judge(self.target, force=self.force, protect=self.protect, field=self.field)
        os.chmod(self.temporary, PRIVATE)  # a writer may have recreated it
        if self.force:
            os.replace(self.temporary, self.target)
        else:
            self._place_new()
        self.done = True
        return self.target

    def _place_new(self) -> None:
        """Link the file in under the target's name: unlike a rename, a link never replaces a file that
        appeared since it was judged. Where links are not possible (some USB sticks), rename."""
        try:
            os.link(self.temporary, self.target)
        except FileExistsError:
            raise OutputExists(f"{self.target} appeared while it was being written; nothing was replaced",
                               field=self.field) from None
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            os.replace(self.temporary, self.target)
            return
        self.temporary.unlink()

    def discard(self) -> None:
        """Remove the unfinished file (and the journal SQLite may have left beside it)."""
        if not self.done:
            for leftover in (self.temporary, *(Path(f"{self.temporary}{s}") for s in DATABASE_COMPANIONS)):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()


def stage(path: Path | str, *, force: bool = False, protect: Iterable[Path] = (), field: str = "output",
          new_folders: bool = False, visible_as: str | None = None) -> Staged:
    """Judge `path`, then make the private file to write it through (see `Staged`)."""
    target = judge(path, force=force, protect=protect, field=field, new_folders=new_folders)
    with _as_refusal(target, field):
        return Staged(target, force=force, protect=tuple(protect), field=field, visible_as=visible_as)


@contextmanager
def replacing(path: Path | str, *, force: bool = False, protect: Iterable[Path] = (),
              field: str = "output") -> Iterator[Path]:
    """The private file to write for `path`; it takes the target's place when the block ends without an
    error, and is removed otherwise (the target is then as it was)."""
    staged = stage(path, force=force, protect=protect, field=field)
    try:
        with _as_refusal(staged.target, field):
            yield staged.temporary
            staged.commit()
    finally:
        staged.discard()


def refuse_unless_regular(path: Path, field: str = "database") -> None:
    """A database path that exists must be a regular file (symlinks followed): never a device, a FIFO or a
    folder, which SQLite would block on, fail on or write through."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as error:
        raise OutputRefused(f"{path} cannot be checked: {error.strerror or error}", field=field) from None
    _refuse_what_is_not_a_file(status.st_mode, str(path), field)


def create_private(path: Path) -> None:
    """Create `path` as a new, empty file of mode 0600 (for a new database), refusing anything already there."""
    with _as_refusal(path, "database"):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), PRIVATE))
        os.chmod(path, PRIVATE)  # O_CREAT's mode is filtered by the umask; the file must be 0600 regardless


@contextmanager
def _as_refusal(target: Path, field: str) -> Iterator[None]:
    """A failure of the file system (no permission, disk full) as one line naming the file."""
    try:
        yield
    except InputError:
        raise
    except OSError as error:
        raise InputError(f"cannot write {target}: {error.strerror or error}", field=field) from None

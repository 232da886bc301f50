"""Where a statement file may be written: never over a database (the camp's or any SQLite file, or the
journal, WAL or shared-memory file beside one), a device, a FIFO, a socket or a folder; over an existing
regular file only when the person said so (`force`). The PDF is written to a new private file (mode 0600)
beside the target and put in its place when complete, so nobody sees half a statement and a failure leaves
the old file as it was. A refusal names the path and why (exit 2), before anything is read or written.
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

SQLITE_HEADER = b"SQLite format 3\x00"
COMPANIONS = ("-journal", "-wal", "-shm")


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def judge(path: Path | str, *, force: bool, protect: Iterable[Path] = (), field: str = "output") -> Path:
    """The file to write for `path` (links followed), or an InputError saying why not. Changes nothing."""
    given = Path(path).expanduser()
    if not str(path).strip():
        raise InputError("name the file to write", field=field)
    target = Path(os.path.realpath(given))
    try:
        status: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise InputError(f"{given} cannot be checked: {error.strerror or error}", field=field) from None
    if status is None:
        if given.is_symlink():
            raise InputError(f"{given} is a link to nothing; name the file itself", field=field)
        if not target.parent.is_dir():
            raise InputError(f"the folder {target.parent} does not exist", field=field)
    else:
        for test, what in ((stat.S_ISDIR, "is a folder; name the file to write"), (stat.S_ISCHR, "is a device"),
                           (stat.S_ISBLK, "is a device"), (stat.S_ISFIFO, "is a pipe (FIFO)"),
                           (stat.S_ISSOCK, "is a socket")):
            if test(status.st_mode):
                raise InputError(f"{given} {what}", field=field)
        if not stat.S_ISREG(status.st_mode):
            raise InputError(f"{given} is not a regular file", field=field)
        if _is_sqlite(target) or any(_same(target, p) for p in protect):
            raise InputError(f"{given} is a database; CampBank never writes over one (choose a new file name)",
                             field=field)
    for suffix in COMPANIONS:
        if target.name.endswith(suffix):
            base = target.with_name(target.name[: -len(suffix)])
            if _is_sqlite(base) or any(_same(base, p) for p in protect):
                raise InputError(f"{given} belongs to the database {base}; choose another name", field=field)
    if status is not None and not force:
        raise InputError(f"{given} already exists; add --force to replace it", field=field)
    return target


@contextmanager
def replacing(path: Path | str, *, force: bool, protect: Iterable[Path] = (), field: str = "output"
              ) -> Iterator[Path]:
    """A new private file to write; it takes the target's place when the block ends without an error."""
    protect = tuple(protect)
    target = judge(path, force=force, protect=protect, field=field)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise InputError(f"cannot write in {target.parent}: {error.strerror or error}", field=field) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        judge(target, force=force, protect=protect, field=field)  # again: it may have changed meanwhile
        os.chmod(temporary, 0o600)
        if force:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # unlike a rename, never replaces a file that appeared meanwhile
            except FileExistsError:
                raise InputError(f"{target} appeared while it was being written; nothing was replaced",
                                 field=field) from None
            except OSError as error:  # a file system without links (some USB sticks): rename
                if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(os.path.realpath(a)) == Path(os.path.realpath(b))

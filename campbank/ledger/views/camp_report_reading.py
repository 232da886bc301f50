"""Reading the camp report beside other work (the xlsx report renders the transactions meanwhile): the
extent first, as soon as it is read, then the whole report.

A small camp's report is read in a thread. A big camp's is read in a process of its own: its sums and the
rendering of hundreds of thousands of rows are both mostly Python, and in one process they would take
turns on Python's lock, where two processes use both of the laptop's cores. Starting that process costs
about half a second (a fresh interpreter: a forked one would share SQLite's locking state with this one),
which only a big camp wins back. Either way the report is read in one read transaction
(`camp_report`), so it is the same consistent picture.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any, BinaryIO

from campbank.core.errors import CampBankError
from campbank.ledger import clock
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database, open_database
from campbank.ledger.store.queries import transactions as queries
from campbank.ledger.views.camp_report import CampReport, Extent, camp_report

# From this many transactions on, the report is read in a process of its own (see the module's doc).
PROCESS_FROM = 50_000


class Reading:
    """A camp report being read; `extent()` and then `report()` wait for their part. Use as a context
    manager: leaving it stops the reading if it is still going (an export that failed half way)."""

    def __init__(self, db: Database, actor: Actor) -> None:
        with db.session() as session:
            big = queries.newest_id(session) >= PROCESS_FROM
        self._elsewhere = _InProcess(db, actor) if big else _InThread(db, actor)

    def extent(self) -> Extent:
        return self._elsewhere.extent()

    def report(self) -> CampReport:
        return self._elsewhere.report()

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._elsewhere.close()


class _InThread:
    def __init__(self, db: Database, actor: Actor) -> None:
        self._extents: queue.Queue[Extent | BaseException] = queue.Queue()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-read")
        self._reading: Future[CampReport] = self._pool.submit(self._read, db, actor)

    def _read(self, db: Database, actor: Actor) -> CampReport:
        try:
            return camp_report(db, actor, on_extent=self._extents.put)
        except BaseException as error:
            self._extents.put(error)  # the waiting caller stops; after an extent this is never read
            raise

    def extent(self) -> Extent:
        extent = self._extents.get()
        if isinstance(extent, BaseException):
            self._reading.result()  # raises it
            raise extent
        return extent

    def report(self) -> CampReport:
        return self._reading.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class _InProcess:
    """The reading process is this module run by the same Python (`-m`, not multiprocessing, which would
    run the program's main script again in it): its orders come pickled on its stdin, the extent and the
    report (or the error that stopped it) go back pickled on its stdout."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self._errors = tempfile.TemporaryFile(prefix="campbank-report-read-")  # noqa: SIM115  (closed in close)
        self._process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=self._errors)
        assert self._process.stdin is not None and self._process.stdout is not None
        self._replies = self._process.stdout
        try:
            with self._process.stdin as orders:
                pickle.dump((str(db.path), actor, clock.fixed_moment()), orders)
        except BrokenPipeError:
            pass  # it stopped at once: the first reply that never comes says so

    def _receive(self) -> Any:
        try:
            kind, value = pickle.load(self._replies)
        except (EOFError, pickle.UnpicklingError):
            self._errors.seek(0)
            said = self._errors.read().decode("utf-8", "replace").strip().splitlines()
            raise CampBankError("the report's reading process stopped before it was done"
                                + (f": {said[-1]}" if said else "")) from None
        if kind == "error":
            raise value
        return value

    def extent(self) -> Extent:
        extent: Extent = self._receive()
        return extent

    def report(self) -> CampReport:
        report: CampReport = self._receive()
        return report

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()  # only a read: nothing of the camp's is left half done
        self._process.wait()
        self._replies.close()
        self._errors.close()


def _read_elsewhere(orders: BinaryIO, replies: BinaryIO) -> None:
    """The reading process: the extent, then the report, or the error that stopped it."""

    def reply(kind: str, value: object) -> None:
        pickle.dump((kind, value), replies)
        replies.flush()

    try:
        location, actor, fixed = pickle.load(orders)
        db = open_database(Path(location))
        try:
            with clock.fixed_at(fixed) if fixed else nullcontext():
                reply("report", camp_report(db, actor, on_extent=lambda extent: reply("extent", extent)))
        finally:
            db.dispose()
    except Exception as error:  # noqa: BLE001  (handed to the waiting process, which raises it)
        reply("error", _portable(error))


def _portable(error: BaseException) -> BaseException:
    """The error itself if it survives the trip between processes, else its words in a CampBankError."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001
        return CampBankError(f"reading the report failed: {error}")
    return error


if __name__ == "__main__":
    # The replies keep stdout's pipe to themselves: anything else printed goes to stderr.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _read_elsewhere(sys.stdin.buffer, replies)

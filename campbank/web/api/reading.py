"""Short reads of the camp from the API's coroutines, on the event loop when that costs least.

A read of the busiest kind (a token and an account) takes well under a millisecond of CPU. Handing it to
a worker thread costs more than that: the hop, and the interpreter's lock passed back and forth between
the thread and the event loop, which under 50 clients made each request cost three times its own work. So
such a read runs right on the event loop, unless a writer is committing to the file at that moment (the
read would have to wait for it, and the loop must never wait) or the camp is on a server (its reads wait
on the network): then on a worker thread, as a plain route's work is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from campbank.ledger.store.database import Database, WouldWait

T = TypeVar("T")


async def quick_read(db: Database, read: Callable[[], T]) -> T:
    try:
        return db.read_at_once(read)
    except WouldWait:
        return await run_in_threadpool(read)

"""Running ledger calls off the UI thread, and showing their refusals.

Every database call in the UI goes through `LedgerWork.fetch` (read, then show) or `LedgerWork.submit`
(write, then confirm): the call runs in a thread worker, the result comes back on the UI thread, and a
`CampBankError` becomes a notification naming the field and the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from textual.worker import Worker, WorkerState

from campbank.core.errors import CampBankError
from campbank.core.season import Season
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database
from campbank.widgets.literal import notify

T = TypeVar("T")
Then = Callable[[Any], Any]
OnError = Callable[[CampBankError], Any]


class OfficeApp(Protocol):
    """What screens and widgets use of the app they run in (the app is `campbank.app.CampBankApp`)."""

    db: Database
    season: Season
    actor: Actor | None

    def signed_in(self, actor: Actor) -> None: ...

    def action_logout(self, reason: str = "logout") -> None: ...

    def last_activity_reset(self) -> None: ...


class LedgerWork:
    """A mixin for widgets and screens: `self.db`, `self.actor`, and ledger calls run in workers."""

    @property
    def campbank(self) -> OfficeApp:
        return cast(OfficeApp, self.app)  # type: ignore[attr-defined]  # a mixin: `app` is the widget's

    @property
    def db(self) -> Database:
        return self.campbank.db

    @property
    def actor(self) -> Actor:
        actor = self.campbank.actor
        assert actor is not None, "a signed-in screen is showing with nobody signed in"
        return actor

    def fetch(self, call: Callable[[], T], show: Callable[[T], Any], *, group: str = "fetch",
              on_error: OnError | None = None) -> Worker[T]:
        """Run `call` in a thread and `show(result)` on the UI thread; a newer fetch of the group wins."""
        return self._run(call, show, on_error, group=group, exclusive=True)

    def submit(self, call: Callable[[], T], done: Callable[[T], Any], *,
               on_error: OnError | None = None) -> Worker[T]:
        """Run a write in a thread and `done(result)` on the UI thread; refusals are shown, never lost."""
        return self._run(call, done, on_error, group="submit", exclusive=False)

    def _run(self, call: Callable[[], T], then: Then, on_error: OnError | None, *, group: str,
             exclusive: bool) -> Worker[T]:
        pending = self._pending_work()
        if exclusive:
            # A newer read of the group wins: the older one's result is dropped, whether it is still being
            # read or already read and waiting to be shown. (The thread itself cannot be stopped, so it is not
            # cancelled: it finishes in vain.)
            for older in [each for each in pending if each.group == group]:
                del pending[older]
        worker: Worker[T] = self.run_worker(  # type: ignore[attr-defined]
            call, thread=True, group=group, exit_on_error=False
        )
        pending[worker] = (then, on_error)
        return worker

    def _pending_work(self) -> dict[Worker[Any], tuple[Then, OnError | None]]:
        if not hasattr(self, "_ledger_pending"):
            self._ledger_pending: dict[Worker[Any], tuple[Then, OnError | None]] = {}
        return self._ledger_pending

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        handlers = self._pending_work().pop(event.worker, None)
        if handlers is None:
            return
        then, on_error = handlers
        if event.state == WorkerState.SUCCESS:
            then(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, CampBankError):
                (on_error or self.show_refusal)(error)
            else:
                notify(self.app, f"Unexpected error: {error!r}", severity="error", timeout=10)  # type: ignore[attr-defined]

    def show_refusal(self, error: CampBankError) -> None:
        notify(self.app, str(error), title="Refused", severity="error", timeout=8)  # type: ignore[attr-defined]

"""Opening the terminal UI from the command line: the office (`campbank`) and the kiosk."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from campbank.cli.common import errors, fail_on_error, state

if TYPE_CHECKING:
    from campbank.app import CampBankApp

# The kiosk runs again when it stops without a staff password, at most this often: past it, the command
# ends and the kiosk account's login program (README) starts it afresh.
KIOSK_RESTARTS_PER_MINUTE = 5
KIOSK_RESTART_PAUSE = 1.0


def register(app: typer.Typer) -> None:
    app.command()(kiosk)


def open_office(ctx: typer.Context) -> None:
    from campbank.app import CampBankApp

    with fail_on_error():
        database = state(ctx).database()
    CampBankApp(database).run()


def kiosk(ctx: typer.Context) -> None:
    """The student kiosk: student sign-ins only, signs out after each visit and when left idle."""
    from campbank.app import CampBankApp

    with fail_on_error():
        database = state(ctx).database()
    run_kiosk(lambda: CampBankApp(database, kiosk=True))


def run_kiosk(make_app: Callable[[], CampBankApp], *, pause: float = KIOSK_RESTART_PAUSE) -> None:
    """Run the kiosk until a staff member closes it: no key, no signal from the keyboard and no crash of
    the app leaves a shell behind it (docs/security.md)."""
    # Ctrl+C, Ctrl+\ and Ctrl+Z are keys to the app, never signals (unless this variable asks Textual to let
    # the terminal send them); a SIGINT or SIGQUIT sent from elsewhere is ignored too.
    os.environ.pop("TEXTUAL_ALLOW_SIGNALS", None)
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGQUIT)}
    try:
        stops: list[float] = []
        while True:
            app = make_app()
            app.run()
            if app.closed_by_staff:
                return
            now = time.monotonic()
            stops = [t for t in stops if now - t < 60] + [now]
            if len(stops) > KIOSK_RESTARTS_PER_MINUTE:
                errors.print(f"[bold red]error:[/] the kiosk stopped {len(stops)} times in a minute; giving up")
                raise typer.Exit(1)
            errors.print("The kiosk stopped unexpectedly; starting it again.")
            time.sleep(pause)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)

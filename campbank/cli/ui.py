"""Opening the terminal UI from the command line: the office (`campbank`) and the kiosk."""

from __future__ import annotations

import typer

from campbank.cli.common import fail_on_error, state


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
    CampBankApp(database, kiosk=True).run()

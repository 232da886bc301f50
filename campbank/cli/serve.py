"""`campbank serve`: the office UI, the kiosk and the JSON API for browsers on the camp's network."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from campbank.cli.common import fail_on_error, state
from campbank.core.errors import InputError


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="The address to listen on; 0.0.0.0 means every network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port.", min=1, max=65535)] = 8000,
    certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM) for HTTPS.")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="The certificate's private key (PEM).")] = None,
    max_sessions: Annotated[int, typer.Option(help="Browser screens at once (each is a process).",
                                              min=1, max=1000)] = 20,
    public_url: Annotated[str | None, typer.Option(help="The address browsers use, when a proxy in front "
                                                       "of CampBank changes it (e.g. https://bank.camp).")] = None,
) -> None:
    """Serve the office UI at /, the kiosk at /kiosk and the JSON API at /api/v1 to browsers."""
    with fail_on_error():
        if (certfile is None) != (keyfile is None):
            raise InputError("give both --certfile and --keyfile for HTTPS, or neither",
                             field="--certfile" if certfile is None else "--keyfile")
        for name, path in (("--certfile", certfile), ("--keyfile", keyfile)):
            if path is not None and not path.is_file():
                raise InputError(f"{path} is not a file", field=name)
        if public_url is not None and not public_url.startswith(("http://", "https://")):
            raise InputError("must start with http:// or https://", field="--public-url")
        db = state(ctx).database()
        from campbank.web.server import ServeOptions, check_address
        from campbank.web.server import serve as run

        check_address(host, port)

        options = ServeOptions(host=host, port=port, certfile=certfile, keyfile=keyfile,
                               max_sessions=max_sessions, public_url=public_url)
    run(db, options)

"""The whole site on one ASGI app: the office at /, the kiosk at /kiosk, the API at /api/v1.

    /               the office UI page          /ws          its session (websocket)
    /kiosk          the kiosk page              /kiosk/ws    its session
    /busy           "all screens in use" (503)  /static      textual-serve's xterm.js page script
    /download/KEY   a file the app hands over   /api/v1      the JSON API (docs at /api/v1/docs)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import textual_serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.websockets import WebSocket

from campbank.ledger.store.database import Database
from campbank.web.api.app import create_api
from campbank.web.terminals import Terminals

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
PAGE_SCRIPTS = Path(textual_serve.__file__).parent / "static"
PAGES = {"": ("office", "CampBank"), "/kiosk": ("kiosk", "CampBank kiosk")}
RETRY_AFTER = "60"


@dataclass(frozen=True)
class SiteOptions:
    max_sessions: int = 20
    public_url: str | None = None  # the address browsers use, when a proxy in front changes it


def create_site(db: Database, options: SiteOptions) -> Starlette:
    terminals = Terminals(db.path, options.max_sessions)

    def page(prefix: str):
        _kind, title = PAGES[prefix]

        async def show(request: Request) -> Response:
            if terminals.full:
                return busy_page(request, terminals, prefix)
            return TEMPLATES.TemplateResponse(request, "terminal.html", {
                "title": title, "page_url": prefix or "/", "font_size": _font_size(request),
                "websocket_url": websocket_url(request, prefix, options.public_url),
            }, headers={"Cache-Control": "no-store"})

        return show

    def session(prefix: str):
        kind, _title = PAGES[prefix]

        async def run(websocket: WebSocket) -> None:
            await terminals.serve(websocket, kind)

        return run

    async def busy(request: Request) -> Response:
        return busy_page(request, terminals, "/")

    async def download(request: Request) -> Response:
        key = request.path_params["key"]
        try:
            meta = await terminals.downloads.get_download_metadata(key)
        except KeyError:
            return PlainTextResponse("There is no such download.", status_code=404)
        media = meta.mime_type + (f"; charset={meta.encoding}" if meta.encoding else "")
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        return StreamingResponse(terminals.downloads.download(key), media_type=media,
                                 headers={"Content-Disposition": f'{disposition}; filename="{meta.file_name}"'})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await terminals.end_all()

    site = Starlette(routes=[
        Route("/", page("")),
        WebSocketRoute("/ws", session("")),
        Route("/kiosk", page("/kiosk")),
        Route("/kiosk/", lambda _request: RedirectResponse("/kiosk")),
        WebSocketRoute("/kiosk/ws", session("/kiosk")),
        Route("/busy", busy),
        Route("/download/{key}", download),
        Mount("/static", StaticFiles(directory=str(PAGE_SCRIPTS)), name="static"),
        Mount("/api/v1", create_api(db)),
    ], lifespan=lifespan)
    site.state.terminals = terminals
    return site


def busy_page(request: Request, terminals: Terminals, prefix: str) -> Response:
    return TEMPLATES.TemplateResponse(request, "busy.html", {"max_sessions": terminals.limit,
                                                             "page_url": prefix or "/"},
                                      status_code=503, headers={"Retry-After": RETRY_AFTER,
                                                                "Cache-Control": "no-store"})


def websocket_url(request: Request, prefix: str, public_url: str | None) -> str:
    """Where the page opens its session: the host and port the browser used (over TLS: wss), so it works
    whatever address of this machine a device typed; `public_url` wins behind a proxy."""
    if public_url:
        base = public_url.rstrip("/")
        scheme, rest = base.split("://", 1)
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}{prefix}/ws"
    scheme = "wss" if request.url.scheme == "https" else "ws"
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{scheme}://{host}{prefix}/ws"


def _font_size(request: Request) -> int:
    value = request.query_params.get("fontsize", "16")
    return min(max(int(value), 8), 40) if value.isdigit() else 16

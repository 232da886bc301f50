"""The API application: FastAPI (OpenAPI docs served from the package, no CDN) with CampBank's errors."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from campbank.ledger.store.database import Database
from campbank.web.api import (
    errors,
    routes_auth,
    routes_disputes,
    routes_exports,
    routes_me,
    routes_transactions,
    routes_transfers,
)

DESCRIPTION = """\
CampBank's JSON API: a student's balance and history, transfer requests and disputes, staff transactions
and approvals, managers' exports. Sign in with `POST /auth/token` and send the token as
`Authorization: Bearer TOKEN`. The same permissions and the same lockout as the office UI.

Errors are `{"error": {"field": ..., "message": ...}}`: 400 bad input, with the field at fault (nothing
written; an unknown username in a body is bad input), 401 no or bad token or password, 403 not for this
role, 404 no such id, 409 the state does not allow it, 413 a body over 64 KiB. Amounts are strings with
two decimals.
"""


def create_api(db: Database) -> FastAPI:
    api = FastAPIOffline(title="CampBank API", version="1", description=DESCRIPTION,
                         openapi_url="/openapi.json", docs_url="/docs", redoc_url=None,
                         favicon_url="data:,")
    api.state.db = db
    errors.install(api)
    for module in (routes_auth, routes_me, routes_disputes, routes_transfers, routes_transactions, routes_exports):
        api.include_router(module.router)

    @api.get("/health", tags=["server"])
    def health() -> dict[str, str]:
        """Whether the server answers (for monitoring); it tells nothing about the camp."""
        return {"status": "ok"}

    return api

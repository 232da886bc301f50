"""Who is asking: the bearer token of the request, checked by the ledger on every call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from campbank.ledger.actions import api_tokens
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database
from campbank.web.api.reading import quick_read

bearer = HTTPBearer(auto_error=False, description="The token from POST /api/v1/auth/token")


# The dependencies are coroutines so FastAPI does not hand them to a worker thread (it runs plain
# functions there): each request would pay thread switches for reading an attribute, and the token's check
# is a quick read (reading.py).
async def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def token_of(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str | None:
    return credentials.credentials if credentials is not None else None


async def current_actor(request: Request, token: Annotated[str | None, Depends(token_of)]) -> Actor:
    db: Database = request.app.state.db
    return await quick_read(db, lambda: api_tokens.authenticate(db, token))


Db = Annotated[Database, Depends(database)]
SignedIn = Annotated[Actor, Depends(current_actor)]
Token = Annotated[str | None, Depends(token_of)]


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header (the same reading as `bearer`), or None."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None

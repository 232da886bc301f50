"""Who is asking: the bearer token of the request, checked by the ledger on every call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from campbank.ledger.actions import api_tokens
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database

bearer = HTTPBearer(auto_error=False, description="The token from POST /api/v1/auth/token")


# The two small dependencies are coroutines so FastAPI does not hand them to a worker thread (it runs
# plain functions there): each request would pay two thread switches for reading an attribute.
async def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def token_of(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str | None:
    return credentials.credentials if credentials is not None else None


def current_actor(request: Request, token: Annotated[str | None, Depends(token_of)]) -> Actor:
    return api_tokens.authenticate(request.app.state.db, token)


Db = Annotated[Database, Depends(database)]
SignedIn = Annotated[Actor, Depends(current_actor)]
Token = Annotated[str | None, Depends(token_of)]


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header (the same reading as `bearer`), or None."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None

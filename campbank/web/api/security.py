"""Who is asking: the bearer token of the request, checked by the ledger on every call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from campbank.ledger.actions import api_tokens
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database

bearer = HTTPBearer(auto_error=False, description="The token from POST /api/v1/auth/token")


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def token_of(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str | None:
    return credentials.credentials if credentials is not None else None


def current_actor(request: Request, token: Annotated[str | None, Depends(token_of)]) -> Actor:
    return api_tokens.authenticate(database(request), token)


Db = Annotated[Database, Depends(database)]
SignedIn = Annotated[Actor, Depends(current_actor)]
Token = Annotated[str | None, Depends(token_of)]

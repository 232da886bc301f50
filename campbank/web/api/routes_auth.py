"""Signing in (a bearer token) and out (the token revoked)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from campbank.core.errors import AuthError
from campbank.ledger.actions import api_tokens
from campbank.web.api.body import read_json, validate
from campbank.web.api.errors import ERROR_RESPONSES
from campbank.web.api.schemas import SignIn, TokenOut
from campbank.web.api.security import Db, Token

router = APIRouter(prefix="/auth", tags=["sign in"], responses=ERROR_RESPONSES)


@router.post("/token", response_model=TokenOut, status_code=201,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": SignIn.model_json_schema()}}}})
async def sign_in(request: Request, db: Db) -> TokenOut:
    """Sign in with a username and password; the token lasts the season's `[api] token_seconds` (12 h).

    Wrong passwords count towards the same lockout as the office (5 in a row lock the account)."""
    body = validate(SignIn, await read_json(request))
    issued = await _in_thread(api_tokens.issue, db, body.username, body.password)
    return TokenOut(token=issued.token, expires_at=issued.expires_at, username=issued.actor.username,
                    role=str(issued.actor.role))


@router.delete("/token", status_code=204, response_class=Response)
def sign_out(db: Db, token: Token) -> Response:
    """Sign out: this token stops working at once."""
    if not token:
        raise AuthError("sign in first: no token was sent", field="token")
    api_tokens.revoke(db, token)
    return Response(status_code=204)


async def _in_thread(function, *args):
    """Password hashing and the write run off the event loop."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)

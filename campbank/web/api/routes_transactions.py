"""Staff post any transaction of the `campbank post` JSON contract."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from campbank.core.money import cents_to_str
from campbank.ledger.actions.posting import Posted, post
from campbank.rules import REGISTRY
from campbank.web.api.body import read_json
from campbank.web.api.errors import ERROR_RESPONSES
from campbank.web.api.schemas import PostedOut
from campbank.web.api.security import Db, SignedIn

router = APIRouter(prefix="/transactions", tags=["transactions"], responses=ERROR_RESPONSES)

PAYLOAD_SCHEMA = {
    "type": "object",
    "required": ["type"],
    "description": "A payload of the `campbank post` contract: `type`, optional `description`, `date` "
                   "(YYYY-MM-DD, today when absent) and `idempotency_key`, and the fields of the type "
                   "(see the README's table). Amounts are written 12, 12.5 or \"12.50\".",
    "properties": {
        "type": {"type": "string", "enum": sorted(REGISTRY)},
        "description": {"type": "string", "maxLength": 500},
        "date": {"type": "string", "format": "date"},
        "idempotency_key": {"type": "string", "maxLength": 200},
    },
    "additionalProperties": True,
    "example": {"type": "fine", "fine_type": "fine_lang", "description": "Dinner",
                "amounts": {"ivanov.p": "10", "smirnova.a": "2.50"}},
}


def posted_response(posted: Posted) -> JSONResponse:
    body = PostedOut(id=posted.id, type=posted.type, state=posted.state, recipients=posted.recipients,
                     total=cents_to_str(posted.total), duplicate=posted.duplicate)
    return JSONResponse(body.model_dump(), status_code=200 if posted.duplicate else 201)


@router.post("", response_model=PostedOut, status_code=201,
             openapi_extra={"requestBody": {"required": True,
                                            "content": {"application/json": {"schema": PAYLOAD_SCHEMA}}}},
             responses={200: {"description": "The same idempotency key again: the earlier transaction",
                              "model": PostedOut}})
async def post_transaction(request: Request, db: Db, actor: SignedIn) -> JSONResponse:
    """Post one transaction as the signed-in staff member or manager (students use /transfers)."""
    payload = await read_json(request)
    return posted_response(await run_in_threadpool(post, db, actor, payload))

"""A student's disputes: list them with every answer and the outcome; open one about a transaction of theirs
(or ask a general question). Staff answer in the office."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from campbank.ledger.actions import disputes
from campbank.ledger.views.disputes import dispute_thread, my_disputes
from campbank.web.api.body import read_json, validate
from campbank.web.api.errors import ERROR_RESPONSES
from campbank.web.api.schemas_disputes import DisputeIn, DisputeOut
from campbank.web.api.security import Db, SignedIn

router = APIRouter(prefix="/me/disputes", tags=["disputes"], responses=ERROR_RESPONSES)


@router.get("", response_model=list[DisputeOut])
def mine(db: Db, actor: SignedIn) -> list[DisputeOut]:
    """The signed-in student's disputes, newest first, each with its whole thread and its outcome."""
    return [DisputeOut.of(dispute_thread(db, actor, line.id)) for line in my_disputes(db, actor)]


@router.post("", response_model=DisputeOut, status_code=201,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": DisputeIn.model_json_schema()}}}})
async def open_one(request: Request, db: Db, actor: SignedIn) -> JSONResponse:
    """Open a dispute about a transaction that concerns the student (`transaction_id`), or a general question
    (no `transaction_id`); at most 500 characters."""
    body = validate(DisputeIn, await read_json(request))
    from starlette.concurrency import run_in_threadpool

    step = await run_in_threadpool(lambda: disputes.open_dispute(db, actor, body.text,
                                                                 transaction_id=body.transaction_id))
    thread = await run_in_threadpool(lambda: dispute_thread(db, actor, step.dispute_id))
    return JSONResponse(DisputeOut.of(thread).model_dump(mode="json"), status_code=201)

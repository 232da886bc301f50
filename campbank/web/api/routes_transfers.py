"""Students' transfer requests: ask, withdraw; staff approve or reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse

from campbank.core.errors import InputError
from campbank.ledger.actions import states, transfer_requests
from campbank.ledger.actions.posting import post
from campbank.web.api.body import read_json, validate
from campbank.web.api.errors import ERROR_RESPONSES
from campbank.web.api.routes_transactions import posted_response
from campbank.web.api.schemas import ChangedOut, Decision, PostedOut, TransferIn
from campbank.web.api.security import Db, SignedIn

router = APIRouter(prefix="/transfers", tags=["transfers"], responses=ERROR_RESPONSES)
TransferId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The transfer request's id")]


def _body_schema(model: type) -> dict[str, object]:
    return {"requestBody": {"required": model is TransferIn, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}  # type: ignore[attr-defined]


@router.post("", response_model=PostedOut, status_code=201, openapi_extra=_body_schema(TransferIn),
             responses={200: {"description": "The same idempotency key again: the earlier request",
                              "model": PostedOut}})
async def request_transfer(request: Request, db: Db, actor: SignedIn,
                           idempotency_key: Annotated[str | None, Header(max_length=200)] = None) -> JSONResponse:
    """A student asks to send money to another student; it waits for staff. The idempotency key (in the
    body or the `Idempotency-Key` header) makes a retried request one transfer."""
    body = validate(TransferIn, await read_json(request))
    key = body.idempotency_key or idempotency_key
    if body.idempotency_key and idempotency_key and body.idempotency_key != idempotency_key:
        raise InputError("differs from the Idempotency-Key header", field="idempotency_key")
    payload: dict[str, object] = {"type": "p2p", "receiver": body.receiver, "amount": body.amount,
                                  "description": body.comment}
    if key is not None:
        payload["idempotency_key"] = key
    from starlette.concurrency import run_in_threadpool

    return posted_response(await run_in_threadpool(post, db, actor, payload))


@router.delete("/{transfer_id}", response_model=ChangedOut)
def withdraw(db: Db, actor: SignedIn, transfer_id: TransferId) -> ChangedOut:
    """A student withdraws their own request while it still waits."""
    return ChangedOut.of(transfer_requests.withdraw(db, actor, transfer_id))


@router.post("/{transfer_id}/approve", response_model=ChangedOut, openapi_extra=_body_schema(Decision))
async def approve(request: Request, db: Db, actor: SignedIn, transfer_id: TransferId) -> ChangedOut:
    """Staff approve a waiting request; the sender's balance is checked again now."""
    reason = validate(Decision, await read_json(request, empty={})).reason
    from starlette.concurrency import run_in_threadpool

    return ChangedOut.of(await run_in_threadpool(lambda: states.approve(db, actor, transfer_id, reason=reason)))


@router.post("/{transfer_id}/reject", response_model=ChangedOut, openapi_extra=_body_schema(Decision))
async def reject(request: Request, db: Db, actor: SignedIn, transfer_id: TransferId) -> ChangedOut:
    """Staff reject a waiting request (the reason is kept in the audit log)."""
    reason = validate(Decision, await read_json(request, empty={})).reason
    from starlette.concurrency import run_in_threadpool

    return ChangedOut.of(await run_in_threadpool(lambda: states.reject(db, actor, transfer_id, reason=reason)))

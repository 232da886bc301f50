"""Every refusal as `{"error": {"field": …, "message": …}}`, with the status that says what went wrong.

400 bad input (nothing written), 401 no or bad token / wrong password, 403 the role may not, 404 an
unknown id or username, 409 the state does not allow it (a processed transfer, a reused idempotency key),
413 a body over the limit, 503 the database stayed busy.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from campbank.core.errors import (
    AuthError,
    CampBankError,
    InputError,
    NotFound,
    PermissionDenied,
    RuleError,
)
from campbank.ledger.store.database import DATABASE_ERRORS, number_out_of_range

log = logging.getLogger("campbank.web")

STATUS: tuple[tuple[type[CampBankError], int], ...] = (
    (AuthError, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (RuleError, 409),
    (InputError, 400),
)


class TooLarge(CampBankError):
    """A request body over the API's limit."""


def status_of(error: CampBankError) -> int:
    if isinstance(error, TooLarge):
        return 413
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 400


def error_response(status: int, message: str, field: str | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": {"field": field, "message": message}}, status_code=status, headers=headers)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["field", "message"],
        "properties": {"field": {"type": ["string", "null"], "description": "the field at fault, if one is"},
                       "message": {"type": "string", "description": "why, in plain words"}},
    }},
}
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
    for status, text in ((400, "Bad input: the field and the reason; nothing was written"),
                         (401, "No token, or an expired or revoked one; or a wrong password"),
                         (403, "The role may not do this"),
                         (404, "No such id or username"),
                         (409, "The state does not allow it (already decided, key reused, too little money)"),
                         (413, "The body is too large"))
}


def install(app: FastAPI) -> None:
    """Turn ledger errors, FastAPI's own validation errors and database trouble into the error shape."""

    @app.exception_handler(CampBankError)
    async def ledger_error(_request: Request, error: CampBankError) -> JSONResponse:
        return error_response(status_of(error), error.message, error.field)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        location = [str(part) for part in first.get("loc", ()) if part not in ("body", "path", "query", "header")]
        return error_response(400, str(first.get("msg", "is not valid")), ".".join(location) or None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = {404: "there is nothing at this address", 405: "this address does not take this method"}.get(
            error.status_code, str(error.detail))
        return error_response(error.status_code, message)

    async def database_error(_request: Request, error: Exception) -> JSONResponse:
        if number_out_of_range(error):
            return error_response(400, "a number is too large for the database", "id")
        reason = str(getattr(error, "orig", error))
        if "locked" in reason or "busy" in reason:
            return error_response(503, "the database stayed busy; nothing was saved: try again", "database")
        log.exception("database error")
        return error_response(500, "the database refused the request; nothing was saved", "database")

    for kind in DATABASE_ERRORS:  # through the engine, or a raw cursor's own driver error
        app.add_exception_handler(kind, database_error)

    @app.exception_handler(OverflowError)
    async def overflow(_request: Request, _error: OverflowError) -> JSONResponse:
        return error_response(400, f"a number is too large (at most {2**63 - 1})", "id")

"""Managers download the raw exports as CSV, streamed; each download is audited like the CLI's export."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from campbank.formats.exports import BOM, balances_csv, entries_csv
from campbank.web.api.errors import ERROR_RESPONSES
from campbank.web.api.security import Db, SignedIn

router = APIRouter(prefix="/exports", tags=["exports"], responses=ERROR_RESPONSES)


class Kind(StrEnum):
    money = "money"
    counters = "counters"
    balances = "balances"


@router.get("/{kind}.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a byte-order mark"}})
def export_csv(kind: Kind, request: Request, db: Db, actor: SignedIn) -> StreamingResponse:
    """Every money entry, every counter entry, or every student's balance (managers only). Text that a
    spreadsheet would run as a formula starts with an apostrophe."""
    chunks: Iterator[str]
    client = request.client.host if request.client else "unknown"
    # Each producer checks the permission, then commits the export's audit row before any data is read.
    if kind is Kind.balances:
        chunks = iter([BOM + balances_csv(db, actor, target=f"api:{client}")])
    else:
        chunks = entries_csv(db, actor, kind.value, bom=True, target=f"api:{client}")  # type: ignore[arg-type]
    return StreamingResponse((chunk.encode("utf-8") for chunk in chunks), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="campbank-{kind.value}.csv"'})

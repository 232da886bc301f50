"""A person's own account and history, and the people they may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from campbank.ledger.views.me import MAX_PAGE, directory, my_account_for_token, my_history
from campbank.web.api.errors import ERROR_RESPONSES
from campbank.web.api.reading import quick_read
from campbank.web.api.schemas import HistoryItem, HistoryOut, MeOut, StudentOut
from campbank.web.api.security import Db, SignedIn, bearer_token

router = APIRouter(tags=["me"], responses=ERROR_RESPONSES)
BIGGEST_ID = 2**63 - 1


@router.get("/me", response_model=MeOut, openapi_extra={"security": [{"HTTPBearer": []}]})
async def me(request: Request) -> Response:
    """Balance, certificates, counters, the study programme and the fines to expect, as the kiosk shows
    them; a student's transfer requests that still wait for staff."""
    # The busiest endpoint: the token is checked in the same read as the account (one transaction), read
    # straight from the header rather than through FastAPI's dependencies, on the event loop when the file
    # allows (reading.py), and the answer is written without a second validation.
    db, token = request.app.state.db, bearer_token(request)
    me = await quick_read(db, lambda: my_account_for_token(db, token))
    return Response(MeOut.of(me).model_dump_json(), media_type="application/json")


@router.get("/me/history", response_model=HistoryOut)
def history(db: Db, actor: SignedIn,
            limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Lines per page")] = 50,
            before: Annotated[int | None, Query(ge=1, le=BIGGEST_ID,
                                                description="next_before of the previous page")] = None,
            ) -> HistoryOut:
    """Money movements, newest first, each with the balance after it."""
    page = my_history(db, actor, limit=limit, before_id=before)
    return HistoryOut(items=[HistoryItem.of(line) for line in page.lines], next_before=page.next_before)


@router.get("/students", response_model=list[StudentOut], tags=["students"])
def students(db: Db, actor: SignedIn) -> list[StudentOut]:
    """Staff and managers: every active student with squad, grade and balance. Students: the other
    students' names and usernames only (to send money to), never a balance."""
    return [StudentOut.of(person) for person in directory(db, actor)]

"""Bodies of the disputes endpoints."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, StrictInt, StrictStr

from campbank.core.money import cents_to_str
from campbank.ledger.views.disputes import Disputed, DisputeThread
from campbank.web.api.schemas import Amount, Strict


class DisputeIn(Strict):
    text: StrictStr = Field(max_length=500, description="What is wrong, on one line (at most 500 characters)")
    transaction_id: StrictInt | None = Field(default=None, ge=1, le=2**63 - 1,
                                             description="The transaction disputed; none for a general question")


class DisputedOut(BaseModel):
    id: int
    type: str
    label: str
    day: date
    state: str
    description: str
    amount: str = Amount

    @classmethod
    def of(cls, d: Disputed) -> DisputedOut:
        return cls(id=d.id, type=d.type, label=d.label, day=d.day, state=d.state, description=d.description,
                   amount=cents_to_str(d.amount))


class MessageOut(BaseModel):
    at: datetime
    author: str
    author_role: str
    text: str


class DisputeOut(BaseModel):
    id: int
    state: str = Field(description="open, resolved or rejected")
    opened_at: datetime
    closed_at: datetime | None
    transaction: DisputedOut | None
    fixed_by: DisputedOut | None = Field(description="The transaction that resolved it (a cancel, an alter, a "
                                                     "refund)")
    messages: list[MessageOut]

    @classmethod
    def of(cls, thread: DisputeThread) -> DisputeOut:
        return cls(id=thread.line.id, state=thread.line.state, opened_at=thread.line.opened_at,
                   closed_at=thread.closed_at,
                   transaction=DisputedOut.of(thread.transaction) if thread.transaction else None,
                   fixed_by=DisputedOut.of(thread.fix) if thread.fix else None,
                   messages=[MessageOut(at=m.at, author=m.author, author_role=m.author_role, text=m.text)
                             for m in thread.messages])

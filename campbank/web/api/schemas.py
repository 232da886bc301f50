"""The shapes of request and response bodies. Amounts are strings with two decimals ("120.00"), as in the
JSON exports; request models take exact types and refuse unknown fields."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from campbank.core.money import cents_to_str
from campbank.ledger.actions.states import Changed
from campbank.ledger.views.accounts import HistoryLine, Request
from campbank.ledger.views.me import MyAccount, Person
from campbank.rules.study_fine import Progress

Amount = Field(description='Two decimals, as text: "120.00" (negative: "-5.00")', examples=["120.00"])


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


# --- requests ---------------------------------------------------------------------------------------


class SignIn(Strict):
    username: StrictStr = Field(max_length=64, examples=["ivanov.p"])
    password: StrictStr = Field(max_length=256)


class TransferIn(Strict):
    receiver: StrictStr = Field(max_length=64, description="The student to send to (username)")
    amount: StrictStr | StrictInt = Field(description='At most two decimals: 12, "12.5" or 12.50',
                                          examples=["12.50"])
    comment: StrictStr = Field(max_length=500, description="Why (required); staff see it")
    idempotency_key: StrictStr | None = Field(
        default=None, max_length=200,
        description="Any text unique to this request: sending it again does not make a second transfer")


class Decision(Strict):
    reason: StrictStr = Field(default="", max_length=500, description="Why (kept in the audit log)")


# --- responses --------------------------------------------------------------------------------------


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    expires_at: datetime
    username: str
    role: str


class ProgressOut(BaseModel):
    visits: int
    visits_target: int
    labs: int
    labs_target: int
    fac_passes: int
    fac_passes_target: int
    seminars_given: int
    seminars_target: int
    expected_fine: str = Amount
    complete: bool

    @classmethod
    def of(cls, p: Progress) -> ProgressOut:
        return cls(visits=p.visits, visits_target=p.visits_target, labs=p.labs, labs_target=p.labs_target,
                   fac_passes=p.fac_passes, fac_passes_target=p.fac_passes_target, seminars_given=p.seminars_given,
                   seminars_target=p.seminars_target, expected_fine=cents_to_str(p.expected_fine),
                   complete=p.complete)


class RequestOut(BaseModel):
    id: int
    created_at: datetime
    receiver: str
    receiver_name: str
    amount: str = Amount
    comment: str
    state: str

    @classmethod
    def of(cls, r: Request) -> RequestOut:
        return cls(id=r.id, created_at=r.created_at, receiver=r.receiver, receiver_name=r.receiver_name,
                   amount=cents_to_str(r.amount), comment=r.comment, state=r.state)


class MeOut(BaseModel):
    username: str
    full_name: str
    role: str
    squad: str | None
    grade: int | None
    currency_sign: str
    balance: str = Amount
    certificates: str = Field(description="Book certificates, in @ (they pay for books only)")
    counters: dict[str, int] = Field(description="Counter totals (book_certificate is in cents)")
    final: ProgressOut | None = Field(description="The study programme at the end of the session (students)")
    equator: ProgressOut | None = Field(description="The mid-session check, when the season has one")
    next_lecture_fine: str | None = Field(description="What missing the next lecture would cost (students)")
    pending_requests: list[RequestOut]

    @classmethod
    def of(cls, me: MyAccount) -> MeOut:
        row, study = me.row, me.study
        return cls(
            username=row.username, full_name=row.full_name, role=row.role, squad=row.squad, grade=row.grade,
            currency_sign=me.season.currency_sign, balance=cents_to_str(row.balance),
            certificates=cents_to_str(row.certificates), counters=dict(row.counters),
            final=ProgressOut.of(study.final) if study else None,
            equator=ProgressOut.of(study.equator) if study and study.equator else None,
            next_lecture_fine=cents_to_str(study.next_lecture_fine) if study else None,
            pending_requests=[RequestOut.of(r) for r in me.requests],
        )


class HistoryItem(BaseModel):
    journal_id: int
    transaction_id: int
    at: datetime
    day: date
    type: str
    money_type: str
    description: str
    amount: str = Amount
    reverses: bool = Field(description="True for the row that took back a cancelled or altered transaction")
    balance_after: str = Amount

    @classmethod
    def of(cls, line: HistoryLine) -> HistoryItem:
        return cls(journal_id=line.journal_id, transaction_id=line.transaction_id, at=line.at, day=line.day,
                   type=line.type, money_type=line.money_type, description=line.description,
                   amount=cents_to_str(line.amount), reverses=line.reverses,
                   balance_after=cents_to_str(line.balance_after))


class HistoryOut(BaseModel):
    items: list[HistoryItem]
    next_before: int | None = Field(description="Pass as ?before= for the next (older) page; null at the end")


class StudentOut(BaseModel):
    username: str
    full_name: str
    squad: str | None = Field(description="Staff and managers only")
    grade: int | None = Field(description="Staff and managers only")
    balance: str | None = Field(description="Staff and managers only; never shown to students")

    @classmethod
    def of(cls, person: Person) -> StudentOut:
        return cls(username=person.username, full_name=person.full_name, squad=person.squad, grade=person.grade,
                   balance=None if person.balance is None else cents_to_str(person.balance))


class PostedOut(BaseModel):
    id: int
    type: str
    state: str
    recipients: int
    total: str = Amount
    duplicate: bool = Field(description="True when the idempotency key matched an earlier request")


class ChangedOut(BaseModel):
    id: int
    type: str
    old_state: str
    state: str

    @classmethod
    def of(cls, changed: Changed) -> ChangedOut:
        return cls(id=changed.id, type=changed.type, old_state=changed.old_state, state=changed.state)

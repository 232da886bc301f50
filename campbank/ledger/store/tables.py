"""The tables. Money is integer cents everywhere; times are UTC.

`journal` is the ledger proper: append-only rows that move value between accounts (money) or add to a
student's counters. Balances and counter totals on `account` / `counter_total` are caches of it,
written in the same database transaction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# Which tables are append-only is said once, with their guards: `triggers.APPEND_ONLY_TABLES`
# (docs/guarantees.md#append-only).


class Account(SQLModel, table=True):
    """A person (or the built-in `bank`) and their balance."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)
    role: str  # a Role value
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    squad: str | None = None
    grade: int | None = None
    active: bool = True
    can_login: bool = True
    password_hash: str | None = None
    failed_logins: int = 0
    lockouts: int = 0
    locked_until: datetime | None = None
    balance: int = 0
    created_at: datetime


class Transaction(SQLModel, table=True):
    __tablename__ = "txn"
    __table_args__ = (Index("ix_txn_creator_created", "creator_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(index=True)
    creator_id: int = Field(foreign_key="account.id")
    created_at: datetime = Field(index=True)
    day: date = Field(index=True)
    state: str = Field(index=True)  # a State value
    description: str = Field(default="", index=True)
    payload: str  # the form payload that created it, JSON
    update_of: int | None = Field(default=None, foreign_key="txn.id")
    idempotency_key: str | None = Field(default=None, unique=True)
    # Fixed when it is written (entries never change), kept here so the table of all transactions sorts by
    # them through an index: the sum of its money entries, and the people its entries name.
    amount: int = Field(default=0, index=True, sa_column_kwargs={"server_default": "0"})
    recipients: int = Field(default=0, index=True, sa_column_kwargs={"server_default": "0"})


class MoneyEntry(SQLModel, table=True):
    __tablename__ = "money_entry"
    # Each account's money by type, read without touching the table: the reports sum what every student
    # earned from it in index order (no sort), and the flows of the students' money read it too.
    __table_args__ = (Index("ix_money_entry_receiver_money", "receiver_id", "money_type", "amount",
                            "transaction_id"),)

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="txn.id", index=True)
    receiver_id: int = Field(foreign_key="account.id")  # looked up through ix_money_entry_receiver_money
    amount: int
    money_type: str
    description: str = ""


class CounterEntry(SQLModel, table=True):
    """A counter step for one student; `value` is a count, or cents for `book_certificate`."""

    __tablename__ = "counter_entry"
    __table_args__ = (Index("ix_counter_receiver_day", "receiver_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="txn.id", index=True)
    receiver_id: int = Field(foreign_key="account.id")
    counter_type: str
    value: int
    day: date
    block: str | None = None


class JournalRow(SQLModel, table=True):
    """One append-only posting. Money rows (`counter_type` NULL) of a transaction sum to zero."""

    __tablename__ = "journal"
    __table_args__ = (
        Index("ix_journal_account", "account_id", "id"),
        # Each account's money by UTC day, read without touching the table: the economy's end-of-day balances
        # and statements group by it (a covering, partial index on an expression).
        Index("ix_journal_money_day", "account_id", text("substr(created_at, 1, 10)"), "amount",
              sqlite_where=text("counter_type IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="txn.id", index=True)
    account_id: int = Field(foreign_key="account.id")
    money_entry_id: int | None = Field(default=None, foreign_key="money_entry.id")
    counter_entry_id: int | None = Field(default=None, foreign_key="counter_entry.id")
    counter_type: str | None = None
    amount: int
    reverses: bool = False  # written when the transaction stopped counting
    created_at: datetime


class CounterTotal(SQLModel, table=True):
    __tablename__ = "counter_total"
    __table_args__ = (UniqueConstraint("account_id", "counter_type"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    counter_type: str
    total: int = 0


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor_id: int | None = Field(default=None, foreign_key="account.id")
    action: str = Field(index=True)
    target: str = ""
    detail: str = "{}"  # JSON


class SeasonRow(SQLModel, table=True):
    """Every season ever loaded; the newest row is the season in force."""

    __tablename__ = "season"

    id: int | None = Field(default=None, primary_key=True)
    loaded_at: datetime
    name: str
    source: str
    toml: str


class Meta(SQLModel, table=True):
    """Small key/value facts about the database (schema version)."""

    key: str = Field(primary_key=True)
    value: str


class SharedFileRow(SQLModel, table=True):
    __tablename__ = "shared_file"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    version: int
    size: int
    content: bytes
    added_by: int = Field(foreign_key="account.id")
    added_at: datetime


class SharedFileRemoval(SQLModel, table=True):
    """A shared file taken out of the list: every version up to `up_to_version` is hidden (and kept, with
    the audit row saying who and why); adding the name again shows the new version."""

    __tablename__ = "shared_file_removal"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    up_to_version: int
    removed_by: int = Field(foreign_key="account.id")
    removed_at: datetime
    reason: str = ""


class AnnouncementRow(SQLModel, table=True):
    __tablename__ = "announcement"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    text: str
    until: date = Field(index=True)
    author_id: int = Field(foreign_key="account.id")
    created_at: datetime


class ApiToken(SQLModel, table=True):
    """A bearer token of the JSON API. Only its SHA-256 digest is kept: the token itself is shown once.

    `password_stamp` is a digest of the account's password hash when the token was issued, so a token
    stops working the moment the password changes, whichever path changed it.
    """

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(unique=True, index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    password_stamp: str


class SignInLock(SQLModel, table=True):
    """Wrong passwords a staff member or manager got at a kiosk, counted apart from the office's (on the
    account), so guesses typed at a kiosk can lock that account at the kiosk but never out of the office."""

    __tablename__ = "sign_in_lock"

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    place: str = Field(primary_key=True)  # "kiosk": every kiosk sign-in (students' screen and its exit)
    failed_logins: int = 0
    lockouts: int = 0
    locked_until: datetime | None = None
# Savings and credit (docs/savings.md#storage). A pocket and a fund each hold their money on an account
# row of their own (role `pocket` or `fund`, no sign-in), so every movement is an ordinary double-entry
# transaction and the balances still sum to zero; these tables say what each such account is.


class PocketRow(SQLModel, table=True):
    """A student's savings or goal pocket; its money is on the account `account_id`."""

    __tablename__ = "pocket"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", unique=True)
    owner_id: int = Field(foreign_key="account.id", index=True)
    kind: str  # "savings" or "goal"
    name: str  # "savings", or the goal's name
    target: int | None = None  # a goal's target, in cents
    opened_at: datetime
    closed_at: datetime | None = None


class LoanRow(SQLModel, table=True):
    """A loan from the bank: the grant transaction, and the schedule fixed when it was granted."""

    __tablename__ = "loan"

    id: int | None = Field(default=None, primary_key=True)
    borrower_id: int = Field(foreign_key="account.id", index=True)
    transaction_id: int = Field(foreign_key="txn.id", unique=True)  # the grant
    granted_by_id: int = Field(foreign_key="account.id")
    day: date  # instalment k is due on day + k
    principal: int
    total_due: int  # principal + interest
    instalments: int
    state: str = Field(default="open", index=True)  # open | cancelled | written_off
    written_off: int = 0
    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="account.id")


class LoanPaymentRow(SQLModel, table=True):
    """Which money entry paid which loan: an instalment (its number) or an early repayment (NULL)."""

    __tablename__ = "loan_payment"

    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="loan.id", index=True)
    money_entry_id: int = Field(foreign_key="money_entry.id", unique=True)
    instalment: int | None = None


class FundRow(SQLModel, table=True):
    """A pool for a shared goal; its money is on the account `account_id`."""

    __tablename__ = "fund"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", unique=True)
    name: str
    target: int
    deadline: date
    squad: str | None = None  # only this squad's students may contribute
    opened_by_id: int = Field(foreign_key="account.id")
    opened_at: datetime
    state: str = Field(default="open", index=True)  # open | spent | refunded | cancelled
    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="account.id")
    closing_transaction_id: int | None = Field(default=None, foreign_key="txn.id")


class CircleRow(SQLModel, table=True):
    """A savings circle: round i on start + i − 1 pays every member's contribution to member i."""

    __tablename__ = "circle"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    contribution: int
    start: date
    members: int
    created_by_id: int = Field(foreign_key="account.id")
    created_at: datetime
    voided_at: datetime | None = None
    voided_by_id: int | None = Field(default=None, foreign_key="account.id")


class CircleMemberRow(SQLModel, table=True):
    __tablename__ = "circle_member"
    __table_args__ = (UniqueConstraint("circle_id", "position"), UniqueConstraint("circle_id", "account_id"))

    id: int | None = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    position: int  # 1..members: the round that pays this member
    account_id: int = Field(foreign_key="account.id")
class TransactionHold(SQLModel, table=True):
    """Why a staff transaction waits for a second manager (four eyes); append-only, one per transaction."""

    __tablename__ = "txn_hold"

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="txn.id", unique=True)
    reasons: str  # JSON list of sentences, as the creator was told
    at: datetime


class Dispute(SQLModel, table=True):
    """A student's question about a transaction that concerns them (or a general one).

    Its words are in `dispute_message`; this row holds only the state, which a trigger lets move once:
    open -> resolved (naming the transaction that fixed it) or rejected (the reason is the last message)."""

    __tablename__ = "dispute"
    __table_args__ = (Index("ix_dispute_state_opened", "state", "opened_at"),)

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="account.id", index=True)
    transaction_id: int | None = Field(default=None, foreign_key="txn.id")
    opened_at: datetime
    state: str = "open"  # open | resolved | rejected
    closed_at: datetime | None = None
    closed_by: int | None = Field(default=None, foreign_key="account.id")
    fixed_by: int | None = Field(default=None, foreign_key="txn.id")  # the cancel or alter that fixed it


class DisputeMessage(SQLModel, table=True):
    """One message of a dispute's thread (the student's question first); append-only."""

    __tablename__ = "dispute_message"

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    author_id: int = Field(foreign_key="account.id")
    at: datetime
    text: str


def make_portable() -> None:
    """Every table's dates, times and booleans stored alike on SQLite and PostgreSQL (`portable_types`)."""
    from campbank.ledger.store.portable_types import make_portable as portable

    portable(SQLModel.metadata)

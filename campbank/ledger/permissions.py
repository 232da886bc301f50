"""Who may do what (docs/guarantees.md#permissions). Every ledger entry point checks here, whoever calls it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from campbank.core.enums import Role
from campbank.core.errors import PermissionDenied
from campbank.ledger.store.tables import Account


class Action(StrEnum):
    VIEW_OWN = "see their own balance and history"
    VIEW_STUDENTS = "see other students' balances and history"
    REQUEST_TRANSFER = "request a transfer"
    CREATE_STAFF_TRANSACTION = "create staff transactions"
    ALTER_OWN = "alter their own transactions"
    APPROVE_TRANSFERS = "approve or reject transfers"
    APPROVE_HELD = "approve or reject transactions waiting for a second manager"
    CANCEL_STUDENTS = "cancel students' transactions"
    CANCEL_ANY = "cancel other staff's transactions"
    ADD_FILES = "add shared files"
    READ_FILES = "read shared files"
    VIEW_REPORTS = "see market statistics and reports"
    VIEW_STAFF = "see staff balances and the table of all transactions"
    EXPORT = "export reports"
    MANAGE_USERS = "manage users"
    RUN_TAX = "run the tax"
    CHARGE_FINES = "charge study fines"
    LOAD_SEASON = "load season rules"
    VIEW_AUDIT = "see the audit log"
    KEEP_POCKETS = "keep pockets, repay their loan and contribute to funds"
    GRANT_LOANS = "grant loans"
    MANAGE_LOANS = "cancel or write off loans"
    MANAGE_FUNDS = "open, spend or cancel funds"
    MANAGE_CIRCLES = "set up or void savings circles"
    OPEN_DISPUTE = "open a dispute about their own account"
    ANSWER_DISPUTES = "answer and close students' disputes"


_STAFF = {
    Action.VIEW_OWN,
    Action.VIEW_STUDENTS,
    Action.CREATE_STAFF_TRANSACTION,
    Action.ALTER_OWN,
    Action.APPROVE_TRANSFERS,
    Action.CANCEL_STUDENTS,
    Action.ADD_FILES,
    Action.READ_FILES,
    Action.VIEW_REPORTS,
    Action.GRANT_LOANS,  # where the season lets staff grant them (loans.granted_by)
    Action.MANAGE_FUNDS,
    Action.ANSWER_DISPUTES,
}

ALLOWED: dict[Role, frozenset[Action]] = {
    Role.STUDENT: frozenset({Action.VIEW_OWN, Action.REQUEST_TRANSFER, Action.READ_FILES, Action.KEEP_POCKETS,
                             Action.OPEN_DISPUTE}),
    Role.STAFF: frozenset(_STAFF),
    Role.MANAGER: frozenset(Action) - {Action.KEEP_POCKETS},
}


@dataclass(frozen=True)
class Actor:
    """Someone signed in. The ledger re-reads the account on each call, so this is only an identity."""

    id: int
    username: str
    role: Role

    @classmethod
    def of(cls, account: Account) -> Actor:
        assert account.id is not None
        return cls(account.id, account.username, Role(account.role))


def allows(role: Role | str, action: Action) -> bool:
    return action in ALLOWED[Role(role)]


def require(account: Account, action: Action) -> None:
    """Refuse unless the (freshly read) account is active and its role allows the action."""
    if not account.active:
        raise PermissionDenied(f"{account.username} is deactivated")
    if not allows(account.role, action):
        raise PermissionDenied(f"a {account.role} may not {action.value}")


def may_view_account(viewer: Account, account: Account) -> bool:
    """Students see only themselves; staff see students and themselves; managers see everyone."""
    if viewer.id == account.id:
        return True
    if viewer.role == Role.MANAGER:
        return True
    if viewer.role == Role.STAFF:
        return account.role == Role.STUDENT
    return False

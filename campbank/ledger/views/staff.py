"""Staff balances (managers): what each staff member and manager has issued, and how many transactions.

Every money entry moves value from the creator to the receiver, so a staff balance goes negative as
they issue money: `net_issued` is minus the balance (positive when they gave out more than they took).
`issued` and `charged` split it into the positive and negative counted entries they created (both
non-negative); a staff member who received a p2p or general_money entry also has it in the balance.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from campbank.ledger.people import BANK, join_name
from campbank.ledger.permissions import Action, Actor
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import reports
from campbank.ledger.views.summaries import authorise


@dataclass(frozen=True)
class StaffLine:
    username: str
    full_name: str
    role: str
    active: bool
    balance: int
    issued: int
    charged: int
    transactions: int  # created, in any state
    processed: int  # of those, still counting

    @property
    def net_issued(self) -> int:
        return -self.balance


def staff_report(db: Database, viewer: Actor, *, include_bank: bool = False) -> tuple[StaffLine, ...]:
    """Managers first, then staff, by surname; the built-in bank (taxes, grants) only when asked, last."""
    with db.session() as session:
        return staff_report_in(session, viewer, include_bank=include_bank)


def staff_report_in(session: Session, viewer: Actor, *, include_bank: bool = False) -> tuple[StaffLine, ...]:
    authorise(session, viewer, Action.VIEW_STAFF)
    lines: list[StaffLine] = []
    bank: list[StaffLine] = []
    for row in reports.staff_totals(session):
        line = StaffLine(row.username, join_name(row.last_name, row.first_name, row.middle_name), row.role,
                         row.active, row.balance, row.issued, row.charged, row.transactions, row.processed)
        (bank if row.username == BANK else lines).append(line)
    return tuple(lines + (bank if include_bank else []))

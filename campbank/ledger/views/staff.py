"""Staff balances (managers): what each staff member and manager has issued, and how many transactions.

Every money entry moves value from the creator to the receiver, so a staff balance goes negative as
they issue money: `net_issued` is minus the balance (positive when they gave out more than they took).
`issued` and `charged` split it into the positive and negative counted entries they created (both
non-negative); a staff member who received a p2p or general_money entry also has it in the balance.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from campbank.ledger.people import BANK
from campbank.ledger.permissions import Action, Actor
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


_STAFF = text(
    """
    SELECT a.id, a.username, a.last_name, a.first_name, a.middle_name, a.role, a.active, a.balance,
           COALESCE(n.total, 0), COALESCE(n.processed, 0), COALESCE(f.issued, 0), COALESCE(f.charged, 0)
      FROM account a
      LEFT JOIN (SELECT creator_id, COUNT(*) AS total,
                        SUM(CASE WHEN state = 'processed' THEN 1 ELSE 0 END) AS processed
                   FROM txn GROUP BY creator_id) n ON n.creator_id = a.id
      LEFT JOIN (SELECT t.creator_id,
                        SUM(CASE WHEN m.amount > 0 THEN m.amount ELSE 0 END) AS issued,
                        SUM(CASE WHEN m.amount < 0 THEN -m.amount ELSE 0 END) AS charged
                   FROM money_entry m JOIN txn t ON t.id = m.transaction_id
                  WHERE t.state = 'processed' GROUP BY t.creator_id) f ON f.creator_id = a.id
     WHERE a.role IN ('staff', 'manager')
     ORDER BY CASE a.role WHEN 'manager' THEN 0 ELSE 1 END, a.last_name, a.first_name, a.username
    """
)


def staff_report(session: Session, viewer: Actor, *, include_bank: bool = False) -> tuple[StaffLine, ...]:
    """Managers first, then staff, by surname; the built-in bank (taxes, grants) only when asked, last."""
    authorise(session, viewer, Action.VIEW_STAFF)
    lines, bank = [], []
    for (_id, username, last, first, middle, role, active, balance, total, processed, issued,
         charged) in session.execute(_STAFF):
        line = StaffLine(username, " ".join(p for p in (last, first, middle) if p), role, bool(active),
                         int(balance), int(issued), int(charged), int(total), int(processed))
        (bank if username == BANK else lines).append(line)
    return tuple(lines + (bank if include_bank else []))

"""What a statement shows besides the main pocket, as it stood at the end of the closing date: each pocket's
balance and the open loan (docs/statements.md#what-a-page-holds, docs/savings.md).

A pocket's balance is the sum of its account's money journal rows whose transaction is dated on or before
the closing date, as the main pocket's closing balance is. A pocket is shown while it was open then (opened
by the end of the day, not yet closed), or whenever it held money then. The loan shown is the one with money
outstanding at the closing date: what was due, less the counted instalments and early repayments dated on or
before it; a loan written off by then is closed, and a cancelled one never counted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from campbank.ledger.store.queries.statements import JournalLine, LoanRow, PocketRow
from campbank.rules.savings import remaining_instalments, schedule


@dataclass(frozen=True)
class PocketBalance:
    name: str  # "savings", or the goal's name as the student typed it
    kind: str  # savings | goal
    target: int | None
    balance: int  # at the end of the closing date


@dataclass(frozen=True)
class LoanStanding:
    id: int
    day: date
    principal: int
    total_due: int
    instalments: int  # as granted
    outstanding: int  # at the end of the closing date
    instalments_left: int  # not charged by then, and not removed by early repayments


@dataclass(frozen=True)
class Holdings:
    """One student's pockets (each with its journal rows, in journal order) and loans, as read."""

    pockets: tuple[tuple[PocketRow, tuple[JournalLine, ...]], ...] = ()
    loans: tuple[LoanRow, ...] = ()

    def rows(self) -> list[JournalLine]:
        """Every pocket's journal rows, pocket after pocket: the code's digest covers them with the main's."""
        return [row for _, rows in self.pockets for row in rows]


def pockets_at(holdings: Holdings, last_day: date) -> tuple[PocketBalance, ...]:
    shown = []
    for pocket, rows in holdings.pockets:
        balance = sum(row.amount for row in rows if row.counter_type is None and row.day <= last_day)
        open_then = pocket.opened_at.date() <= last_day and (pocket.closed_at is None
                                                              or pocket.closed_at.date() > last_day)
        if open_then or balance:
            shown.append(PocketBalance(pocket.name, pocket.kind, pocket.target, balance))
    return tuple(shown)


def loan_at(loans: Sequence[LoanRow], last_day: date) -> LoanStanding | None:
    """The newest loan with money outstanding at the end of `last_day` (payments are already those dated by
    then), or None."""
    for loan in sorted(loans, key=lambda loan: loan.id, reverse=True):
        if loan.day > last_day or (loan.state == "written_off" and loan.closed_at is not None
                                   and loan.closed_at.date() <= last_day):
            continue
        paid = sum(p.amount for p in loan.payments)
        outstanding = loan.total_due - paid
        if outstanding <= 0:
            continue
        charged = {p.instalment for p in loan.payments if p.instalment is not None}
        repaid = sum(p.amount for p in loan.payments if p.instalment is None)
        left = remaining_instalments(schedule(loan.total_due, loan.instalments), repaid)
        instalments_left = sum(1 for k, amount in enumerate(left, start=1) if amount > 0 and k not in charged)
        return LoanStanding(loan.id, loan.day, loan.principal, loan.total_due, loan.instalments, outstanding,
                            instalments_left)
    return None


def coded(pockets: Sequence[PocketBalance], loan: LoanStanding | None) -> str:
    """The pockets and the loan as the verification code covers them: one unambiguous line of JSON (a goal's
    name may hold any printable character)."""
    return json.dumps({"pockets": [[p.kind, p.name, p.target, p.balance] for p in pockets],
                       "loan": None if loan is None else [loan.id, loan.total_due, loan.outstanding,
                                                          loan.instalments_left]},
                      ensure_ascii=True, separators=(",", ":"), sort_keys=True)

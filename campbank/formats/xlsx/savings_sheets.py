"""The report's sheets for savings and credit (docs/savings.md): Pockets, Loans, Funds and Circles, written
when the season has the part on or the camp has any of it, and the season's savings settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.workbook import Workbook

from campbank.core.money import format_amount
from campbank.core.season import Season
from campbank.formats.xlsx.sheet import MUTED, TOTAL, Column, Sheet, fit_widths
from campbank.ledger.views.savings import (
    CircleCard,
    FundLine,
    LoanCard,
    PocketLine,
    SavingsSnapshot,
)

POCKET_COLUMNS = (Column("Squad"), Column("Student"), Column("Username"), Column("Pocket"), Column("Kind"),
                  Column("Balance", "money"), Column("Target", "money"), Column("Open"))
LOAN_COLUMNS = (Column("Loan", "count"), Column("Borrower"), Column("Date", "date"), Column("Amount", "money"),
                Column("Due", "money"), Column("Instalments", "count"), Column("Paid", "money"),
                Column("Written off", "money"), Column("Outstanding", "money"), Column("Status"))
FUND_COLUMNS = (Column("Fund", "count"), Column("Name"), Column("Target", "money"), Column("Total", "money"),
                Column("Deadline", "date"), Column("Squad"), Column("Contributors", "count"), Column("State"))
CIRCLE_COLUMNS = (Column("Circle", "count"), Column("Name"), Column("Contribution", "money"), Column("Start", "date"),
                  Column("Members in round order"), Column("Rounds held", "count"), Column("Rounds", "count"),
                  Column("State"))


def savings_sheets(workbook: Workbook, season: Season, data: SavingsSnapshot) -> list[Sheet]:
    """The sheets of the parts the season has on, or that hold anything."""
    sheets = []
    if season.pockets.enabled or season.savings.enabled or data.pockets:
        sheets.append(_pockets(workbook, data.pockets))
    if season.loans.enabled or data.loans:
        sheets.append(_loans(workbook, data.loans))
    if season.funds.enabled or data.funds:
        sheets.append(_funds(workbook, data.funds))
    if season.circles.enabled or data.circles:
        sheets.append(_circles(workbook, data.circles))
    return sheets


def _pockets(workbook: Workbook, lines: Sequence[PocketLine]) -> Sheet:
    rows = [[p.squad or "", p.full_name, p.username, p.name, p.kind, p.balance, p.target,
             "yes" if p.open else "no"] for p in lines]
    sheet = Sheet(workbook, "Pockets", fit_widths(POCKET_COLUMNS, rows))
    for row, line in zip(rows, lines, strict=True):
        sheet.row(row, None if line.open else MUTED)
    sheet.filter_table()
    sheet.blank()
    sheet.row(["All", f"{len(lines)} pockets", None, None, None, sum(p.balance for p in lines), None, None], TOTAL)
    sheet.note("A student's balance is the main pocket plus these; tax, fines, purchases, transfers and loan "
               "instalments charge the main pocket only.", MUTED)
    return sheet


def _loans(workbook: Workbook, cards: Sequence[LoanCard]) -> Sheet:
    rows: list[list[Any]] = [
        [c.loan.id, c.loan.borrower, c.loan.day, c.loan.principal, c.loan.total_due, len(c.loan.schedule),
         c.loan.paid, c.loan.written_off, c.loan.outstanding, c.status] for c in cards]
    sheet = Sheet(workbook, "Loans", fit_widths(LOAN_COLUMNS, rows))
    for row in rows:
        sheet.row(row)
    sheet.filter_table()
    sheet.blank()
    sheet.row(["All", f"{len(cards)} loans", None, *(sum(int(r[i]) for r in rows) for i in (3, 4)), None,
               *(sum(int(r[i]) for r in rows) for i in (6, 7, 8)), None], TOTAL)
    sheet.note("Due = amount + interest. Due = paid + written off + outstanding. Written off: the bank's loss.",
               MUTED)
    return sheet


def _funds(workbook: Workbook, lines: Sequence[FundLine]) -> Sheet:
    rows = [[f.fund.id, f.fund.name, f.fund.target, f.fund.total, f.fund.deadline, f.fund.squad or "everyone",
             f.contributors, f.fund.state] for f in lines]
    sheet = Sheet(workbook, "Funds", fit_widths(FUND_COLUMNS, rows))
    for row in rows:
        sheet.row(row)
    sheet.filter_table()
    sheet.blank()
    sheet.note("Total: the money in the fund now (a spent or refunded fund holds nothing).", MUTED)
    return sheet


def _circles(workbook: Workbook, cards: Sequence[CircleCard]) -> Sheet:
    rows = [[c.circle.id, c.circle.name, c.circle.contribution, c.circle.start, ", ".join(c.circle.members), c.held,
             len(c.circle.members), "void" if c.voided else ("finished" if c.held == len(c.circle.members)
                                                             else "running")] for c in cards]
    sheet = Sheet(workbook, "Circles", fit_widths(CIRCLE_COLUMNS, rows))
    for row in rows:
        sheet.row(row)
    sheet.filter_table()
    sheet.blank()
    sheet.note("Round i pays every member's contribution to member i; a finished circle leaves everyone even.",
               MUTED)
    return sheet


def season_items(season: Season) -> list[tuple[str, str, object, str]]:
    """The savings-and-credit settings for the Season sheet: (label, kind, value, note)."""
    def on(enabled: bool) -> str:
        return "on" if enabled else "off"

    items: list[tuple[str, str, object, str]] = [
        ("Pockets", "text", on(season.pockets.enabled), f"up to {season.pockets.max_goals} goal pockets")]
    items.append(("Savings interest", "text", on(season.savings.enabled),
                  f"{season.savings.daily_rate_percent}% a day on at most "
                  f"{format_amount(season.savings.max_balance, '')}, rounded down"))
    items.append(("Loans", "text", on(season.loans.enabled),
                  f"granted by {season.loans.granted_by}; at most {format_amount(season.loans.max_amount, '')} in "
                  f"{season.loans.max_instalments} instalments; {season.loans.interest_percent}% interest"))
    items.append(("Funds", "text", on(season.funds.enabled),
                  f"targets up to {format_amount(season.funds.max_target, '')}"))
    items.append(("Savings circles", "text", on(season.circles.enabled),
                  f"up to {season.circles.max_members} members paying up to "
                  f"{format_amount(season.circles.max_contribution, '')} a round"))
    return items

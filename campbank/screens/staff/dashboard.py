"""The staff dashboard: the camp's money at a glance and the transfers waiting for approval."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import mean

from sqlmodel import func, select
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from campbank.ledger.models import State, Transaction
from campbank.ledger.money import format_amount
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, require
from campbank.ledger.queries import balances
from campbank.widgets.pane import Pane


@dataclass(frozen=True)
class Glance:
    students: int
    total: int
    mean: int
    danger: int
    warning: int
    pending: int


class DashboardPane(Pane):
    SECTION_ID = "dashboard"
    SECTION_TITLE = "Dashboard"

    DEFAULT_CSS = """
    DashboardPane .card {
        border: round $panel;
        padding: 0 1;
        width: 1fr;
        height: 5;
    }
    DashboardPane .card.danger { border: round $error; }
    DashboardPane .card.warning { border: round $warning; }
    DashboardPane .card.pending { border: round $accent; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Dashboard", classes="pane-title")
        with Horizontal(id="cards"):
            for card in ("total", "mean", "danger", "warning", "pending"):
                yield Static("…", id=f"card-{card}", classes=f"card {card}")

    def reload(self) -> None:
        self.fetch(self._glance, self._show)

    def _glance(self) -> Glance:
        season = self.campbank.season
        with self.db.session() as session:
            require(acting_account(session, self.actor), Action.VIEW_REPORTS)
            rows = [r for r in balances(session) if r.active]
            pending = session.exec(
                select(func.count()).select_from(Transaction).where(Transaction.type == "p2p")
                .where(Transaction.state == State.CREATED)
            ).one()
        money = [r.balance for r in rows]
        danger = sum(1 for m in money if m <= season.balance_danger)
        warning = sum(1 for m in money if season.balance_danger < m < season.balance_warning)
        return Glance(len(rows), sum(money), round(mean(money)) if money else 0, danger, warning, pending)

    def _show(self, glance: Glance) -> None:
        sign = self.campbank.season.currency_sign
        self.query_one("#card-total", Static).update(
            f"[b]{format_amount(glance.total, sign)}[/b]\nstudent money ({glance.students} students)")
        self.query_one("#card-mean", Static).update(f"[b]{format_amount(glance.mean, sign)}[/b]\nmean balance")
        self.query_one("#card-danger", Static).update(f"[b]{glance.danger}[/b]\nin danger (≤ 0)")
        self.query_one("#card-warning", Static).update(f"[b]{glance.warning}[/b]\nwarning")
        self.query_one("#card-pending", Static).update(f"[b]{glance.pending}[/b]\ntransfers waiting")

"""The sections of the office screen, in menu order, and who sees each (the ledger refuses the rest)."""

from __future__ import annotations

from campbank.core.season import Season
from campbank.screens.disputes.queue import DisputesPane
from campbank.screens.manager.audit import AuditPane
from campbank.screens.manager.charges import ChargesPane
from campbank.screens.manager.export import ExportPane
from campbank.screens.manager.loans import LoansPane
from campbank.screens.manager.policy_try import PolicyTryPane
from campbank.screens.manager.staff import StaffPane
from campbank.screens.manager.transactions import TransactionsPane
from campbank.screens.manager.users import UsersPane
from campbank.screens.staff.announcements import AnnouncementsPane
from campbank.screens.staff.approvals import ApprovalsPane
from campbank.screens.staff.dashboard import DashboardPane
from campbank.screens.staff.economy import EconomyPane
from campbank.screens.staff.files import FilesPane
from campbank.screens.staff.funds_circles import FundsCirclesPane
from campbank.screens.staff.my_transactions import MyTransactionsPane
from campbank.screens.staff.new_transaction import NewTransactionPane
from campbank.screens.staff.reports import ReportsPane
from campbank.screens.staff.statistics import StatisticsPane
from campbank.screens.staff.students import StudentsPane
from campbank.widgets.pane import Pane

# Each pane declares its own id, title and the roles that see it.
SECTIONS: tuple[type[Pane], ...] = (
    DashboardPane,
    NewTransactionPane,
    StudentsPane,
    MyTransactionsPane,
    ApprovalsPane,
    DisputesPane,
    StatisticsPane,
    EconomyPane,
    ReportsPane,
    LoansPane,
    FundsCirclesPane,
    TransactionsPane,
    StaffPane,
    UsersPane,
    ChargesPane,
    PolicyTryPane,
    AuditPane,
    ExportPane,
    FilesPane,
    AnnouncementsPane,
)


def panes_for(role: str, season: Season | None = None) -> list[type[Pane]]:
    """The sections `role` sees; with a season, those of savings and credit only where it has them on."""
    return [pane for pane in SECTIONS if role in pane.ROLES
            and (season is None or not pane.PARTS or any(getattr(season, part).enabled for part in pane.PARTS))]

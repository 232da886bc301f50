"""The sections of the office screen, in menu order, and who sees each (the ledger refuses the rest)."""

from __future__ import annotations

from importlib import import_module

from campbank.widgets.pane import Pane

# "module:Class" of each section pane; a pane declares its own id, title and roles.
SECTIONS: tuple[str, ...] = (
    "campbank.screens.staff.dashboard:DashboardPane",
    "campbank.screens.staff.new_transaction:NewTransactionPane",
    "campbank.screens.staff.students:StudentsPane",
    "campbank.screens.staff.my_transactions:MyTransactionsPane",
    "campbank.screens.staff.approvals:ApprovalsPane",
    "campbank.screens.staff.statistics:StatisticsPane",
    "campbank.screens.staff.reports:ReportsPane",
    "campbank.screens.manager.transactions:TransactionsPane",
    "campbank.screens.manager.staff:StaffPane",
    "campbank.screens.manager.users:UsersPane",
    "campbank.screens.manager.charges:ChargesPane",
    "campbank.screens.manager.audit:AuditPane",
    "campbank.screens.manager.export:ExportPane",
    "campbank.screens.staff.files:FilesPane",
    "campbank.screens.staff.announcements:AnnouncementsPane",
)


def panes_for(role: str) -> list[type[Pane]]:
    panes = []
    for spec in SECTIONS:
        module, _, name = spec.partition(":")
        pane: type[Pane] = getattr(import_module(module), name)
        if role in pane.ROLES:
            panes.append(pane)
    return panes

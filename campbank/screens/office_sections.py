"""The sections of the office screen, in menu order: each one's id, title, who sees it (the ledger refuses
the rest anyway) and the season parts it needs, and the pane that shows it.

A pane's code (with the ledger calls and widgets it brings) is loaded the first time its section is
opened: a manager's twenty sections are 200 modules, a third of a second at sign-in and 5 MB of every
browser session, and most are never opened in a session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from campbank.core.season import Season
from campbank.widgets.pane import Pane

STAFF = frozenset({"staff", "manager"})
MANAGERS = frozenset({"manager"})


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    pane: Callable[[], type[Pane]]  # imports the pane's module
    roles: frozenset[str] = STAFF
    parts: tuple[str, ...] = ()  # season parts (e.g. "loans") of which one must be on for it to show

    def make(self) -> Pane:
        pane = self.pane()(id=self.id)
        pane.section_title = self.title
        return pane


def _dashboard() -> type[Pane]:
    from campbank.screens.staff.dashboard import DashboardPane
    return DashboardPane


def _new_transaction() -> type[Pane]:
    from campbank.screens.staff.new_transaction import NewTransactionPane
    return NewTransactionPane


def _students() -> type[Pane]:
    from campbank.screens.staff.students import StudentsPane
    return StudentsPane


def _my_transactions() -> type[Pane]:
    from campbank.screens.staff.my_transactions import MyTransactionsPane
    return MyTransactionsPane


def _approvals() -> type[Pane]:
    from campbank.screens.staff.approvals import ApprovalsPane
    return ApprovalsPane


def _disputes() -> type[Pane]:
    from campbank.screens.disputes.queue import DisputesPane
    return DisputesPane


def _statistics() -> type[Pane]:
    from campbank.screens.staff.statistics import StatisticsPane
    return StatisticsPane


def _economy() -> type[Pane]:
    from campbank.screens.staff.economy import EconomyPane
    return EconomyPane


def _reports() -> type[Pane]:
    from campbank.screens.staff.reports import ReportsPane
    return ReportsPane


def _loans() -> type[Pane]:
    from campbank.screens.manager.loans import LoansPane
    return LoansPane


def _funds_circles() -> type[Pane]:
    from campbank.screens.staff.funds_circles import FundsCirclesPane
    return FundsCirclesPane


def _transactions() -> type[Pane]:
    from campbank.screens.manager.transactions import TransactionsPane
    return TransactionsPane


def _staff() -> type[Pane]:
    from campbank.screens.manager.staff import StaffPane
    return StaffPane


def _users() -> type[Pane]:
    from campbank.screens.manager.users import UsersPane
    return UsersPane


def _charges() -> type[Pane]:
    from campbank.screens.manager.charges import ChargesPane
    return ChargesPane


def _policy_try() -> type[Pane]:
    from campbank.screens.manager.policy_try import PolicyTryPane
    return PolicyTryPane


def _audit() -> type[Pane]:
    from campbank.screens.manager.audit import AuditPane
    return AuditPane


def _export() -> type[Pane]:
    from campbank.screens.manager.export import ExportPane
    return ExportPane


def _files() -> type[Pane]:
    from campbank.screens.staff.files import FilesPane
    return FilesPane


def _announcements() -> type[Pane]:
    from campbank.screens.staff.announcements import AnnouncementsPane
    return AnnouncementsPane


SECTIONS: tuple[Section, ...] = (
    Section("dashboard", "Dashboard", _dashboard),
    Section("new-transaction", "New transaction", _new_transaction),
    Section("students", "Students", _students),
    Section("my-transactions", "My transactions", _my_transactions),
    Section("approvals", "Approvals", _approvals),
    Section("disputes", "Disputes", _disputes),
    Section("statistics", "Market statistics", _statistics),
    Section("economy", "Economy", _economy),
    Section("reports", "Squad reports", _reports),
    Section("loans", "Loans", _loans, parts=("loans",)),
    Section("funds-circles", "Funds and circles", _funds_circles, parts=("funds", "circles")),
    Section("transactions", "All transactions", _transactions, MANAGERS),
    Section("staff-balances", "Staff balances", _staff, MANAGERS),
    Section("users", "Users", _users, MANAGERS),
    Section("charges", "Tax and fines", _charges, MANAGERS),
    Section("policy-try", "Policy dry-run", _policy_try, MANAGERS),
    Section("audit", "Audit log", _audit, MANAGERS),
    Section("export", "Export", _export, MANAGERS),
    Section("files", "Files", _files),
    Section("announcements", "Announcements", _announcements),
)


def sections_for(role: str, season: Season | None = None) -> list[Section]:
    """The sections `role` sees; with a season, those of savings and credit only where it has them on."""
    return [section for section in SECTIONS if role in section.roles
            and (season is None or not section.parts
                 or any(getattr(season, part).enabled for part in section.parts))]

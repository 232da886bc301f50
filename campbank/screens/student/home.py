"""A student's own screen (office and kiosk): balance, programme, history, transfers, and the savings and
credit the season switches on (pockets, loans, funds, circles)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, TabbedContent, TabPane

from campbank.screens.disputes.student import MyDisputesView
from campbank.screens.student.circles import CirclesView
from campbank.screens.student.funds import FundsView
from campbank.screens.student.history import HistoryView
from campbank.screens.student.loans import LoansView
from campbank.screens.student.overview import Overview
from campbank.screens.student.pockets import PocketsView
from campbank.screens.student.transfer import TransferView
from campbank.widgets.file_browser import FileBrowser
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.ledger_work import LedgerWork


class StudentScreen(LedgerWork, Screen[None]):
    BINDINGS = [
        Binding("f5", "reload", "Refresh", id="refresh"),
        Binding("escape", "app.logout", "Done (sign out)", id="done"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="student-tabs"):
            with TabPane("My bank", id="tab-overview"):
                yield Overview()
            with TabPane("History", id="tab-history"):
                yield HistoryView()
            with TabPane("Send", id="tab-transfer"):
                yield TransferView()
            season = self.campbank.season
            if season.pockets.enabled or season.savings.enabled:
                with TabPane("Pockets", id="tab-pockets"):
                    yield PocketsView()
            if season.loans.enabled:
                with TabPane("Loans", id="tab-loans"):
                    yield LoansView()
            if season.funds.enabled:
                with TabPane("Funds", id="tab-funds"):
                    yield FundsView()
            if season.circles.enabled:
                with TabPane("Circles", id="tab-circles"):
                    yield CirclesView()
            with TabPane("Disputes", id="tab-disputes"):
                yield MyDisputesView()
            with TabPane("Files", id="tab-files"):
                yield FileBrowser(id="student-files")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = self.actor.username

    def action_reload(self) -> None:
        for view in self.query("Overview, HistoryView, TransferView, PocketsView, LoansView, FundsView, "
                               "CirclesView, MyDisputesView, FileBrowser"):
            view.reload()  # type: ignore[attr-defined]

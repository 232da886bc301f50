"""A student's own screen (office and kiosk): balance, programme, history, transfers, and the savings and
credit the season switches on (pockets, loans, funds, circles)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, TabbedContent, TabPane

from campbank.screens.disputes.student import MyDisputesView
from campbank.screens.student.circles import CirclesView
from campbank.screens.student.funds import FundsView
from campbank.screens.student.history import HistoryView
from campbank.screens.student.loans import LoansView
from campbank.screens.student.overview import Overview
from campbank.screens.student.pockets import PocketsView
from campbank.screens.student.transfer import TransferView
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.ledger_work import LedgerWork


class StudentScreen(LedgerWork, Screen[None]):
    BINDINGS = [
        Binding("f5", "reload", "Refresh", id="refresh"),
        Binding("escape", "app.logout", "Done (sign out)", id="done"),
    ]

    def compose(self) -> ComposeResult:
        # The first tab's view is made now, every other one the first time its tab opens: most visits to
        # the kiosk never leave "My bank" (on a 10,000-student camp the other views took 17 MB at sign-in).
        tabs = self._tabs()
        self._views = {tab_id: view for tab_id, _title, view in tabs}
        yield Header()
        with TabbedContent(id="student-tabs"):
            for tab_id, title, view in tabs:
                with TabPane(title, id=tab_id):
                    if tab_id == "tab-overview":
                        yield view()
        yield KeyFooter()

    def _tabs(self) -> list[tuple[str, str, Callable[[], Widget]]]:
        """(id, title, the view's maker) of each tab this season shows, in order."""
        season = self.campbank.season
        tabs: list[tuple[str, str, Callable[[], Widget]]] = [
            ("tab-overview", "My bank", Overview), ("tab-history", "History", HistoryView),
            ("tab-transfer", "Send", TransferView)]
        if season.pockets.enabled or season.savings.enabled:
            tabs.append(("tab-pockets", "Pockets", PocketsView))
        if season.loans.enabled:
            tabs.append(("tab-loans", "Loans", LoansView))
        if season.funds.enabled:
            tabs.append(("tab-funds", "Funds", FundsView))
        if season.circles.enabled:
            tabs.append(("tab-circles", "Circles", CirclesView))
        return [*tabs, ("tab-disputes", "Disputes", MyDisputesView),
                ("tab-files", "Files", _file_browser)]

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "student-tabs" and not event.pane.children and event.pane.id in self._views:
            event.pane.mount(self._views[event.pane.id]())

    def on_mount(self) -> None:
        self.sub_title = self.actor.username

    def action_reload(self) -> None:
        for view in self.query("Overview, HistoryView, TransferView, PocketsView, LoansView, FundsView, "
                               "CirclesView, MyDisputesView, FileBrowser"):
            view.reload()  # type: ignore[attr-defined]


def _file_browser() -> Widget:
    from campbank.widgets.file_browser import FileBrowser  # with the Markdown viewer: loaded when opened

    return FileBrowser(id="student-files")

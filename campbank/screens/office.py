"""The office home for staff and managers: a menu of sections on the left, the chosen one on the right."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Header, OptionList
from textual.widgets.option_list import Option

from campbank.screens.office_sections import panes_for
from campbank.screens.staff.new_transaction import NewTransactionPane, staff_types
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.pane import Pane


class OfficeScreen(LedgerWork, Screen[None]):
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """Textual's, without painting the whole screen again at each focus move: the widgets that gain and
    lose the focus paint themselves again, and the rest look the same (30-40 ms of drawing a Tab)."""
    BINDINGS = [
        Binding("f5", "reload", "Refresh", id="refresh"),
        Binding("ctrl+o", "focus_menu", "Menu", id="menu"),
        Binding("ctrl+b", "toggle_menu", "Hide menu", id="toggle-menu"),
    ]
    DEFAULT_CSS = """
    OfficeScreen #menu {
        width: 24;
        height: 1fr;
        border-right: vkey $panel;
    }
    OfficeScreen ContentSwitcher {
        width: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        panes = panes_for(self.actor.role, self.campbank.season)
        yield Header()
        with Horizontal():
            yield OptionList(*[Option(p.SECTION_TITLE, id=p.SECTION_ID) for p in panes], id="menu")
            with ContentSwitcher(initial=panes[0].SECTION_ID if panes else None):
                for pane in panes:
                    section = pane(id=pane.SECTION_ID)
                    # hidden from the start, not only once the switcher is mounted: a change to the ledger
                    # noticed while the office mounts (the sign-in's own audit row) reloads what is shown,
                    # where it reloaded every section of the office at once
                    section.display = pane is panes[0]
                    yield section
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"{self.actor.username} ({self.actor.role})"
        self.query_one("#menu", OptionList).highlighted = 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "menu" and event.option.id:
            switcher = self.query_one(ContentSwitcher)
            pane = switcher.get_child_by_id(event.option.id, Pane)
            if not pane.display:
                pane.read_ahead()
            switcher.current = event.option.id

    def sections(self) -> list[tuple[str, str]]:
        """(id, title) of each section this person sees, in menu order."""
        return [(p.SECTION_ID, p.SECTION_TITLE) for p in panes_for(self.actor.role, self.campbank.season)]

    def show_section(self, section_id: str) -> None:
        menu = self.query_one("#menu", OptionList)
        menu.highlighted = menu.get_option_index(section_id)

    def action_reload(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        if switcher.visible_content is not None:
            switcher.visible_content.reload()  # type: ignore[attr-defined]

    def action_focus_menu(self) -> None:
        menu = self.query_one("#menu", OptionList)
        menu.display = True
        menu.focus()

    def action_toggle_menu(self) -> None:
        """Give the section the whole width on a narrow terminal (ctrl+o brings the menu back)."""
        menu = self.query_one("#menu", OptionList)
        menu.display = not menu.display

    # -- the command palette's daily work ---------------------------------------------------------

    def daily_commands(self) -> Iterator[SystemCommand]:
        """Palette entries for the daily work: a new transaction of each type, find a student, run the tax."""
        ids = {section_id for section_id, _ in self.sections()}
        if "new-transaction" in ids:
            for rule in staff_types():
                yield SystemCommand(f"New {rule.label.lower()}", f"Open a blank {rule.label.lower()} form",
                                    lambda rule_type=rule.type: self.new_transaction(rule_type))
        if "students" in ids:
            yield SystemCommand("Find student", "Search the students by name or username", self.find_student)
        if "charges" in ids:
            yield SystemCommand("Run tax", "Charge today's tax (asks first; the database is backed up)",
                                self.run_tax)

    def new_transaction(self, rule_type: str) -> None:
        self.show_section("new-transaction")
        self.query_one(NewTransactionPane).open_form(rule_type)

    def find_student(self) -> None:
        self.show_section("students")
        self.call_after_refresh(lambda: self.query_one("#students-search").focus())

    def run_tax(self) -> None:
        from textual.widgets import TabbedContent

        from campbank.screens.manager.charges_tax import TaxPanel

        self.show_section("charges")
        self.query_one("#charges-tabs", TabbedContent).active = "charges-tax"
        self.query_one(TaxPanel).ask_run(None, None)

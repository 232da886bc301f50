"""The office home for staff and managers: a menu of sections on the left, the chosen one on the right."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import ComposeResult, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Header, OptionList
from textual.widgets.option_list import Option

from campbank.screens.office_sections import Section, sections_for
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
        sections = sections_for(self.actor.role, self.campbank.season)
        # Only the first section is made now; each other one (and its code) the first time it is chosen (a
        # manager's twenty sections took a second of the sign-in to make, most of them never opened).
        self._sections: dict[str, Section] = {section.id: section for section in sections}
        self._being_made: dict[str, AwaitComplete] = {}
        yield Header()
        with Horizontal():
            yield OptionList(*[Option(section.title, id=section.id) for section in sections], id="menu")
            with ContentSwitcher(initial=sections[0].id if sections else None):
                if sections:
                    yield sections[0].make()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"{self.actor.username} ({self.actor.role})"
        self.query_one("#menu", OptionList).highlighted = 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "menu" and event.option.id:
            self._switch_to(event.option.id)

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a section (the arrows only show it) goes into it: the focus moves to its first field."""
        if event.option_list.id != "menu" or not event.option.id:
            return
        await self._switch_to(event.option.id)
        menu = self.query_one("#menu", OptionList)
        if self.focused is menu and menu.highlighted_option is event.option:
            self.focus_next()

    def _switch_to(self, section_id: str) -> AwaitComplete:
        """Show the section, making it first if it was never shown; the awaitable ends once it is shown."""
        switcher = self.query_one(ContentSwitcher)
        being_made = self._being_made.get(section_id)
        if being_made is not None and not being_made.is_done:
            return being_made  # it shows once mounted, if it is still the one chosen then
        made = [child for child in switcher.children if child.id == section_id]
        if not made:
            self._being_made[section_id] = AwaitComplete(self._make(section_id))
            return self._being_made[section_id]
        pane = made[0]
        if isinstance(pane, Pane) and not pane.display:
            pane.read_ahead()
        switcher.current = section_id
        return AwaitComplete.nothing()

    async def _make(self, section_id: str) -> None:
        switcher = self.query_one(ContentSwitcher)
        await switcher.add_content(self._sections[section_id].make())
        menu = self.query_one("#menu", OptionList)
        if menu.highlighted_option is not None and menu.highlighted_option.id == section_id:
            switcher.current = section_id  # nothing else was chosen while it was being made

    async def open_section(self, section_id: str) -> Pane:
        """Show a section (the menu follows) and return it once it is mounted."""
        self.show_section(section_id)
        await self._switch_to(section_id)
        return self.query_one(ContentSwitcher).get_child_by_id(section_id, Pane)

    def sections(self) -> list[tuple[str, str]]:
        """(id, title) of each section in the menu, in its order."""
        return [(section.id, section.title) for section in self._sections.values()]

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
            from campbank.screens.staff.new_transaction import staff_types

            for rule in staff_types():
                yield SystemCommand(f"New {rule.label.lower()}", f"Open a blank {rule.label.lower()} form",
                                    lambda rule_type=rule.type: self.new_transaction(rule_type))
        if "students" in ids:
            yield SystemCommand("Find student", "Search the students by name or username", self.find_student)
        if "charges" in ids:
            yield SystemCommand("Run tax", "Charge today's tax (asks first; the database is backed up)",
                                self.run_tax)

    # Each runs once its section is made and shown (`call_later`: the palette's callbacks are plain calls).

    def new_transaction(self, rule_type: str) -> None:
        async def open_form() -> None:
            from campbank.screens.staff.new_transaction import NewTransactionPane

            await self.open_section("new-transaction")
            self.query_one(NewTransactionPane).open_form(rule_type)

        self.call_later(open_form)

    def find_student(self) -> None:
        async def search() -> None:
            await self.open_section("students")
            self.call_after_refresh(lambda: self.query_one("#students-search").focus())

        self.call_later(search)

    def run_tax(self) -> None:
        async def ask() -> None:
            from textual.widgets import TabbedContent

            from campbank.screens.manager.charges_tax import TaxPanel

            await self.open_section("charges")
            self.query_one("#charges-tabs", TabbedContent).active = "charges-tax"
            self.query_one(TaxPanel).ask_run(None, None)

        self.call_later(ask)

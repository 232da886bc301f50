"""Office section "New transaction": pick a type (type part of its name, Enter), then fill its form.

Every type staff may create is offered: the registry without the system-only ones and students' p2p.
The form is `TransactionFormScreen`; "Posted #N" shows here when it comes back.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from campbank.ledger.actions.posting import Posted
from campbank.rules import REGISTRY
from campbank.rules.base import Rule
from campbank.screens.staff.transaction_form import TransactionFormScreen
from campbank.widgets.literal import assemble, literal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.pane import Pane


def staff_types() -> list[Rule]:
    """The types a staff form may create, in the registry's order."""
    return [rule for rule in REGISTRY.values() if not rule.system_only and "staff" in rule.creator_roles]


def matches(rule: Rule, text: str) -> bool:
    words = text.casefold().split()
    haystack = f"{rule.label} {rule.type}".casefold().replace("_", " ")
    return all(word in haystack or word in rule.type for word in words)


class NewTransactionPane(Pane):

    BINDINGS = [Binding("down", "into_list", "Types", id="types-down", show=False)]
    DEFAULT_CSS = """
    NewTransactionPane #type-filter { width: 48; margin: 0 0 1 0; }
    NewTransactionPane #types { height: auto; max-height: 1fr; max-width: 70; }
    NewTransactionPane #last-posted { color: $success; height: auto; padding: 1 0 0 0; }
    NewTransactionPane #last-posted.waits { color: $warning; }
    """

    def compose(self) -> ComposeResult:
        yield Static("New transaction", classes="pane-title")
        yield LiteralInput(placeholder="type part of a name, Enter", id="type-filter")
        yield OptionList(id="types")
        yield Static("", id="last-posted")

    def on_mount(self) -> None:
        self._fill("")

    def reload(self) -> None:
        """Nothing to fetch: the types come from the rules."""

    def _fill(self, text: str) -> None:
        options = self.query_one("#types", OptionList)
        options.clear_options()
        shown = [rule for rule in staff_types() if matches(rule, text)]
        options.add_options([Option(assemble(rule.label, "  ", (rule.type, "dim")), id=rule.type) for rule in shown])
        if shown:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "type-filter":
            self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "type-filter":
            return
        # The filter's own text decides, not the list (keys typed fast may arrive before it is redrawn).
        shown = [rule for rule in staff_types() if matches(rule, event.value)]
        if not shown:
            self.app.bell()
            return
        options = self.query_one("#types", OptionList)
        highlighted = options.get_option_at_index(options.highlighted) if options.highlighted is not None else None
        ids = [rule.type for rule in shown]
        self.open_form(highlighted.id if highlighted is not None and highlighted.id in ids else ids[0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "types" and event.option.id:
            event.stop()
            self.open_form(event.option.id)

    def on_key(self, event: events.Key) -> None:
        """Letters typed on the list of types go to the filter: "Tab, exam, Enter" opens the exam."""
        types = self.query_one("#types", OptionList)
        char = event.character or ""
        if self.app.focused is types and len(char) == 1 and char.isprintable() and not char.isspace():
            event.stop()
            event.prevent_default()
            filter_box = self.query_one("#type-filter", Input)
            # at once, not on the loop's next turn: in a burst ("\texam\r" from a macro or a fast typist) the
            # next letters and the Enter are already queued, and must reach the box, not the list
            self.screen.set_focus(filter_box)
            filter_box.insert_text_at_cursor(char)

    def action_into_list(self) -> None:
        self.query_one("#types", OptionList).focus()

    def open_form(self, rule_type: str) -> None:
        self.app.push_screen(TransactionFormScreen(rule_type), self._back)

    def _back(self, posted: Posted | None) -> None:
        if posted is not None:
            last = self.query_one("#last-posted", Static)
            last.set_class(bool(posted.waits), "waits")
            last.update(literal(f"Posted #{posted.id}: {posted.summary(self.campbank.season.currency_sign)}"))
        self.start_over()

    def start_over(self) -> None:
        """The same place every time the section is come back to: an empty filter, focused, on the first type."""
        filter_box = self.query_one("#type-filter", Input)
        filter_box.value = ""
        self._fill("")
        filter_box.focus()

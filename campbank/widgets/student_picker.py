"""Pick one student by typing part of their name or username; ↓ into the matches, Enter picks.

The picker is given the students (it fetches nothing) and posts `StudentPicker.Picked` when one is
chosen; `value` is the chosen username, or None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from campbank.widgets.literal import literal
from campbank.widgets.literal_input import LiteralInput

MAX_SHOWN = 8


@dataclass(frozen=True)
class Choice:
    username: str
    full_name: str
    squad: str | None = None

    def describe(self) -> str:
        return f"{self.full_name} ({self.username}{', ' + self.squad if self.squad else ''})"


def matching(choices: Sequence[Choice], text: str) -> list[Choice]:
    """Students whose name or username contains every word typed, surname-start matches first."""
    words = text.casefold().split()
    if not words:
        return []
    found = [c for c in choices
             if all(w in c.full_name.casefold() or w in c.username.casefold() for w in words)]
    return sorted(found, key=lambda c: (not c.full_name.casefold().startswith(words[0]), c.full_name))


class StudentPicker(Vertical):
    BINDINGS = [Binding("down", "into_matches", "Matches", id="picker-matches", show=False)]
    DEFAULT_CSS = """
    StudentPicker { height: auto; }
    StudentPicker Input { width: 1fr; }
    StudentPicker OptionList { height: auto; max-height: 8; display: none; }
    StudentPicker OptionList.open { display: block; }
    StudentPicker .picked { color: $success; height: 1; }
    StudentPicker .picked.none { color: $text-muted; }
    """

    value: reactive[str | None] = reactive(None, init=False)
    """The chosen student's username, or None while nobody is chosen."""

    class Picked(Message):
        """The choice changed; `chosen` is True when a person picked from the matches (not code, not typing)."""

        def __init__(self, picker: StudentPicker, username: str | None, chosen: bool = False) -> None:
            super().__init__()
            self.picker = picker
            self.username = username
            self.chosen = chosen

        @property
        def control(self) -> StudentPicker:
            return self.picker

    def __init__(self, choices: Sequence[Choice] = (), *, placeholder: str = "type part of a name",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices = list(choices)
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield LiteralInput(placeholder=self.placeholder, compact=True)
        yield OptionList()
        yield Static("nobody chosen", classes="picked none")

    def set_choices(self, choices: Sequence[Choice]) -> None:
        self.choices = list(choices)
        if self.value is not None:
            self._show_picked(self.value)

    def pick(self, username: str | None) -> None:
        """Choose a student from code (pre-filling a form)."""
        self.value = username
        self._set_text(username or "")

    def watch_value(self, username: str | None) -> None:
        self._show_picked(username)
        self.post_message(self.Picked(self, username))

    def focus(self, scroll_visible: bool = True) -> StudentPicker:
        self.query_one(Input).focus(scroll_visible)
        return self

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        options = self.query_one(OptionList)
        found = matching(self.choices, event.value)
        options.clear_options()
        options.add_options([Option(literal(c.describe()), id=c.username) for c in found[:MAX_SHOWN]])
        if len(found) > MAX_SHOWN:
            options.add_option(Option(f"… {len(found) - MAX_SHOWN} more: type more of the name", disabled=True))
        options.set_class(bool(found), "open")
        if found:
            options.highlighted = 0
        exact = [c for c in self.choices if c.username == event.value.strip()]
        if exact:
            self.value = exact[0].username
        elif self.value is not None:
            self.value = None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the box picks the first match and moves on."""
        event.stop()
        options = self.query_one(OptionList)
        if options.option_count and options.has_class("open"):
            option = options.get_option_at_index(options.highlighted or 0)
            if option.id:
                self._choose(option.id)
                return
        self.app.bell()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self._choose(event.option.id)

    def action_into_matches(self) -> None:
        options = self.query_one(OptionList)
        if options.has_class("open"):
            options.focus()

    def _choose(self, username: str) -> None:
        self.value = username
        self.post_message(self.Picked(self, username, chosen=True))
        self._set_text(username)
        self.screen.focus_next()

    def _set_text(self, text: str) -> None:
        box = self.query_one(Input)
        with box.prevent(Input.Changed):
            box.value = text
        self._close()

    def _close(self) -> None:
        self.query_one(OptionList).remove_class("open")

    def _show_picked(self, username: str | None) -> None:
        label = self.query_one(".picked", Static)
        chosen = next((c for c in self.choices if c.username == username), None)
        if username is None:
            label.update("nobody chosen")
        elif chosen is None:
            label.update(literal(f"{username} (not a student on the list)"))
        else:
            label.update(literal(f"✔ {chosen.describe()}"))
        label.set_class(username is None, "none")

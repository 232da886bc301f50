"""The filter of the all-transactions table: text, type, state, creator, receiver and the days from / to
(a form above the table)."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from campbank.core.enums import State
from campbank.ledger.views.transactions import TransactionFilter
from campbank.widgets.literal import literal
from campbank.widgets.literal_input import LiteralInput

DAY_KEYS = r"[0-9-]*"


class FilterInput(LiteralInput):
    """A box of the filter form. Enter and Esc act as the key arrives, not once it has gone up to the app's
    bindings and back, so that keys typed right after them are already for the table (`waiting`)."""

    async def _on_key(self, event: events.Key) -> None:
        # Textual then calls Input's own `_on_key`, unless the default is prevented here
        form = next(node for node in self.ancestors if isinstance(node, TransactionFilterForm))
        if form.waiting:
            form.on_key(event)
        elif event.key in ("enter", "escape"):
            event.stop()
            event.prevent_default()
            if event.key == "enter":
                form.action_apply()
            else:
                form.action_back()


class TransactionFilterForm(Vertical):
    """Shown above the table by `/`: Enter applies what is filled in (all empty: no filter), Ctrl+R clears
    it all, Esc keeps the filter as it was. Posts `Chosen` either way; the table then closes the form.

    It is part of the section rather than a dialog: the table is filtered without a screen being closed and
    the whole office drawn again."""

    BINDINGS = [
        Binding("escape", "back", "Keep the filter", id="filter-cancel"),
        Binding("ctrl+r", "clear", "Clear all", id="filter-clear"),
    ]
    DEFAULT_CSS = """
    TransactionFilterForm {
        display: none; height: auto; border: round $accent; border-title-color: $accent; padding: 0 1;
        background: $panel;
        /* over the top of the table rather than pushing it down: the table keeps its size, so showing and
           hiding the form costs no second layout pass for the table's scrollbars */
        position: absolute; offset: 0 2; layer: above;
    }
    TransactionFilterForm Grid {
        grid-size: 4; grid-columns: 9 1fr 9 1fr; grid-rows: 1; grid-gutter: 0 1; height: auto;
    }
    TransactionFilterForm #f-problem { color: $error; height: auto; }
    TransactionFilterForm #f-problem.-empty { display: none; }
    TransactionFilterForm .filter-keys { height: 1; }
    TransactionFilterForm .hint { width: 1fr; color: $text-muted; }
    TransactionFilterForm .filter-keys Button { width: auto; min-width: 9; margin: 0 0 0 2; }
    """

    waiting = False
    """Done: applied or given up, and still shown until the table closes it (a new filter: with the rows it
    finds, so that the form closing and the new rows are one frame). Keys typed meanwhile are the table's."""

    class Chosen(Message):
        """The form closed: `where` is the filter to show (an empty one clears it), None to keep the old one."""

        def __init__(self, where: TransactionFilter | None) -> None:
            super().__init__()
            self.where = where

    class KeyForTable(Message):
        """A key typed while the form waits for its rows: the table should have it now."""

        def __init__(self, key: events.Key) -> None:
            super().__init__()
            self.key = key

    def compose(self) -> ComposeResult:
        self.border_title = "Filter transactions"
        with Grid():
            yield Label("Text")
            yield FilterInput(placeholder="part of the description, or #id", id="f-text", compact=True)
            yield Label("Type")
            yield Select([], prompt="any type", id="f-type", compact=True)
            yield Label("Creator")
            yield FilterInput(placeholder="username (staff, manager, bank…)", id="f-creator", compact=True)
            yield Label("State")
            yield Select([(str(s), str(s)) for s in State], prompt="any state", id="f-state", compact=True)
            yield Label("From day")
            yield FilterInput(placeholder="YYYY-MM-DD (the day it is for)", id="f-from", restrict=DAY_KEYS,
                               compact=True)
            yield Label("To day")
            yield FilterInput(placeholder="YYYY-MM-DD (included)", id="f-to", restrict=DAY_KEYS, compact=True)
            yield Label("Receiver")
            yield FilterInput(placeholder="username of anyone it names", id="f-receiver", compact=True)
        yield Static("", id="f-problem", classes="-empty")
        with Horizontal(classes="filter-keys"):
            yield Static("Enter applies the filter", classes="hint")
            yield Button("Clear", id="clear", compact=True)
            yield Button("Apply", id="apply", variant="primary", compact=True)

    def open(self, current: TransactionFilter, *, types: tuple[str, ...], creators: tuple[str, ...]) -> None:
        """Show the form filled in with `current`, the cursor in the text box."""
        kinds = self.query_one("#f-type", Select)
        kinds.set_options([(t, t) for t in types])
        kinds.value = current.types[0] if current.types and current.types[0] in types else Select.NULL
        self.query_one("#f-state", Select).value = current.states[0] if current.states else Select.NULL
        creator = self.query_one("#f-creator", Input)
        creator.suggester = SuggestFromList((*creators, "bank"), case_sensitive=False)
        for field, value in (("#f-text", current.text), ("#f-creator", current.creator or ""),
                             ("#f-receiver", current.receiver or ""),
                             ("#f-from", current.day_from.isoformat() if current.day_from else ""),
                             ("#f-to", current.day_to.isoformat() if current.day_to else "")):
            self.query_one(field, Input).value = value
        self.query_one("#f-problem", Static).update("")
        self.query_one("#f-problem", Static).add_class("-empty")
        self.display = True
        self.query_one("#f-text", Input).focus()

    def chosen(self) -> TransactionFilter | None:
        """The filter as filled in, or None (and the problem said) when a day is not one."""
        kind = self.query_one("#f-type", Select).value
        state = self.query_one("#f-state", Select).value
        days = []
        for field, label in (("#f-from", "From day"), ("#f-to", "To day")):
            text = self.query_one(field, Input).value.strip()
            try:
                days.append(date.fromisoformat(text) if text else None)
            except ValueError:
                self._problem(field, f"{label}: {text!r} is not a date written YYYY-MM-DD")
                return None
        day_from, day_to = days
        if day_from and day_to and day_from > day_to:
            self._problem("#f-to", f"To day: {day_to} is before the from day {day_from}")
            return None
        return TransactionFilter(
            day_from=day_from, day_to=day_to,
            text=self.query_one("#f-text", Input).value.strip(),
            types=(str(kind),) if kind is not Select.NULL else (),
            states=(str(state),) if state is not Select.NULL else (),
            creator=self.query_one("#f-creator", Input).value.strip() or None,
            receiver=self.query_one("#f-receiver", Input).value.strip() or None,
        )

    def _problem(self, field: str, message: str) -> None:
        problem = self.query_one("#f-problem", Static)
        problem.update(literal(message))
        problem.remove_class("-empty")
        self.query_one(field, Input).focus()

    def on_key(self, event: events.Key) -> None:
        if self.waiting:
            event.stop()
            event.prevent_default()
            self.post_message(self.KeyForTable(event))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "clear":
            self._close(TransactionFilter())
        else:
            self.action_apply()

    def action_apply(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self._close(chosen)

    def action_clear(self) -> None:
        self._close(TransactionFilter())

    def action_back(self) -> None:
        self._close(None)

    def _close(self, where: TransactionFilter | None) -> None:
        """Say what was chosen; the table hides the form (a new filter: with the page it finds, so the form
        closing and the new rows are drawn together)."""
        self.waiting = True
        self.post_message(self.Chosen(where))


def describe(where: TransactionFilter) -> str:
    """The filter in a few words, for the table's status line."""
    parts = []
    if where.text:
        parts.append(f"“{where.text}”")
    if where.types:
        parts.append("type " + ",".join(where.types))
    if where.states:
        parts.append("state " + ",".join(where.states))
    if where.creator:
        parts.append(f"by {where.creator}")
    if where.receiver:
        parts.append(f"to {where.receiver}")
    if where.day_from or where.day_to:
        parts.append(f"days {where.day_from or '…'} to {where.day_to or '…'}")
    return "; ".join(parts)

"""The filter of the all-transactions table: text, type, state, creator, receiver and the days from / to
(a typed dialog)."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from campbank.core.enums import State
from campbank.ledger.views.transactions import TransactionFilter
from campbank.widgets.literal import literal
from campbank.widgets.literal_input import LiteralInput

DAY_KEYS = r"[0-9-]*"


class TransactionFilterDialog(ModalScreen[TransactionFilter | None]):
    """Returns the new filter (an empty one clears it), or None when the manager backs out."""

    BINDINGS = [
        Binding("escape", "back", "Cancel", id="filter-cancel"),
        Binding("ctrl+r", "clear", "Clear all", id="filter-clear"),
    ]
    DEFAULT_CSS = """
    TransactionFilterDialog { align: center middle; }
    TransactionFilterDialog > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    TransactionFilterDialog .dialog-title { text-style: bold; padding: 0 0 1 0; }
    TransactionFilterDialog Grid {
        grid-size: 2; grid-columns: 10 1fr; grid-rows: 1; grid-gutter: 1 0; height: auto;
    }
    TransactionFilterDialog .hint { color: $text-muted; padding: 1 0 0 0; }
    TransactionFilterDialog #f-problem { color: $error; height: auto; }
    TransactionFilterDialog .dialog-buttons { height: auto; align-horizontal: right; padding: 1 0 0 0; }
    TransactionFilterDialog .dialog-buttons Button { margin: 0 0 0 2; }
    """

    def __init__(self, current: TransactionFilter, *, types: tuple[str, ...], creators: tuple[str, ...]) -> None:
        super().__init__()
        self.current = current
        self.types = types
        self.creators = creators

    def compose(self) -> ComposeResult:
        c = self.current
        with Vertical():
            yield Static("Filter transactions", classes="dialog-title")
            with Grid():
                yield Label("Text")
                yield LiteralInput(c.text, placeholder="part of the description, or #id", id="f-text", compact=True)
                yield Label("Type")
                yield Select([(t, t) for t in self.types], value=c.types[0] if c.types else Select.NULL,
                             prompt="any type", id="f-type", compact=True)
                yield Label("State")
                yield Select([(str(s), str(s)) for s in State], value=c.states[0] if c.states else Select.NULL,
                             prompt="any state", id="f-state", compact=True)
                yield Label("Creator")
                yield LiteralInput(c.creator or "", placeholder="username (staff, manager, bank…)", id="f-creator",
                            suggester=SuggestFromList((*self.creators, "bank"), case_sensitive=False), compact=True)
                yield Label("Receiver")
                yield LiteralInput(c.receiver or "", placeholder="username of anyone it names", id="f-receiver",
                                   compact=True)
                yield Label("From day")
                yield LiteralInput(c.day_from.isoformat() if c.day_from else "", placeholder="YYYY-MM-DD (the day "
                                   "it is for; empty: from the start)", id="f-from", restrict=DAY_KEYS, compact=True)
                yield Label("To day")
                yield LiteralInput(c.day_to.isoformat() if c.day_to else "", placeholder="YYYY-MM-DD (included; "
                                   "empty: up to now)", id="f-to", restrict=DAY_KEYS, compact=True)
            yield Static("", id="f-problem")
            yield Static("Enter applies · Ctrl+R clears all · Esc keeps the old filter", classes="hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Clear", id="clear", compact=True)
                yield Button("Apply", id="apply", variant="primary", compact=True)

    def on_mount(self) -> None:
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
        self.query_one("#f-problem", Static).update(literal(message))
        self.query_one(field, Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "clear":
            self.dismiss(TransactionFilter())
        else:
            self._apply()

    def _apply(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self.dismiss(chosen)

    def action_clear(self) -> None:
        self.dismiss(TransactionFilter())

    def action_back(self) -> None:
        self.dismiss(None)


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

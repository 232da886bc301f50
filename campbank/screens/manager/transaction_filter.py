"""The filter of the all-transactions table: text, type, state, creator, receiver (a typed dialog)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from campbank.core.enums import State
from campbank.ledger.views.transactions import TransactionFilter
from campbank.widgets.literal_input import LiteralInput


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
            yield Static("Enter applies · Ctrl+R clears all · Esc keeps the old filter", classes="hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Clear", id="clear", compact=True)
                yield Button("Apply", id="apply", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#f-text", Input).focus()

    def chosen(self) -> TransactionFilter:
        kind = self.query_one("#f-type", Select).value
        state = self.query_one("#f-state", Select).value
        return TransactionFilter(
            text=self.query_one("#f-text", Input).value.strip(),
            types=(str(kind),) if kind is not Select.NULL else (),
            states=(str(state),) if state is not Select.NULL else (),
            creator=self.query_one("#f-creator", Input).value.strip() or None,
            receiver=self.query_one("#f-receiver", Input).value.strip() or None,
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(self.chosen())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(TransactionFilter() if event.button.id == "clear" else self.chosen())

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
    return "; ".join(parts)

"""The student's pockets: each balance and the split of the total, moving money between them at once,
opening a goal (or the savings) pocket and closing an empty one (docs/savings.md#pockets)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from campbank.core.money import format_amount
from campbank.ledger.actions import pockets
from campbank.ledger.views.savings import SavingsCard, savings_card
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import assemble, literal, refusal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.literal_table import LiteralTable
from campbank.widgets.live import LiveLedger


def split_text(card: SavingsCard, sign: str) -> Text:
    """`Total 130.00@ = main 80.00@ + savings 40.00@ + Bike 10.00@`, goal names shown literally."""
    parts: list[str | tuple[str, str]] = [("Total ", "bold"), (format_amount(card.total, sign), "bold")]
    for n, pocket in enumerate(card.pockets):
        parts += [" = " if n == 0 else " + ", pocket.name, " ", (format_amount(pocket.balance, sign), "bold")]
    return assemble(*parts, multiline=False)


class PocketsView(LiveLedger, LedgerWork, Vertical):
    BINDINGS = [Binding("x", "close_pocket", "Close pocket", id="close-pocket")]
    DEFAULT_CSS = """
    PocketsView { padding: 0 1; }
    PocketsView #pockets-split { height: auto; margin: 0 0 1 0; }
    PocketsView #pockets-table { height: auto; max-height: 8; }
    PocketsView .form-row { height: auto; margin: 1 0 0 0; }
    PocketsView .form-row Select { width: 18; margin: 0 1 0 0; }
    PocketsView .form-row Input { width: 16; margin: 0 1 0 0; }
    PocketsView #goal-name { width: 20; }
    PocketsView #goal-target { width: 19; }  /* the whole of "target (optional)" */
    PocketsView #pockets-message { height: auto; margin: 1 0 0 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.card: SavingsCard | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="pockets-split")
        table = LiteralTable(id="pockets-table", cursor_type="row")
        table.add_columns("Pocket", "Kind", "Balance", "Target")
        yield table
        with Horizontal(classes="form-row"):
            yield Select([], prompt="from", id="move-from", compact=True)
            yield Select([], prompt="to", id="move-to", compact=True)
            yield LiteralInput(placeholder="amount", id="move-amount", compact=True)
            yield Button("Move", variant="primary", id="move", compact=True)
        with Horizontal(classes="form-row"):
            yield LiteralInput(placeholder="goal name, e.g. Bike", id="goal-name", compact=True)
            yield LiteralInput(placeholder="target (optional)", id="goal-target", compact=True)
            yield Button("Open goal", id="open-goal", compact=True)
            yield Button("Open savings", id="open-savings", compact=True)
        yield Static("", id="pockets-message")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.fetch(lambda: savings_card(self.db, self.actor, self.actor.username), self._show)

    def _show(self, card: SavingsCard) -> None:
        self.card = card
        season = card.season
        sign = season.currency_sign
        self.query_one("#pockets-split", Static).update(split_text(card, sign))
        table = self.query_one("#pockets-table", LiteralTable)
        table.clear()
        for pocket in card.pockets:
            target = ""
            if pocket.target:
                target = f"{format_amount(pocket.target, sign)} ({min(100, pocket.balance * 100 // pocket.target)}%)"
            balance = literal(format_amount(pocket.balance, sign), justify="right")
            table.add_row(literal(pocket.name), pocket.kind, balance, literal(target), key=pocket.account)
        names = [(literal(p.name), p.name) for p in card.pockets]
        for select_id in ("#move-from", "#move-to"):
            select = self.query_one(select_id, Select)
            chosen = select.value
            select.set_options(names)
            if chosen in {p.name for p in card.pockets}:
                select.value = chosen
        has_savings = any(p.kind == "savings" for p in card.pockets)
        self.query_one("#open-savings", Button).display = season.savings.enabled and not has_savings
        goals_allowed = season.pockets.enabled and season.pockets.max_goals > 0
        for widget_id in ("#goal-name", "#goal-target", "#open-goal"):
            self.query_one(widget_id).display = goals_allowed

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "move":
            self.move()
        elif event.button.id == "open-goal":
            name = self.query_one("#goal-name", Input).value
            target = self.query_one("#goal-target", Input).value.strip() or None
            self._open("goal", name, target)
        elif event.button.id == "open-savings":
            self._open("savings", None, None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "move-amount":
            self.move()
        elif event.input.id in ("goal-name", "goal-target"):
            self._open("goal", self.query_one("#goal-name", Input).value,
                       self.query_one("#goal-target", Input).value.strip() or None)

    def move(self) -> None:
        source, target = self.query_one("#move-from", Select).value, self.query_one("#move-to", Select).value
        if not isinstance(source, str) or not isinstance(target, str):
            self._say(Text("Choose the pocket to move from and the pocket to move to.", style="red"))
            return
        amount = self.query_one("#move-amount", Input).value.strip()
        self.submit(lambda: pockets.move(self.db, self.actor, source, target, amount), self._moved,
                    on_error=lambda error: self._say(refusal(error, "red")))

    def _moved(self, posted) -> None:
        self.query_one("#move-amount", Input).value = ""
        self._say(Text(f"Moved (#{posted.id})."))
        self.reload()

    def _open(self, kind: str, name: str | None, target: str | None) -> None:
        self.submit(lambda: pockets.open_pocket(self.db, self.actor, kind, name, target=target), self._opened,
                    on_error=lambda error: self._say(refusal(error, "red")))

    def _opened(self, opened) -> None:
        self.query_one("#goal-name", Input).value = ""
        self.query_one("#goal-target", Input).value = ""
        self._say(literal(f"Opened the pocket {opened.name!r}."))
        self.reload()

    def action_close_pocket(self) -> None:
        table = self.query_one("#pockets-table", LiteralTable)
        if self.card is None or table.cursor_row < 0 or table.cursor_row >= len(self.card.pockets):
            return
        pocket = self.card.pockets[table.cursor_row]
        if pocket.kind == "main":
            self._say(Text("The main pocket stays open.", style="red"))
            return
        self.submit(lambda: pockets.close_pocket(self.db, self.actor, pocket.name),
                    lambda _none: self._pocket_closed(pocket.name),
                    on_error=lambda error: self._say(refusal(error, "red")))

    def _pocket_closed(self, name: str) -> None:
        self._say(literal(f"Closed the pocket {name!r}."))
        self.reload()

    def _say(self, message: Text) -> None:
        self.query_one("#pockets-message", Static).update(message)

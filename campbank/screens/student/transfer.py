"""Asking to send money to a classmate (staff approve it), and one's own requests with cancel."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from campbank.core.money import format_amount
from campbank.ledger.actions import states
from campbank.ledger.actions.posting import post
from campbank.ledger.views.accounts import Classmate, Request, classmates, my_requests
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, notify, refusal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.literal_table import LiteralTable
from campbank.widgets.live import LiveLedger


class TransferView(LiveLedger, LedgerWork, Vertical):
    BINDINGS = [Binding("c", "cancel_request", "Cancel request", id="cancel-request")]
    DEFAULT_CSS = """
    TransferView { padding: 0 1; }
    TransferView #who-matches { height: auto; max-height: 5; }
    TransferView Input { margin: 0 0 1 0; }
    TransferView #transfer-message { height: auto; }
    TransferView #requests { height: 1fr; min-height: 4; }
    TransferView .heading { text-style: bold; color: $accent; margin: 1 0 0 0; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.people: list[Classmate] = []
        self.receiver: Classmate | None = None
        self.requests: list[Request] = []

    def compose(self) -> ComposeResult:
        yield Static("To (type part of a name):")
        yield LiteralInput(id="who", placeholder="e.g. Ivan", compact=True)
        yield OptionList(id="who-matches", compact=True)
        yield Static("Amount and what it is for:")
        yield LiteralInput(id="amount", placeholder="amount, e.g. 12.50", compact=True)
        yield LiteralInput(id="comment", placeholder="what it is for (required)", compact=True)
        yield Button("Ask to send", variant="primary", id="send", compact=True)
        yield Static("", id="transfer-message")
        yield Static("My requests (c cancels a pending one)", classes="heading")
        table = LiteralTable(id="requests", cursor_type="row")
        table.add_columns("#", "To", "Amount", "Comment", "State")
        yield table

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.fetch(lambda: (classmates(self.db, self.actor), my_requests(self.db, self.actor)), self._show)

    def _show(self, data: tuple[list[Classmate], list[Request]]) -> None:
        self.people, self.requests = data
        if self.receiver is None:  # still choosing: the matches follow the new list, the highlight stays
            self._match(self.query_one("#who", Input).value)
        sign = self.campbank.season.currency_sign
        table = self.query_one("#requests", DataTable)
        table.clear()
        for r in self.requests:
            state = "waiting" if r.state == "created" else ("sent" if r.state == "processed" else r.state)
            table.add_row(str(r.id), r.receiver_name, Text(format_amount(r.amount, sign), justify="right"),
                          r.comment, r.decision or state, key=str(r.id))

    def _match(self, text: str) -> None:
        needle = text.strip().casefold()
        matches = self.query_one("#who-matches", OptionList)
        kept = matches.highlighted_option.id if matches.highlighted_option is not None else None
        matches.clear_options()
        if not needle:
            return
        found = [p for p in self.people if needle in p.full_name.casefold() or needle in p.username][:20]
        matches.add_options([Option(literal(f"{p.full_name} ({p.squad or ''})"), id=p.username) for p in found])
        if kept in {p.username for p in found}:
            matches.highlighted = matches.get_option_index(kept)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "who" and (self.receiver is None or event.value != self.receiver.full_name):
            self.receiver = None
            self._match(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "who":
            matches = self.query_one("#who-matches", OptionList)
            if matches.option_count:
                matches.focus()
                matches.highlighted = 0
        elif event.input.id == "amount":
            self.query_one("#comment", Input).focus()
        elif event.input.id == "comment":
            self.send()

    def on_key(self, event: events.Key) -> None:
        """↓ from the name box moves into its matches; ↑ from the first match goes back to typing."""
        matches = self.query_one("#who-matches", OptionList)
        who = self.query_one("#who", Input)
        if event.key == "down" and who.has_focus and matches.option_count:
            event.stop()
            matches.focus()
            matches.highlighted = 0
        elif event.key == "up" and matches.has_focus and not matches.highlighted:
            event.stop()
            who.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = next(p for p in self.people if p.username == event.option.id)
        self.receiver = chosen
        self.query_one("#who", Input).value = chosen.full_name
        self.query_one("#who-matches", OptionList).clear_options()
        self.query_one("#amount", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            self.send()

    def send(self) -> None:
        message = self.query_one("#transfer-message", Static)
        if self.receiver is None:
            message.update(literal("Choose who to send to from the list.", "red"))
            self.query_one("#who", Input).focus()
            return
        payload = {"type": "p2p", "receiver": self.receiver.username,
                   "amount": self.query_one("#amount", Input).value.strip(),
                   "description": self.query_one("#comment", Input).value}
        self.submit(lambda: post(self.db, self.actor, payload), self._sent,
                    on_error=lambda error: message.update(refusal(error, "red")))

    def _sent(self, posted) -> None:
        self.query_one("#transfer-message", Static).update(
            f"Request #{posted.id} sent: staff will approve it. You can cancel it while it waits.")
        for field in ("#who", "#amount", "#comment"):
            self.query_one(field, Input).value = ""
        self.receiver = None
        self.reload()

    def action_cancel_request(self) -> None:
        table = self.query_one("#requests", DataTable)
        if not self.requests or table.cursor_row < 0:
            return
        request = self.requests[table.cursor_row]
        if request.state != "created":
            notify(self.app, f"#{request.id} is no longer waiting", severity="warning")
            return
        self.submit(lambda: states.cancel(self.db, self.actor, request.id, reason="cancelled by the student"),
                    lambda _changed: self.reload())

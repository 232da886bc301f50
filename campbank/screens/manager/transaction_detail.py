"""One transaction in full (managers): its facts, every money and counter entry, and a cancel action.

Returns True from `dismiss` when the transaction was cancelled, so the table behind it reloads.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from campbank.core.counters import is_amount
from campbank.core.money import format_amount
from campbank.ledger.actions import states
from campbank.ledger.actions.states import Changed
from campbank.ledger.views.oversight import TransactionDetail, transaction_detail
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import assemble, literal, notify
from campbank.widgets.live import LiveLedger
from campbank.widgets.vim_table import VimTable
from campbank.widgets.when import SECONDS, when

STATE_STYLE = {"processed": "green", "created": "yellow", "declined": "red", "substituted": "dim"}


class TransactionDetailScreen(LiveLedger, LedgerWork, Screen[bool]):
    BINDINGS = [
        Binding("escape,left,q", "back", "Back", id="detail-back"),
        Binding("c", "cancel_transaction", "Cancel transaction", id="detail-cancel"),
        Binding("f5", "reload", "Refresh", id="detail-refresh"),
    ]
    DEFAULT_CSS = """
    TransactionDetailScreen #detail-facts { padding: 0 1; height: auto; }
    TransactionDetailScreen #detail-note { padding: 0 1; height: auto; color: $text-muted; }
    TransactionDetailScreen .detail-heading { padding: 1 1 0 1; text-style: bold; color: $accent; }
    TransactionDetailScreen #detail-money { height: auto; max-height: 1fr; }
    TransactionDetailScreen #detail-counters { height: auto; max-height: 12; }
    """

    def __init__(self, transaction_id: int) -> None:
        super().__init__()
        self.transaction_id = transaction_id
        self.detail: TransactionDetail | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="detail-facts")
        yield Static("", id="detail-note")
        yield Static("Money entries", classes="detail-heading", id="money-heading")
        table = VimTable(id="detail-money")
        table.add_columns("Receiver", "Username", "Money type", "Amount", "Description")
        yield table
        yield Static("Counter entries", classes="detail-heading", id="counter-heading")
        counters = VimTable(id="detail-counters")
        counters.add_columns("Receiver", "Username", "Counter", "Value", "Date", "Block")
        yield counters
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Transaction #{self.transaction_id}"
        self.query_one("#detail-money", VimTable).focus()
        self.action_reload()

    def action_reload(self) -> None:
        self.fetch(lambda: transaction_detail(self.db, self.actor, self.transaction_id), self._show)

    def _show(self, detail: TransactionDetail) -> None:
        self.detail = detail
        sign = self.campbank.season.currency_sign
        style = STATE_STYLE.get(detail.state, "")
        facts = assemble(
            (f"#{detail.id}", "bold"), f"  {detail.label} (", (detail.type, "italic"), ")   state: ",
            (detail.state, style), *((" — ", literal(detail.decision)) if detail.decision else ()),
            f"\ncreated {when(detail.created_at, SECONDS)}  for day {detail.day}  by ",
            (detail.creator, "bold"), f" ({detail.creator_name})",
            "\namount ", (format_amount(detail.amount, sign), "bold"),
            f" over {len(detail.money)} money entries, {len(detail.counters)} counter entries",
        )
        if detail.description:
            facts.append("\n")
            facts.append_text(literal(f"“{detail.description}”"))
        links = []
        if detail.update_of:
            links.append(f"replaces #{detail.update_of}")
        if detail.replaced_by:
            links.append(f"replaced by #{detail.replaced_by}")
        if detail.idempotency_key:
            links.append(f"key {detail.idempotency_key}")
        if links:
            facts.append_text(literal("\n" + "; ".join(links), multiline=True))
        self.query_one("#detail-facts", Static).update(facts)
        note = ("c cancels it (its entries stop counting; the audit log keeps who and why)."
                if detail.may_cancel else f"Cannot be cancelled: {detail.cancel_refusal}")
        if detail.type == "tax" and detail.state == "processed":
            note += f"\nA mistaken tax day is voided in Tax and fines (date {detail.day})."
        self.query_one("#detail-note", Static).update(literal(note, multiline=True))
        money = self.query_one("#detail-money", VimTable)
        money.clear()
        for line in detail.money:
            amount = format_amount(line.amount, sign)
            money.add_row(Text(line.receiver_name), line.receiver, line.money_type,
                          Text(amount, justify="right", style="red" if line.amount < 0 else ""), Text(line.description))
        counters = self.query_one("#detail-counters", VimTable)
        counters.clear()
        for c in detail.counters:
            value = format_amount(c.value, sign) if is_amount(c.counter_type) else str(c.value)
            counters.add_row(Text(c.receiver_name), c.receiver, c.counter_type, value, str(c.day), c.block or "")
        counters.display = bool(detail.counters)
        self.query_one("#counter-heading").display = bool(detail.counters)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_transaction" and self.detail is not None and self.detail.state not in (
                "created", "processed"):
            return None  # shown greyed out: nothing left to cancel
        return True

    def action_cancel_transaction(self) -> None:
        detail = self.detail
        if detail is None:
            return
        if not detail.may_cancel:
            notify(self.app, detail.cancel_refusal or "", title="Refused", severity="error", timeout=8)
            return
        sign = self.campbank.season.currency_sign
        question = (f"Cancel #{detail.id} ({detail.label}, {format_amount(detail.amount, sign)} over "
                    f"{len(detail.money)} entries) created by {detail.creator}? Its entries stop counting.")

        def answered(reason: str | None) -> None:
            if reason is None:
                return
            self.submit(lambda: states.cancel(self.db, self.actor, detail.id, reason=reason), self._cancelled)

        self.app.push_screen(ConfirmReason(question, title=f"Cancel transaction #{detail.id}",
                                           yes="Cancel it", required=True), answered)

    def _cancelled(self, changed: Changed) -> None:
        self.changed = True
        notify(self.app, f"#{changed.id} {changed.old_state} → {changed.state}", title="Cancelled")
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss(self.changed)

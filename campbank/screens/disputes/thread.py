"""One dispute, read by its student (kiosk or office) or by staff: the transaction, every message, the outcome.

Both sides may add a message while it is open (type, Enter). Staff also close it: `x` cancels the disputed
transaction and resolves the dispute naming it (one step), `s` resolves it naming another transaction that
fixed it (an alter, a refund), `r` rejects it with a reason the student reads.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from campbank.core.errors import CampBankError, InputError
from campbank.core.money import format_amount
from campbank.ledger.actions import disputes
from campbank.ledger.actions.disputes import MAX_TEXT, DisputeStep
from campbank.ledger.views.disputes import Disputed, DisputeLine, DisputeThread, dispute_thread
from campbank.screens.disputes.dialog import DisputeDialog
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.live import LiveLedger
from campbank.widgets.when import LONG, when

OUTCOME = {"open": ("open: waiting for an answer", "yellow"), "resolved": ("resolved", "green"),
           "rejected": ("rejected", "red")}


def outcome_of(line: DisputeLine) -> tuple[str, str]:
    """A dispute's state as people read it, and its colour: an open one is answered once someone other than
    the student wrote last."""
    if line.is_open and line.answered:
        return "open: answered", "cyan"
    return OUTCOME.get(line.state, (line.state, ""))


def describe(txn: Disputed, sign: str) -> Text:
    """`#12 Fine of 2018-08-10, -15.00@ (cancelled): Noise after lights out`."""
    state = {"declined": " (cancelled)", "substituted": " (replaced)", "created": " (waiting)"}.get(txn.state, "")
    out = literal(f"#{txn.id} {txn.label} of {txn.day}, ")
    out.append(format_amount(txn.amount, sign), style="green" if txn.amount > 0 else "red")
    out.append_text(literal(state + (f": {txn.description}" if txn.description else "")))
    return out


class DisputeThreadScreen(LiveLedger, LedgerWork, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="thread-back"),
        Binding("x", "cancel_and_resolve", "Cancel it + resolve", id="thread-cancel"),
        Binding("s", "resolve", "Resolved by #…", id="thread-resolve"),
        Binding("r", "reject", "Reject", id="thread-reject"),
        Binding("a", "answer", "Answer", id="thread-answer"),
    ]
    DEFAULT_CSS = """
    DisputeThreadScreen #thread-head { height: auto; padding: 0 1; }
    DisputeThreadScreen #thread-messages { height: 1fr; padding: 0 1; border: round $panel; }
    DisputeThreadScreen .message { height: auto; padding: 0 0 1 0; }
    DisputeThreadScreen .message.staff { padding: 0 0 1 4; }
    DisputeThreadScreen #thread-reply { margin: 0 1; }
    """

    def __init__(self, dispute_id: int) -> None:
        super().__init__()
        self.dispute_id = dispute_id
        self.thread: DisputeThread | None = None
        """What is on screen (None until read)."""

    @property
    def staff_side(self) -> bool:
        return self.actor.role != "student"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="thread-head")
        yield VerticalScroll(id="thread-messages")
        yield LiteralInput(placeholder="write an answer, Enter to send", max_length=MAX_TEXT, id="thread-reply")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Dispute #{self.dispute_id}"
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cancel_and_resolve", "resolve", "reject", "answer"):
            thread = self.thread
            if not self.staff_side or thread is None or not thread.line.is_open:
                return None
            if action == "cancel_and_resolve" and thread.transaction is None:
                return None
        return True

    def reload(self) -> None:
        self.fetch(lambda: dispute_thread(self.db, self.actor, self.dispute_id), self._show)

    def _show(self, thread: DisputeThread) -> None:
        self.thread = thread
        sign = self.campbank.season.currency_sign
        line = thread.line
        head = Text()
        head.append(f"Dispute #{line.id}", style="bold").append_text(literal(f"  {line.student_name} ({line.student})"))
        head.append(f", opened {when(line.opened_at, LONG)}\n", style="dim")
        head.append("About: ")
        head.append_text(describe(thread.transaction, sign) if thread.transaction else Text("a general question"))
        outcome, style = outcome_of(line)
        head.append("\nState: ").append(outcome, style=f"bold {style}")
        if thread.closed_at is not None:
            head.append_text(literal(f" by {thread.closed_by} on {when(thread.closed_at, LONG)}", "dim"))
        if thread.fix is not None:
            head.append("\nFixed by: ").append_text(describe(thread.fix, sign))
        self.query_one("#thread-head", Static).update(head)
        box = self.query_one("#thread-messages", VerticalScroll)
        box.remove_children()
        for message in thread.messages:
            text = Text()
            text.append_text(literal(f"{message.author_name or message.author} ({message.author_role})", "bold"))
            text.append(f"  {when(message.at, LONG)}\n", style="dim")
            text.append_text(literal(message.text, multiline=True))  # before rich, which drops a BEL silently
            staff = message.author_role != "student"
            box.mount(Static(text, classes="message staff" if staff else "message"))
        box.scroll_end(animate=False)
        reply = self.query_one("#thread-reply", Input)
        reply.display = line.is_open
        if line.is_open and not self.staff_side:
            reply.focus()
        elif self.focused is None or not self.focused.display:  # staff: the thread, where x, s, r and a act
            box.focus()
        self.refresh_bindings()

    def action_answer(self) -> None:
        """Staff: into the reply box (the thread opens on the messages, so the decision keys act at once)."""
        self.query_one("#thread-reply", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "thread-reply":
            return
        event.stop()
        text = event.value
        self.submit(lambda: disputes.answer(self.db, self.actor, self.dispute_id, text), self._sent)

    def _sent(self, step: DisputeStep) -> None:
        self.query_one("#thread-reply", Input).value = ""
        self.notify("Sent.", title=f"Dispute #{step.dispute_id}")
        self.reload()

    def action_cancel_and_resolve(self) -> None:
        thread = self.thread
        if thread is None or thread.transaction is None:
            return
        sign = self.campbank.season.currency_sign
        question = (f"Cancel {describe(thread.transaction, sign).plain}?\nIts entries stop counting, and the "
                    f"dispute is resolved naming it. {thread.line.student_name} sees both.")

        def answered(note: str | None) -> None:
            if note is not None:
                self.submit(lambda: disputes.resolve_by_cancelling(self.db, self.actor, self.dispute_id, note=note),
                            self._after_close)

        self.app.push_screen(ConfirmReason(question, title=f"Cancel #{thread.transaction.id} and resolve?",
                                           yes="Cancel it", no="Back",
                                           placeholder="a note for the student (optional)"), answered)

    def action_resolve(self) -> None:
        def answered(text: str | None) -> None:
            if text is None:
                return
            number, _, note = text.strip().lstrip("#").partition(" ")
            if not number.isdigit():
                self.show_refusal(InputError("start with the number of the transaction that fixed it",
                                             field="fixed_by"))
                return
            fixed_by = int(number)
            self.submit(lambda: disputes.resolve(self.db, self.actor, self.dispute_id, fixed_by, note=note.strip()),
                        self._after_close)

        self.app.push_screen(DisputeDialog(
            f"Resolve dispute #{self.dispute_id}", "Name the transaction that fixed it: the alter of the disputed one, "
            "or a payment to the student made since. A note for the student may follow the number.",
            placeholder="#123 refunded, sorry",
            empty="Fixed by: name the transaction that fixed it, as #123."), answered)

    def action_reject(self) -> None:
        def answered(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: disputes.reject(self.db, self.actor, self.dispute_id, reason), self._after_close)

        self.app.push_screen(DisputeDialog(f"Reject dispute #{self.dispute_id}", "Say why: the student reads it.",
                                           placeholder="why it stands",
                                           empty="Reason: say why it is rejected; the student reads it."),
                             answered)

    def _after_close(self, step: DisputeStep) -> None:
        self.notify(f"Dispute #{step.dispute_id} {step.state}.", title="Dispute")
        self.reload()

    def show_refusal(self, error: CampBankError) -> None:
        self.app.notify(str(error), title="Refused", severity="error", timeout=8, markup=False)

    def action_back(self) -> None:
        self.dismiss(None)  # the list behind (queue, My disputes, History) reloads in its callback

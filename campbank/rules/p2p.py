"""`p2p`: a student asks to send money to another student; it waits for staff approval.

The amount must lie between 0.01 and the sender's balance, both when asked and again at approval
(the ledger repeats the check then, because the balance may have changed meanwhile). When asked, the
sender's other requests still waiting count against the balance: two requests of 100@ on 109.50@ would
each pass alone, and the second must not.
"""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.errors import InputError, RuleError
from campbank.core.money import format_amount, parse_amount
from campbank.core.season import Season
from campbank.rules.base import (
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Rule,
    RuleContext,
)

MAX_COMMENT = 500


class PeerTransfer(Rule):
    type = "p2p"
    label = "Transfer to a student"
    money_types = ("p2p",)
    creator_roles = frozenset({Role.STUDENT})
    needs_approval = True

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("receiver", FieldKind.STUDENT, "To"),
            FormField("amount", FieldKind.AMOUNT, "Amount"),
            FormField("description", FieldKind.TEXT, "Comment", help="Why you are sending it (required)"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        receiver = ctx.student(payload.get("receiver"), "receiver")
        if receiver.id == ctx.creator.id:
            raise InputError("must be another student, not yourself", field="receiver")
        amount = parse_amount(payload.get("amount"), field="amount", limit=ctx.season.amount_limit)
        comment = payload.get("description")
        if not isinstance(comment, str) or not comment.strip():
            raise InputError("a comment is required for a transfer", field="description")
        if len(comment) > MAX_COMMENT:
            raise InputError(f"must be at most {MAX_COMMENT} characters", field="description")
        check_sender_can_pay(ctx.creator.balance, amount, ctx.season.currency_sign, waiting=ctx.waiting_out)
        return Entries(money=(MoneyLine(receiver.username, amount, "p2p", comment.strip()),))


def check_sender_can_pay(balance: int, amount: int, sign: str, *, waiting: int = 0) -> None:
    if amount > balance - waiting:
        if waiting:
            raise RuleError(f"is more than the {format_amount(max(balance - waiting, 0), sign)} left of the "
                            f"sender's balance of {format_amount(balance, sign)} after their requests still "
                            f"waiting ({format_amount(waiting, sign)})", field="amount")
        raise RuleError(
            f"is more than the sender's balance of {format_amount(balance, sign)}", field="amount"
        )


RULE = PeerTransfer()

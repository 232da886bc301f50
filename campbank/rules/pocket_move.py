"""`pocket_move`: a student moves money between their own pockets, at once and without approval.

Pockets are named `main` (the balance every charge takes from), `savings`, or a goal's name. The amount
lies between 0.01 and the source pocket's balance. The transaction's creator is the student, whose
account is the main pocket: moving into a pocket pays that pocket's account; moving out of one charges
it; a move between two other pockets does both, so the main pocket is untouched (docs/savings.md).
"""

from __future__ import annotations

from campbank.core.enums import Role
from campbank.core.errors import InputError, RuleError
from campbank.core.money import format_amount, parse_amount
from campbank.core.season import Season
from campbank.rules.base import Entries, FieldKind, FormField, MoneyLine, Payload, Rule, RuleContext
from campbank.rules.savings import MAIN, Pocket, SavingsFacts, facts_of, require_part


class PocketMove(Rule):
    type = "pocket_move"
    label = "Move between pockets"
    creator_roles = frozenset({Role.STUDENT})
    savings_part = "pockets"

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("from", FieldKind.TEXT, "From pocket", help="main, savings or a goal's name"),
            FormField("to", FieldKind.TEXT, "To pocket", help="main, savings or a goal's name"),
            FormField("amount", FieldKind.AMOUNT, "Amount"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        require_part(ctx.season, "pockets")
        facts = facts_of(ctx.savings)
        source = pocket_named(facts, payload.get("from"), "from")
        target = pocket_named(facts, payload.get("to"), "to")
        if source.account == target.account:
            raise InputError(f"must be another pocket than {source.name!r}", field="to")
        amount = parse_amount(payload.get("amount"), field="amount", limit=ctx.season.amount_limit)
        if amount > source.balance:
            raise RuleError(f"is more than the {source.name!r} pocket's balance of "
                            f"{format_amount(source.balance, ctx.season.currency_sign)}", field="amount")
        what = f"{source.name} → {target.name}"
        lines = []
        if target.kind != MAIN:
            lines.append(MoneyLine(target.account, amount, "pocket", what))
        if source.kind != MAIN:
            lines.append(MoneyLine(source.account, -amount, "pocket", what))
        return Entries(money=tuple(lines))


def pocket_named(facts: SavingsFacts, name: object, field: str) -> Pocket:
    """The student's open pocket called `name` (letter case aside), or an error listing their pockets."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("must name a pocket: main, savings or a goal's name", field=field)
    wanted = name.strip().casefold()
    for pocket in facts.pockets.values():
        if pocket.name.casefold() == wanted:
            return pocket
    known = ", ".join(repr(p.name) for p in facts.pockets.values())
    raise InputError(f"there is no open pocket called {name.strip()!r}; yours: {known}", field=field)


RULE = PocketMove()

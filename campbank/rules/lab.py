"""`lab`: two students pass a lab together; each gets their own amount and a lab pass.

Payload: `partners: [{"username": ..., "amount": ...}, {"username": ..., "amount": ...}]` — exactly two
entries naming two different active students; each amount is typed money (≥ 0.01, at most two decimals,
within the season's amount limit). Effect (docs/rules.md#lab), per partner:

    money   +amount, type `lab_pass_reward`, described "lab with <the other partner's full name>"
    counter `lab_pass` +1

No budget is shared, so nothing is split or rounded.
"""

from __future__ import annotations

from collections.abc import Mapping

from campbank.core.counters import Counter
from campbank.core.errors import InputError
from campbank.core.money import parse_amount
from campbank.core.season import Season
from campbank.rules.base import (
    CounterLine,
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Person,
    Rule,
    RuleContext,
)

MONEY_TYPE = "lab_pass_reward"
COUNTER = Counter.LAB_PASS
PARTNER_KEYS = frozenset({"username", "amount"})


def partners_of(payload: Payload, ctx: RuleContext) -> list[tuple[Person, int]]:
    """The two partners with their amounts, in the order given."""
    raw = payload.get("partners")
    if not isinstance(raw, list) or not all(isinstance(entry, Mapping) for entry in raw):
        raise InputError('must be a list of two {"username": ..., "amount": ...} entries', field="partners")
    if len(raw) != 2:
        raise InputError(f"a lab is passed by exactly two students, not {len(raw)}", field="partners")
    rows = []
    for entry in raw:
        missing = sorted(PARTNER_KEYS - set(entry))
        if missing:
            raise InputError(f"each partner needs {' and '.join(missing)}", field="partners")
        extra = sorted(str(key) for key in set(entry) - PARTNER_KEYS)
        if extra:
            raise InputError(f"a partner has only username and amount, not {', '.join(extra)}", field="partners")
        person = ctx.student(entry["username"], "partners")
        amount = parse_amount(entry["amount"], field=f"partners.{person.username}", limit=ctx.season.amount_limit)
        rows.append((person, amount))
    if rows[0][0].username == rows[1][0].username:
        raise InputError(f"{rows[0][0].username!r} is listed twice; name two different students", field="partners")
    return rows


class Lab(Rule):
    type = "lab"
    label = "Lab"
    money_types = (MONEY_TYPE,)

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (
            FormField("date", FieldKind.DATE, "Date", required=False, help="Defaults to today"),
            FormField("partners", FieldKind.PARTNERS, "Partners", help="Exactly two students, each with an amount"),
        )

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        (first, first_amount), (second, second_amount) = partners_of(payload, ctx)
        return Entries(
            money=(
                MoneyLine(first.username, first_amount, MONEY_TYPE, f"lab with {second.full_name}"),
                MoneyLine(second.username, second_amount, MONEY_TYPE, f"lab with {first.full_name}"),
            ),
            counters=(
                CounterLine(first.username, COUNTER, 1),
                CounterLine(second.username, COUNTER, 1),
            ),
        )


RULE = Lab()

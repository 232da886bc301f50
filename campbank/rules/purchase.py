"""`purchase`: each listed student pays the price of what they bought; for books, certificates pay first.

Payload: `purchase_type` (goods, books, service, auction: the season's purchase types) and
`amounts: {username: price}`. For goods, services and auctions each student pays: money −price, money type
= the purchase type.

Books (docs/rules.md#purchase): with c = the student's `book_certificate` total (cents of @ that only buy books) and
v = the price:

    c ≥ v:  counter `book_certificate` −v, and no money moves;
    c < v:  counter `book_certificate` −c (only when c > 0), and money −(v − c) of type `books`.

Nothing is shared or split, so there is no rounding.
"""

from __future__ import annotations

from campbank.core.counters import Counter
from campbank.core.money import format_amount
from campbank.rules.base import (
    AmountPerStudent,
    CounterLine,
    Entries,
    MoneyLine,
    Payload,
    Person,
    RuleContext,
)

BOOKS = "books"
CERTIFICATE_COUNTER = Counter.BOOK_CERTIFICATE


class Purchase(AmountPerStudent):
    type = "purchase"
    label = "Purchase"
    kind_field = "purchase_type"
    kind_label = "Purchase type"
    amount_label = "Price per student"
    sign = -1

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        purchase_type, rows = self.kind_and_amounts(payload, ctx)
        if purchase_type == BOOKS:
            return books(rows, ctx.season.currency_sign)
        return Entries(money=tuple(MoneyLine(person.username, -price, purchase_type) for person, price in rows))


def books(rows: list[tuple[Person, int]], sign: str) -> Entries:
    """Certificates pay first; money pays only what they do not cover."""
    money: list[MoneyLine] = []
    counters: list[CounterLine] = []
    for person, price in rows:
        certificates = max(0, person.counter(CERTIFICATE_COUNTER))
        spent = min(certificates, price)
        if spent > 0:
            counters.append(CounterLine(person.username, CERTIFICATE_COUNTER, -spent))
        if price > spent:
            note = f"{format_amount(spent, sign)} paid with certificates" if spent else ""
            money.append(MoneyLine(person.username, -(price - spent), BOOKS, note))
    return Entries(money=tuple(money), counters=tuple(counters))


RULE = Purchase()

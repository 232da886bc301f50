"""`certificate`: checked students get a book certificate (later seasons).

Payload: `certificates` [usernames] (at least one student). Each gets `book_certificate`
+`season.certificate_value` (a counter whose value is in cents: @ that can only buy books, spent by
the `purchase` rule for books). No money moves.
"""

from __future__ import annotations

from campbank.core.counters import Counter
from campbank.core.season import Season
from campbank.rules.base import (
    CounterLine,
    Entries,
    FieldKind,
    FormField,
    Payload,
    Rule,
    RuleContext,
    student_list,
)


class Certificate(Rule):
    type = "certificate"
    label = "Book certificate"
    money_types = ("certificate",)  # every season names it, though a certificate itself moves no money

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("certificates", FieldKind.PER_STUDENT_TICK, "Students to get a certificate"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        students = student_list(payload, ctx, "certificates")
        value = ctx.season.certificate_value
        return Entries(counters=tuple(CounterLine(p.username, Counter.BOOK_CERTIFICATE, value) for p in students))


RULE = Certificate()

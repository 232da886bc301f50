"""`fac_pass`: students passed a facultative; each is paid the amount the teacher gives.

Payload: `amounts` {username: amount} (each ≥ 0.01 and ≤ the season's amount limit, at most 2
decimals). Each student gets +amount of money type `fac_pass_reward` and `fac_pass` +1 (no time block:
a pass is not a visit).
"""

from __future__ import annotations

from campbank.core.counters import Counter
from campbank.core.season import Season
from campbank.rules.base import (
    CounterLine,
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Rule,
    RuleContext,
    amounts_by_student,
)


class FacPass(Rule):
    type = "fac_pass"
    label = "Facultative passed"
    money_types = ("fac_pass_reward",)

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("amounts", FieldKind.PER_STUDENT_AMOUNT, "Reward per student"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        rows = amounts_by_student(payload, ctx)
        return Entries(
            money=tuple(MoneyLine(p.username, amount, "fac_pass_reward") for p, amount in rows),
            counters=tuple(CounterLine(p.username, Counter.FAC_PASS, 1) for p, _ in rows),
        )


RULE = FacPass()

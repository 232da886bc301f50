"""What a payload would post, without writing: each recipient's entries and balance, for a confirm dialog.

`preview` runs the very preparation `posting.post` runs (`prepare`), in a read transaction, and returns
the entries instead of recording them. For an alter (`alter_of`) it runs what `posting.alter` runs —
`substitute`, then `prepare` — inside a write transaction that is always rolled back: the checks on the
old transaction are the alter's own, and every read sees the camp as the alter would (the old
transaction's money, counters and time blocks no longer count), then nothing is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from campbank.ledger.actions.prepare import Prepared, prepare, substitute
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database
from campbank.rules.base import Entries, Person


@dataclass(frozen=True)
class PreviewLine:
    """One recipient: their money lines (amount, money type, note), counter lines and balance change."""

    username: str
    full_name: str
    squad: str | None
    money: tuple[tuple[int, str, str], ...]
    counters: tuple[tuple[str, int, str | None], ...]
    balance_before: int

    @property
    def amount(self) -> int:
        return sum(amount for amount, _, _ in self.money)

    @property
    def balance_after(self) -> int:
        return self.balance_before + self.amount


@dataclass(frozen=True)
class Preview:
    type: str
    label: str
    day: date
    description: str
    lines: tuple[PreviewLine, ...]  # none when the form was already posted (`duplicate_of`)
    total: int  # the sum of the money entries, in cents
    recipients: int
    alter_of: int | None = None
    duplicate_of: int | None = None  # the idempotency key was already posted as this transaction


def preview(db: Database, actor: Actor, payload: object, *, alter_of: int | None = None) -> Preview:
    """The entries `posting.post` (or `posting.alter` with `alter_of`) would write; raises as they would."""
    if alter_of is None:
        with db.session() as session:
            return _preview(prepare(session, actor, payload))

    def rehearse_alter(session: Session) -> Preview:
        edited = substitute(session, actor, alter_of, payload)
        return _preview(prepare(session, actor, edited), alter_of=alter_of)

    return db.rehearse(rehearse_alter)


def _preview(prepared: Prepared, *, alter_of: int | None = None) -> Preview:
    rule, earlier = prepared.rule, prepared.earlier
    if earlier is not None:
        return Preview(rule.type, rule.label, prepared.day, prepared.description, (), earlier.total,
                       earlier.recipients, alter_of=alter_of, duplicate_of=earlier.id)
    entries = prepared.entries
    return Preview(rule.type, rule.label, prepared.day, prepared.description, _lines(entries, prepared.people),
                   entries.total, len(entries.recipients), alter_of=alter_of)


def _lines(entries: Entries, people: Mapping[str, Person]) -> tuple[PreviewLine, ...]:
    lines = []
    for username in entries.recipients:
        person = people[username]
        lines.append(PreviewLine(
            username=username,
            full_name=person.full_name,
            squad=person.squad,
            money=tuple((m.amount, m.money_type, m.description) for m in entries.money if m.receiver == username),
            counters=tuple((c.counter_type, c.value, c.block) for c in entries.counters if c.receiver == username),
            balance_before=person.balance,
        ))
    return tuple(lines)

"""Creating transactions: prepare a payload, write it whole, and alter or template it.

A payload is the JSON of docs/rules.md#payloads. `prepare` (actions/prepare.py) checks it and asks its
rule for the entries; this module writes everything (transaction, entries, journal rows, caches, audit)
in one `BEGIN IMMEDIATE` transaction — or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from campbank.core.enums import Role, State
from campbank.core.errors import PermissionDenied, RuleError
from campbank.core.money import MAX_ENTRY, format_amount
from campbank.ledger import clock
from campbank.ledger.actions import four_eyes, savings_posting
from campbank.ledger.actions.prepare import Earlier, Prepared, prepare, substitute
from campbank.ledger.actions.states import transition
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, dialects
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import CounterEntry, Transaction
from campbank.ledger.transactions import load_transaction
from campbank.rules.base import Entries, Person, Rule


@dataclass(frozen=True)
class Posted:
    id: int
    type: str
    state: str
    recipients: int
    total: int  # the sum of the money entries, in cents
    duplicate: bool = False  # True when an idempotency key matched an earlier post
    waits: tuple[str, ...] = ()  # why it waits for a second manager (four eyes); empty when it need not

    def summary(self, sign: str = "@") -> str:
        what = f"{self.type}, {self.recipients} recipient{'s' if self.recipients != 1 else ''}"
        text = f"{what}, total {format_amount(self.total, sign)}, {self.state}"
        return text + (f" — {four_eyes.SECOND_MANAGER} because {'; '.join(self.waits)}" if self.waits else "")


def post(db: Database, actor: Actor, payload: object, *, now: datetime | None = None) -> Posted:
    """Post one transaction as `actor`. Raises InputError / RuleError / PermissionDenied, writing nothing."""
    return db.write(lambda session: post_in(session, actor, payload, now=now))


def post_in(
    session: Session,
    actor: Actor,
    payload: object,
    *,
    now: datetime | None = None,
    update_of: int | None = None,
    system_key: str | None = None,
) -> Posted:
    """`post` inside an open write transaction (for callers that post several things at once).

    `system_key` is for the ledger's own postings (the initial grant): a key from `store.keys`, which no
    payload can carry. A payload's own `idempotency_key` is stored scoped to the account that posts it.
    """
    return record(session, prepare(session, actor, payload, system_key=system_key), now=now, update_of=update_of)


def record(session: Session, prepared: Prepared, *, now: datetime | None = None, update_of: int | None = None
           ) -> Posted:
    """Write a prepared payload; a key already posted returns the earlier transaction and writes nothing."""
    if prepared.earlier is not None:
        return _posted_earlier(session, prepared.earlier)
    now = now or clock.now()
    posted = record_transaction(
        session, prepared.rule, prepared.creator_id, day=prepared.day, description=prepared.description,
        payload=prepared.payload, entries=prepared.entries, people=prepared.people, key=prepared.key,
        update_of=update_of, now=now, poster_id=prepared.poster_id,
    )
    if prepared.rule.savings_part is not None:
        assert prepared.context is not None and prepared.poster_id is not None
        savings_posting.after_posting(session, prepared.rule, posted.id, prepared.payload, prepared.context,
                                      actor_id=prepared.poster_id, now=now)
    return posted


def exact_number(value: object) -> str:
    """A number a payload carried as a Decimal (read exactly from JSON) is kept as its text: `12.5`."""
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} cannot be kept in a payload")


def record_transaction(
    session: Session,
    rule: Rule,
    creator_id: int | None,
    *,
    day: date,
    description: str,
    payload: Mapping[str, Any],
    entries: Entries,
    people: Mapping[str, Person],
    key: str | None = None,
    update_of: int | None = None,
    now: datetime | None = None,
    poster_id: int | None = None,
) -> Posted:
    """Write a checked transaction with its entries, audit it, and process it unless it awaits approval.

    `poster_id`: who posted it, when it is recorded as another's (a loan, created by the bank): the one
    four eyes measures, and who a held transaction's decision is reported to."""
    assert creator_id is not None
    _check_entry_sizes(entries)
    now = now or clock.now()
    txn = Transaction(
        type=rule.type,
        creator_id=creator_id,
        created_at=now,
        day=day,
        state=State.CREATED,
        description=description,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True, default=exact_number),
        update_of=update_of,
        idempotency_key=key,
        amount=entries.total,
        recipients=len(entries.recipients),
    )
    session.add(txn)
    session.flush()
    assert txn.id is not None
    _write_entries(session, txn, entries, people, day)
    audit.record(session, "txn.created", actor_id=creator_id, target=f"txn:{txn.id}", at=now,
                 type=rule.type, update_of=update_of)
    poster = poster_id or creator_id
    waits = four_eyes.reasons_to_hold(session, current_season(session), rule, poster, entries, people, now)
    if waits:
        four_eyes.hold(session, txn.id, poster, waits, now)
    elif not rule.needs_approval:
        transition(session, txn, State.PROCESSED, actor_id=creator_id, at=now)
    return Posted(txn.id, rule.type, str(txn.state), txn.recipients, txn.amount, waits=waits)


def alter(
    db: Database, actor: Actor, transaction_id: int, payload: object, *, now: datetime | None = None
) -> Posted:
    """Replace a processed transaction by one made from an edited payload (creator only)."""

    def work(session: Session) -> Posted:
        edited = substitute(session, actor, transaction_id, payload, now=now)
        return post_in(session, actor, edited, now=now, update_of=transaction_id)

    return db.write(work)


def template(db: Database, actor: Actor, transaction_id: int) -> dict[str, Any]:
    """The payload of an earlier transaction, to pre-fill a new one (creator or manager)."""
    with db.session() as session:
        account = acting_account(session, actor)
        require(account, Action.ALTER_OWN)
        txn = load_transaction(session, transaction_id)
        if txn.creator_id != account.id and account.role != Role.MANAGER:
            raise PermissionDenied(f"#{txn.id} was created by someone else")
        payload = json.loads(txn.payload)
        payload.pop("idempotency_key", None)
        return payload


def _posted_earlier(session: Session, earlier: Earlier) -> Posted:
    waits = four_eyes.held_reasons(session, earlier.id) if earlier.state == State.CREATED else None
    return Posted(earlier.id, earlier.type, earlier.state, earlier.recipients, earlier.total, duplicate=True,
                  waits=waits or ())


def _check_entry_sizes(entries: Entries) -> None:
    """No entry larger than the ledger's bound (core.money.MAX_ENTRY), so no sum can overflow 64 bits: a rule
    may compute more than the season's limit (an exam's whole pool to one student, the n-th lecture fine)."""
    for money in entries.money:
        if abs(money.amount) > MAX_ENTRY:
            raise RuleError(f"{format_amount(money.amount)} for {money.receiver} is more than one entry may "
                            f"carry ({format_amount(MAX_ENTRY)})", field="amount")
    for counter in entries.counters:
        if abs(counter.value) > MAX_ENTRY:
            raise RuleError(f"{counter.counter_type} {counter.value} for {counter.receiver} is more than one "
                            "entry may carry", field=counter.counter_type)



def _write_entries(
    session: Session, txn: Transaction, entries: Entries, people: Mapping[str, Person], day: date
) -> None:
    ids = {username: person.id for username, person in people.items()}

    def unknown(username: str) -> RuleError:  # a rule named someone the payload did not: a rule bug, never input
        return RuleError(f"rule {txn.type} named an unknown receiver {username!r}")

    def person_id(username: str) -> int:
        if (found := ids.get(username)) is None:
            raise unknown(username)
        return found

    if entries.money:  # plain tuples through the driver: a tax or a group post writes thousands of rows
        session.flush()  # what the session holds goes first, as the ORM's own insert would do
        try:
            rows = [(txn.id, ids[m.receiver], m.amount, m.money_type, m.description) for m in entries.money]
        except KeyError as missing:
            raise unknown(missing.args[0]) from None
        dialects.raw_cursor(session).executemany(
            "INSERT INTO money_entry (transaction_id, receiver_id, amount, money_type, description) "
            "VALUES (?, ?, ?, ?, ?)", rows)
    if entries.counters:
        session.execute(
            insert(CounterEntry),
            [
                {"transaction_id": txn.id, "receiver_id": person_id(c.receiver), "counter_type": c.counter_type,
                 "value": c.value, "day": day, "block": c.block}
                for c in entries.counters
            ],
        )

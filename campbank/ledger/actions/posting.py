"""Creating transactions: validate a payload with its rule, write it whole, and alter or template it.

A payload is the JSON of SPEC §10. The rule turns it into entries; this module checks who may post it,
names every refusal's field, keeps the payload for alter/template, and writes everything (transaction,
entries, journal rows, caches, audit) in one `BEGIN IMMEDIATE` transaction — or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from campbank.core.enums import Role, State
from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.core.money import format_amount
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.actions import four_eyes
from campbank.ledger.actions.clashes import check_clashes
from campbank.ledger.actions.states import transition
from campbank.ledger.people import acting_account, load_people, usernames_in
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, CounterEntry, MoneyEntry, Transaction
from campbank.ledger.transactions import load_transaction
from campbank.rules import rule_for
from campbank.rules.base import Entries, Person, Rule, RuleContext

COMMON_FIELDS = frozenset({"type", "description", "date", "idempotency_key"})
MAX_DESCRIPTION = 500
MAX_KEY = 200


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
) -> Posted:
    """`post` inside an open write transaction (for callers that post several things at once)."""
    payload = _as_object(payload)
    account = acting_account(session, actor)
    rule = rule_for(payload.get("type"))
    _check_may_create(account, rule)
    key = _idempotency_key(payload)
    if key is not None and (earlier := _earlier_post(session, key, account, payload)) is not None:
        return earlier
    season = current_season(session)
    _check_known_fields(payload, rule, season)
    day = parse_day(payload.get("date"), season)
    description = _description(payload)
    people = load_people(session, usernames_in(payload) | {account.username})
    creator = people[account.username]
    ctx = RuleContext(season=season, day=day, creator=creator, people=people)
    entries = rule.build(payload, ctx)
    check_clashes(session, season, entries, day, people)
    return record_transaction(
        session, rule, account.id, day=day, description=description, payload=payload, entries=entries,
        people=people, key=key, update_of=update_of, now=now,
    )


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
) -> Posted:
    """Write a checked transaction with its entries, audit it, and process it unless it awaits approval."""
    assert creator_id is not None
    now = now or clock.now()
    txn = Transaction(
        type=rule.type,
        creator_id=creator_id,
        created_at=now,
        day=day,
        state=State.CREATED,
        description=description,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
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
    waits = four_eyes.reasons_to_hold(session, current_season(session), rule, creator_id, entries, people, now)
    if waits:
        four_eyes.hold(session, txn.id, creator_id, waits, now)
    elif not rule.needs_approval:
        transition(session, txn, State.PROCESSED, actor_id=creator_id, at=now)
    return Posted(txn.id, rule.type, str(txn.state), len(entries.recipients), entries.total, waits=waits)


def alter(
    db: Database, actor: Actor, transaction_id: int, payload: object, *, now: datetime | None = None
) -> Posted:
    """Replace a processed transaction by one made from an edited payload (creator only)."""

    def work(session: Session) -> Posted:
        account = acting_account(session, actor)
        require(account, Action.ALTER_OWN)
        old = load_transaction(session, transaction_id)
        if old.creator_id != account.id:
            raise PermissionDenied(f"#{old.id} was created by someone else; only its creator may alter it")
        edited = dict(_as_object(payload))
        edited.pop("idempotency_key", None)
        if edited.get("type", old.type) != old.type:
            raise InputError(f"must stay {old.type!r}; cancel and post anew to change it", field="type")
        edited["type"] = old.type
        transition(session, old, State.SUBSTITUTED, actor_id=account.id, at=now, reason="altered")
        return post_in(session, actor, edited, now=now, update_of=old.id)

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


def parse_day(value: object, season: Season) -> date:
    """The payload's `date`: YYYY-MM-DD within the season; today when absent."""
    if value is None or value == "":
        day = clock.today()
    elif not isinstance(value, str):
        raise InputError("must be a date written YYYY-MM-DD", field="date")
    else:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{value!r} is not a date written YYYY-MM-DD", field="date") from None
    if not season.contains(day):
        raise InputError(
            f"{day} is outside the season ({season.first_day} to {season.last_day})", field="date"
        )
    return day


def _as_object(payload: object) -> dict[str, Any]:
    if not isinstance(payload, Mapping):
        raise InputError("must be a JSON object such as {\"type\": \"fine\", ...}", field="payload")
    _check_text(payload, "payload")
    return dict(payload)


def _check_text(value: object, where: str) -> None:
    """Refuse text that cannot be stored as UTF-8 (a lone surrogate), naming where it is."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError("contains characters that are not valid text", field=where) from None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_text(key, where)
            _check_text(item, f"{where}.{key}" if where != "payload" else str(key))
    elif isinstance(value, list):
        for item in value:
            _check_text(item, where)


def _check_may_create(account: Account, rule: Rule) -> None:
    if rule.system_only:
        raise PermissionDenied(f"{rule.type} transactions are made only by {rule.made_by}", field="type")
    if account.role not in rule.creator_roles:
        raise PermissionDenied(f"a {account.role} may not create a {rule.type} transaction")
    require(account, Action.REQUEST_TRANSFER if account.role == Role.STUDENT else
            Action.CREATE_STAFF_TRANSACTION)


def _check_known_fields(payload: Mapping[str, Any], rule: Rule, season: Season) -> None:
    known = COMMON_FIELDS | {f.name for f in rule.fields(season)}
    unknown = sorted(set(payload) - known)
    if unknown:
        raise InputError(
            f"is not a field of {rule.type}; its fields are {', '.join(sorted(known))}", field=unknown[0]
        )


def _description(payload: Mapping[str, Any]) -> str:
    value = payload.get("description", "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError("must be text", field="description")
    if len(value) > MAX_DESCRIPTION:
        raise InputError(f"must be at most {MAX_DESCRIPTION} characters", field="description")
    return value.strip()


def _idempotency_key(payload: Mapping[str, Any]) -> str | None:
    key = payload.get("idempotency_key")
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
        raise InputError(f"must be non-empty text of at most {MAX_KEY} characters", field="idempotency_key")
    return key.strip()


def _earlier_post(
    session: Session, key: str, account: Account, payload: Mapping[str, Any]
) -> Posted | None:
    earlier = session.exec(select(Transaction).where(Transaction.idempotency_key == key)).first()
    if earlier is None:
        return None
    assert earlier.id is not None
    same = earlier.creator_id == account.id and json.loads(earlier.payload) == dict(payload)
    if not same:
        raise RuleError(f"was already used for #{earlier.id} with a different payload", field="idempotency_key")
    money = session.exec(select(MoneyEntry).where(MoneyEntry.transaction_id == earlier.id)).all()
    recipients = {m.receiver_id for m in money}
    recipients.update(
        c.receiver_id
        for c in session.exec(select(CounterEntry).where(CounterEntry.transaction_id == earlier.id))
    )
    waits = four_eyes.held_reasons(session, earlier.id) if earlier.state == State.CREATED else None
    return Posted(earlier.id, earlier.type, str(earlier.state), len(recipients),
                  sum(m.amount for m in money), duplicate=True, waits=waits or ())


def _write_entries(
    session: Session, txn: Transaction, entries: Entries, people: Mapping[str, Person], day: date
) -> None:
    def person_id(username: str) -> int:
        person = people.get(username)
        if person is None:  # a rule named someone the payload did not: a rule bug, never input
            raise RuleError(f"rule {txn.type} named an unknown receiver {username!r}")
        return person.id

    if entries.money:
        session.execute(
            insert(MoneyEntry),
            [
                {"transaction_id": txn.id, "receiver_id": person_id(m.receiver), "amount": m.amount,
                 "money_type": m.money_type, "description": m.description}
                for m in entries.money
            ],
        )
    if entries.counters:
        session.execute(
            insert(CounterEntry),
            [
                {"transaction_id": txn.id, "receiver_id": person_id(c.receiver), "counter_type": c.counter_type,
                 "value": c.value, "day": day, "block": c.block}
                for c in entries.counters
            ],
        )

"""Preparing a transaction: every check a payload passes before anything is written, in one place.

`prepare` is shared by `posting.post`, `posting.alter` and `preview.preview`: it checks who may create
the type, the idempotency key, the known fields, the date, the description, the rule's own validation and
the time-block clash check, and returns the entries the rule made. Posting records them; a preview shows
them. `substitute` is the first half of an alter: the checks on the old transaction, then the old one
stops counting, so the preparation that follows sees the camp exactly as the alter leaves it.

A preview of an alter runs `substitute` and `prepare` inside a write transaction that is always rolled
back (`Database.rehearse`): every read, through the ORM or raw SQL, sees the old transaction gone, and
nothing is kept. See docs/guarantees.md#idempotency for the keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from campbank.core.enums import Role, State
from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.core.season import Season
from campbank.core.text import clean_text, text_problem
from campbank.ledger import clock
from campbank.ledger.actions import savings_posting
from campbank.ledger.actions.clashes import check_clashes
from campbank.ledger.actions.states import transition
from campbank.ledger.people import acting_account, load_people
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import keys
from campbank.ledger.store import savings as savings_store
from campbank.ledger.store.tables import Account, MoneyEntry, Transaction
from campbank.ledger.transactions import load_transaction
from campbank.rules import REGISTRY, rule_for
from campbank.rules.base import Entries, Person, Rule, RuleContext, usernames_in

COMMON_FIELDS = frozenset({"type", "description", "date", "idempotency_key"})
MAX_DESCRIPTION = 500
MAX_KEY = 200
MAX_DEPTH = 32  # no payload nests deeper than 3; far deeper is an attack on the reader, not a transaction
MAX_WHOLE = 10**30  # a whole number this large is never an amount, an id or a score


@dataclass(frozen=True)
class Earlier:
    """The transaction an idempotency key already made: posting the same payload again changes nothing."""

    id: int
    type: str
    state: str
    recipients: int
    total: int
    day: date
    description: str


@dataclass(frozen=True)
class Prepared:
    """A checked payload: what `record_transaction` writes, or what a preview shows.

    When `earlier` is set the key was already posted with this payload, and nothing else was checked:
    `entries` is empty and `people` holds nobody.
    """

    rule: Rule
    creator_id: int
    payload: dict[str, Any]
    day: date
    description: str
    key: str | None
    entries: Entries = field(default_factory=Entries)
    people: Mapping[str, Person] = field(default_factory=dict)
    earlier: Earlier | None = None
    context: RuleContext | None = None  # what the rule was built with (savings and credit read it again)
    poster_id: int | None = None  # who posted it, when the transaction is recorded as another's (a loan: the bank)


def prepare(session: Session, actor: Actor, payload: object, *, system_key: str | None = None) -> Prepared:
    """Check `payload` as `actor` would post it and build its entries; raises what posting would raise.

    `system_key` is for the ledger's own postings (the initial grant): a key from `store.keys`, which no
    payload can carry. A payload's own `idempotency_key` is stored scoped to the account that posts it."""
    payload = as_payload(payload)
    account = acting_account(session, actor)
    assert account.id is not None
    rule = rule_for(payload.get("type"))
    _check_may_create(account, rule)
    key = system_key if system_key is not None else stored_key(payload, account.id)
    if key is not None and (earlier := _earlier_post(session, key, account, payload)) is not None:
        return Prepared(rule, account.id, payload, earlier.day, earlier.description, key, earlier=earlier)
    season = current_season(session)
    _check_known_fields(payload, rule, season)
    day = parse_day(payload.get("date"), season)
    description = _description(payload)
    people = load_people(session, usernames_in(payload, rule.fields(season)) | {account.username})
    creator = people[account.username]
    saving = savings_posting.facts_for(session, rule, payload, creator, people)
    people = {**saving.people, **people}
    waiting = waiting_requests(session, account.id) if rule.needs_approval else 0
    ctx = RuleContext(season=season, day=day, creator=creator, people=people, savings=saving.facts,
                      waiting_out=waiting)
    entries = rule.build(payload, ctx)
    check_clashes(session, season, entries, day, people)
    return Prepared(rule, saving.recorded_as or account.id, payload, day, description, key, entries, people,
                    context=ctx, poster_id=account.id)


def waiting_requests(session: Session, creator_id: int) -> int:
    """What the creator's requests still waiting for approval would take from them, in cents."""
    waiting = tuple(each.type for each in REGISTRY.values() if each.needs_approval)
    total = session.execute(
        select_columns(func.coalesce(func.sum(col(MoneyEntry.amount)), 0))
        .join(Transaction, col(Transaction.id) == col(MoneyEntry.transaction_id))
        .where(col(Transaction.creator_id) == creator_id).where(col(Transaction.state) == State.CREATED)
        .where(col(Transaction.type).in_(waiting))
    ).scalar_one()
    return int(total)


def substitute(session: Session, actor: Actor, transaction_id: int, payload: object, *,
               now: datetime | None = None) -> dict[str, Any]:
    """The old half of an alter: check the actor may replace `transaction_id` with `payload`, make the old
    transaction stop counting, and return the edited payload to prepare (same type, no key)."""
    account = acting_account(session, actor)
    require(account, Action.ALTER_OWN)
    old = load_transaction(session, transaction_id)
    if old.creator_id != account.id:
        raise PermissionDenied(f"#{old.id} was created by someone else; only its creator may alter it")
    edited = as_payload(payload)
    edited.pop("idempotency_key", None)
    if edited.get("type", old.type) != old.type:
        raise InputError(f"must stay {old.type!r}; cancel and post anew to change it", field="type")
    edited["type"] = old.type
    transition(session, old, State.SUBSTITUTED, actor_id=account.id, at=now, reason="altered")
    return edited


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


def as_payload(payload: object) -> dict[str, Any]:
    """A copy of the payload as a dict, refusing what is not a JSON object or not valid text."""
    if not isinstance(payload, Mapping):
        raise InputError("must be a JSON object such as {\"type\": \"fine\", ...}", field="payload")
    _check_values(payload)
    return dict(payload)


def _check_values(payload: Mapping[str, Any]) -> None:
    """Refuse, naming where, what cannot be stored or would only wear the ledger out: text that is not valid
    UTF-8 (a lone surrogate), nesting deeper than MAX_DEPTH, a whole number of 31 digits or more. Walked with
    a list, not recursion, so no payload can exhaust Python's stack."""
    waiting: list[tuple[object, str, int]] = [(payload, "payload", 0)]
    while waiting:
        value, where, depth = waiting.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"is nested more than {MAX_DEPTH} levels deep", field=where)
        if isinstance(value, str):
            _check_text(value, where)
        elif isinstance(value, int) and not isinstance(value, bool):
            if abs(value) >= MAX_WHOLE:
                raise InputError("is a whole number of more than 30 digits: far too large", field=where)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                _check_text(key, where)
                waiting.append((item, f"{where}.{key}" if where != "payload" else str(key), depth + 1))
        elif isinstance(value, list):
            waiting.extend((item, where, depth + 1) for item in value)


def _check_text(value: object, where: str) -> None:
    """Refuse text a person could not have typed on one line — control characters, escape sequences,
    direction overrides, lone surrogates — naming where it is."""
    if isinstance(value, str) and (problem := text_problem(value)):
        raise InputError(problem, field=where)


def _check_may_create(account: Account, rule: Rule) -> None:
    if rule.system_only:
        raise PermissionDenied(f"{rule.type} transactions are made only by {rule.made_by}", field="type")
    if account.role not in rule.creator_roles:
        raise PermissionDenied(f"a {account.role} may not create a {rule.type} transaction")
    if rule.savings_part is not None:
        require(account, Action.KEEP_POCKETS if account.role == Role.STUDENT else Action.GRANT_LOANS)
        return
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
    return clean_text(value, field="description", max_length=MAX_DESCRIPTION)


def stored_key(payload: Mapping[str, Any], creator_id: int) -> str | None:
    """The payload's `idempotency_key` as stored: scoped to its creator, so it can never be a system key
    nor collide with someone else's key (see `store.keys`)."""
    key = payload.get("idempotency_key")
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY:
        raise InputError(f"must be non-empty text of at most {MAX_KEY} characters", field="idempotency_key")
    return keys.payload_key(creator_id, key.strip())


def _earlier_post(session: Session, key: str, account: Account, payload: Mapping[str, Any]) -> Earlier | None:
    earlier = session.exec(select(Transaction).where(Transaction.idempotency_key == key)).first()
    if earlier is None:
        return None
    assert earlier.id is not None
    poster = savings_store.poster_of(session, earlier.id, earlier.creator_id) == account.id
    same = poster and json.loads(earlier.payload) == dict(payload)
    if not same:
        raise RuleError(f"was already used for #{earlier.id} with a different payload", field="idempotency_key")
    return Earlier(earlier.id, earlier.type, str(earlier.state), earlier.recipients, earlier.amount, earlier.day,
                   earlier.description)


"""Four eyes: a staff transaction over one of the season's `[oversight]` limits waits for a second manager.

At post time (`reasons_to_hold`, called by `posting.record_transaction`) a staff or manager transaction is
measured against the limits of the season in force: one amount (either sign) above
`second_approval_above`, the money it moves (Σ |amount|) above `total_above`, or what its creator has
issued today (counted transactions created today, positive amounts) plus what this one issues above
`daily_budget_per_staff`. If any is passed it stays `created` — its entries count nowhere — and a
`txn_hold` row (append-only) keeps why, for the creator's message and the approval queue.

A manager other than the creator approves it (`states.approve`, which calls `check_approver` and
`recheck`) or rejects it with a reason. Approval re-checks what may have changed since the post: the
creator may still create it, the date lies in the season in force, and the rule, run again on the stored
payload against the camp as it is now, makes exactly the stored entries with no time-block clash; anything
else is refused and the transaction is left waiting (reject it and post it anew). See docs/oversight.md.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from campbank.core.enums import Role
from campbank.core.errors import CampBankError, PermissionDenied, RuleError
from campbank.core.money import format_amount
from campbank.core.season import Season
from campbank.ledger.actions import savings_posting
from campbank.ledger.actions.clashes import check_clashes
from campbank.ledger.people import BANK, load_people
from campbank.ledger.permissions import Action, require
from campbank.ledger.store import audit
from campbank.ledger.store import savings as savings_store
from campbank.ledger.store.tables import Account, CounterEntry, LoanRow, MoneyEntry, Transaction, TransactionHold
from campbank.rules import rule_for
from campbank.rules.base import Entries, Person, Rule, RuleContext, usernames_in

SECOND_MANAGER = "waits for a second manager"


def reasons_to_hold(session: Session, season: Season, rule: Rule, creator_id: int, entries: Entries,
                    people: Mapping[str, Person], now: datetime) -> tuple[str, ...]:
    """Why this new transaction must wait for a second manager (empty: it need not)."""
    limits = season.oversight
    if not limits.active or rule.needs_approval or rule.system_only or not entries.money:
        return ()
    creator = session.get(Account, creator_id)
    if creator is None or creator.username == BANK or creator.role == Role.STUDENT:
        return ()
    sign = season.currency_sign
    reasons: list[str] = []
    if limits.second_approval_above is not None:
        largest = max(entries.money, key=lambda line: abs(line.amount))
        if abs(largest.amount) > limits.second_approval_above:
            whom = people[largest.receiver].full_name if largest.receiver in people else largest.receiver
            reasons.append(f"one amount is above {format_amount(limits.second_approval_above, sign)} "
                           f"({format_amount(largest.amount, sign)} for {whom})")
    moved = sum(abs(line.amount) for line in entries.money)
    if limits.total_above is not None and moved > limits.total_above:
        reasons.append(f"it moves {format_amount(moved, sign)} in all, above "
                       f"{format_amount(limits.total_above, sign)}")
    issues = sum(line.amount for line in entries.money if line.amount > 0)
    if limits.daily_budget_per_staff is not None and issues > 0:
        today = issued_today(session, creator_id, now) + issues
        if today > limits.daily_budget_per_staff:
            reasons.append(f"{creator.username} would issue {format_amount(today, sign)} today, above the "
                           f"daily budget of {format_amount(limits.daily_budget_per_staff, sign)}")
    return tuple(reasons)


def issued_today(session: Session, creator_id: int, now: datetime) -> int:
    """Money the creator's counted transactions created on `now`'s camp day have issued (positive amounts).

    The camp day is the office's local date, as everywhere a person says "today"; transactions waiting for
    a second manager issue nothing until they are approved."""
    start, end = _local_day_bounds(now)
    issued = (select(func.coalesce(func.sum(MoneyEntry.amount), 0))
              .join(Transaction, col(Transaction.id) == col(MoneyEntry.transaction_id))
              .where(Transaction.state == "processed", col(MoneyEntry.amount) > 0,
                     col(Transaction.created_at) >= start, col(Transaction.created_at) < end))
    # Two sums, so that each finds its few rows by an index: what the creator posted (by creator and time),
    # and the loans they granted (recorded as the bank's).
    loans = select(LoanRow.transaction_id)
    own = session.exec(issued.where(Transaction.creator_id == creator_id,
                                    col(Transaction.id).not_in(loans))).one()
    lent = session.exec(issued.where(col(Transaction.id).in_(loans.where(LoanRow.granted_by_id == creator_id)))).one()
    return int(own or 0) + int(lent or 0)


def _local_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The office's local day containing `now`, as UTC bounds (the database stores times in UTC)."""
    local = now.astimezone()
    start = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def hold(session: Session, transaction_id: int, creator_id: int, reasons: Sequence[str], at: datetime) -> None:
    """Keep why the transaction waits (append-only), and audit it."""
    session.add(TransactionHold(transaction_id=transaction_id, reasons=json.dumps(list(reasons), ensure_ascii=False),
                                at=at))
    audit.record(session, "oversight.held", actor_id=creator_id, target=f"txn:{transaction_id}", at=at,
                 reasons=list(reasons))


def held_reasons(session: Session, transaction_id: int) -> tuple[str, ...] | None:
    """Why a transaction waits for a second manager, or None when it was never held."""
    row = session.exec(select(TransactionHold.reasons).where(TransactionHold.transaction_id == transaction_id)
                       ).first()
    return None if row is None else tuple(json.loads(row))


def check_approver(session: Session, account: Account, txn: Transaction) -> None:
    """Only a manager, and never the one who posted it, decides a held transaction."""
    require(account, Action.APPROVE_HELD)
    assert txn.id is not None
    if account.id == savings_store.poster_of(session, txn.id, txn.creator_id):
        raise PermissionDenied(f"#{txn.id} was created by {account.username}; a second manager must decide it",
                               field="id")


def recheck(session: Session, txn: Transaction, season: Season) -> None:
    """Refuse approval if the transaction would not be posted as it stands, now."""
    assert txn.id is not None
    creator = session.get(Account, savings_store.poster_of(session, txn.id, txn.creator_id))
    assert creator is not None
    rule = rule_for(txn.type)
    if not creator.active:
        raise RuleError(f"its creator {creator.username} has been deactivated; reject it", field="id")
    if creator.role not in rule.creator_roles:
        raise RuleError(f"its creator {creator.username} may no longer create a {txn.type}; reject it", field="id")
    day = txn.day if isinstance(txn.day, date) else date.fromisoformat(str(txn.day))
    if not season.contains(day):
        raise RuleError(f"its date {day} is outside the season in force ({season.first_day} to {season.last_day})",
                        field="date")
    payload = json.loads(txn.payload)
    people = load_people(session, usernames_in(payload, rule.fields(season)) | {creator.username})
    saving = savings_posting.facts_for(session, rule, payload, people[creator.username], people, held=txn.id)
    people = {**saving.people, **people}
    ctx = RuleContext(season=season, day=day, creator=people[creator.username], people=people,
                      savings=saving.facts)
    try:
        rebuilt = rule.build(payload, ctx)
    except (CampBankError, ValueError) as error:
        raise RuleError(f"#{txn.id} would now be refused ({error}); reject it", field="id") from None
    stored = _stored_entries(session, txn.id)
    names = {person.id: person.username for person in people.values()}
    difference = _first_difference(stored, _as_rows(rebuilt, people), names)
    if difference is not None:
        raise RuleError(f"#{txn.id} would now post different entries ({difference}); reject it and post it anew",
                        field="id")
    check_clashes(session, season, rebuilt, day, people)


# money: (receiver id, amount, money type, description); counters: (receiver id, counter type, value, block)
Rows = Counter[tuple[object, ...]]


def _stored_entries(session: Session, transaction_id: int) -> tuple[Rows, Rows]:
    money = session.exec(select(MoneyEntry.receiver_id, MoneyEntry.amount, MoneyEntry.money_type,
                                MoneyEntry.description).where(MoneyEntry.transaction_id == transaction_id)).all()
    counters = session.exec(select(CounterEntry.receiver_id, CounterEntry.counter_type, CounterEntry.value,
                                   CounterEntry.block).where(CounterEntry.transaction_id == transaction_id)).all()
    return Counter(tuple(row) for row in money), Counter(tuple(row) for row in counters)


def _as_rows(entries: Entries, people: Mapping[str, Person]) -> tuple[Rows, Rows]:
    money: Rows = Counter((people[m.receiver].id, m.amount, m.money_type, m.description) for m in entries.money)
    counters: Rows = Counter((people[c.receiver].id, c.counter_type, c.value, c.block) for c in entries.counters)
    return money, counters


def _first_difference(stored: tuple[Rows, Rows], now: tuple[Rows, Rows], names: Mapping[Any, str]) -> str | None:
    """What differs, naming the students: "money for ivanov: posted -10.00, now -30.00"."""
    for kind, before, after in (("money", stored[0], now[0]), ("counters", stored[1], now[1])):
        if before == after:
            continue
        gone, new = before - after, after - before
        who = sorted({row[0] for row in (*gone, *new)}, key=lambda i: names.get(i, ""))
        parts = []
        for person in who[:3]:
            was = ", ".join(_shown(row, kind) for row in gone.elements() if row[0] == person) or "nothing"
            becomes = ", ".join(_shown(row, kind) for row in new.elements() if row[0] == person) or "nothing"
            parts.append(f"{kind} for {names.get(person, str(person))}: posted {was}, now {becomes}")
        if len(who) > 3:
            parts.append(f"and {len(who) - 3} more")
        return "; ".join(parts)
    return None


def _shown(row: tuple[object, ...], kind: str) -> str:
    amount = row[1]
    if kind == "money" and isinstance(amount, int):
        return format_amount(amount, sign="")
    return f"{row[1]} {row[2]}"

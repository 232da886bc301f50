"""Funds: staff open a pool for a shared goal, students contribute, staff spend it at the target, and
every contribution is refunded exactly at a deadline missed or on cancel (docs/savings.md#funds).

A fund's money sits on an account of its own. Spending pays its whole total to the bank as a purchase for
the goal; refunding pays each contributor the sum of their counted contributions. Either is one
transaction whose creator is the fund's account, keyed `sys:fund:ID:spend|refund`, so a fund is closed
once, one way, even when the nightly run and a person try at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from campbank.core.errors import InputError, NotFound, RuleError
from campbank.core.money import format_amount, parse_amount
from campbank.core.text import clean_name, clean_text
from campbank.ledger import clock
from campbank.ledger.actions.grants import season_day
from campbank.ledger.actions.posting import Posted, post, record_transaction
from campbank.ledger.people import acting_account, bank_account, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, keys
from campbank.ledger.store import savings as store
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import FundRow, Transaction
from campbank.rules.base import Person, RuleContext
from campbank.rules.fund_refund import RULE as REFUND
from campbank.rules.fund_spend import RULE as SPEND
from campbank.rules.savings import Fund, SavingsFacts, require_part

MAX_NAME = 60
MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class FundClosed:
    fund_id: int
    state: str  # spent | refunded | cancelled
    total: int
    transaction_id: int | None  # None when nobody had contributed
    people: int = 0  # contributors refunded


def open_fund(db: Database, actor: Actor, name: str, target: object, deadline: object, *,
              squad: str | None = None, now: datetime | None = None) -> int:
    """Open a fund (staff); returns its number."""

    def work(session: Session) -> int:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_FUNDS)
        season = current_season(session)
        require_part(season, "funds")
        fund_name = _name(name)
        goal = parse_amount(target, field="target", limit=season.funds.max_target)
        last = _deadline(deadline, season.first_day, season.last_day)
        if squad not in (None, "") and squad not in season.squads:
            raise InputError(f"{squad!r} is not one of the season's squads ({', '.join(season.squads)})",
                             field="squad")
        at = now or clock.now()
        holder = store.new_holding_account(session, store.FUND_ROLE, store.next_fund_username(session), owner=None,
                                           now=at)
        holder.last_name = fund_name
        assert holder.id is not None and account.id is not None
        row = FundRow(account_id=holder.id, name=fund_name, target=goal, deadline=last, squad=squad or None,
                      opened_by_id=account.id, opened_at=at)
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.record(session, "fund.opened", actor_id=account.id, target=f"fund:{row.id}", at=at, name=fund_name,
                     goal=goal, deadline=last.isoformat(), squad=squad or None)
        return row.id

    return db.write(work)


def contribute(db: Database, actor: Actor, fund_id: int, amount: object, *, date: str | None = None) -> Posted:
    """A student puts money from the main pocket into a fund (a `fund_contribution` transaction)."""
    payload: dict[str, object] = {"type": "fund_contribution", "fund": fund_id, "amount": amount}
    if date:
        payload["date"] = date
    return post(db, actor, payload)


def spend(db: Database, actor: Actor, fund_id: int, description: str, *, day: date | None = None,
          now: datetime | None = None) -> FundClosed:
    """Spend a fund that reached its target (staff): its total goes to the bank, for what `description` says."""

    def work(session: Session) -> FundClosed:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_FUNDS)
        season = current_season(session)
        what = _description(description)
        row, fund, holder = _open(session, fund_id)
        if fund.total < fund.target:
            raise RuleError(f"fund #{fund_id} holds {format_amount(fund.total, season.currency_sign)} of its "
                            f"{format_amount(fund.target, season.currency_sign)} target; it cannot be spent yet",
                            field="fund")
        at = now or clock.now()
        bank = person_of(bank_account(session))
        when = season_day(season, day)
        ctx = RuleContext(season=season, day=when, creator=holder, people={bank.username: bank},
                          savings=SavingsFacts(fund=fund, bank=bank.username))
        posted = record_transaction(
            session, SPEND, holder.id, day=when, description=what,
            payload={"type": SPEND.type, "fund": fund_id, "date": when.isoformat(), "description": what},
            entries=SPEND.build({}, ctx), people={bank.username: bank}, key=keys.fund_closing(fund_id, "spend"),
            now=at)
        _close(session, row, "spent", account.id, at, posted.id)
        audit.record(session, "fund.spent", actor_id=account.id, target=f"fund:{fund_id}", at=at, total=fund.total,
                     description=what, transaction=posted.id)
        return FundClosed(fund_id, "spent", fund.total, posted.id)

    return db.write(work)


def cancel(db: Database, actor: Actor, fund_id: int, *, reason: str = "", day: date | None = None,
           now: datetime | None = None) -> FundClosed:
    """Cancel an open fund (staff): every contribution is refunded exactly, in one transaction."""

    def work(session: Session) -> FundClosed:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_FUNDS)
        row, _fund, _holder = _open(session, fund_id)
        at = now or clock.now()
        closed = refund_in(session, row, "cancelled", actor_id=account.id,
                           day=season_day(current_season(session), day), now=at)
        audit.record(session, "fund.cancelled", actor_id=account.id, target=f"fund:{fund_id}", at=at,
                     total=closed.total, transaction=closed.transaction_id, reason=reason)
        return closed

    return db.write(work)


def refund_in(session: Session, row: FundRow, state: str, *, actor_id: int | None, day: date,
              now: datetime) -> FundClosed:
    """Inside a write: refund every counted contribution of an open fund and close it as `state`."""
    assert row.id is not None
    found = store.fund(session, row.id)
    assert found is not None
    fund, holder = found
    paid = store.contributions(session, row.account_id)
    people = {username: Person(id=account_id, username=username, role="student", full_name=username, squad=None,
                               grade=None, active=True, balance=0)
              for username, (account_id, _amount) in paid.items()}
    ctx = RuleContext(season=current_season(session), day=day, creator=holder, people=people,
                      savings=SavingsFacts(fund=fund, contributions={u: a for u, (_i, a) in paid.items()}))
    entries = REFUND.build({}, ctx)
    transaction_id = None
    if entries.money:
        posted = record_transaction(
            session, REFUND, holder.id, day=day, description=f"Refund of fund #{row.id}: {row.name}",
            payload={"type": REFUND.type, "fund": row.id, "date": day.isoformat()}, entries=entries, people=people,
            key=keys.fund_closing(row.id, "refund"), now=now)
        transaction_id = posted.id
    _close(session, row, state, actor_id, now, transaction_id)
    return FundClosed(row.id, state, entries.total, transaction_id, len(entries.money))


def _open(session: Session, fund_id: int) -> tuple[FundRow, Fund, Person]:
    row = session.get(FundRow, fund_id)
    found = store.fund(session, fund_id)
    if row is None or found is None:
        raise NotFound(f"there is no fund #{fund_id}", field="fund")
    fund, holder = found
    if fund.state != "open":
        raise RuleError(f"fund #{fund_id} is already {fund.state}", field="fund")
    return row, fund, holder


def _close(session: Session, row: FundRow, state: str, actor_id: int | None, at: datetime,
           transaction_id: int | None) -> None:
    row.state = state
    row.closed_at = at
    row.closed_by_id = actor_id
    row.closing_transaction_id = transaction_id
    session.add(row)
    session.flush()


def closing_transaction(session: Session, fund_id: int) -> Transaction | None:
    row = session.get(FundRow, fund_id)
    if row is None or row.closing_transaction_id is None:
        return None
    return session.exec(select(Transaction).where(Transaction.id == row.closing_transaction_id)).first()


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("a fund needs a name, such as Squad 2 kayak trip", field="name")
    return clean_name(value, field="name", max_length=MAX_NAME)  # the one input filter (docs/security.md)


def _description(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("say what the fund's money buys", field="description")
    return clean_text(value, field="description", max_length=MAX_DESCRIPTION)


def _deadline(value: object, first: date, last: date) -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise InputError(f"{value!r} is not a date written YYYY-MM-DD", field="deadline") from None
    if not first <= day <= last:
        raise InputError(f"{day} is outside the season ({first} to {last})", field="deadline")
    return day

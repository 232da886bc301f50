"""What posting does besides the usual for the savings types a person posts (docs/savings.md#storage).

Before the rule runs, `facts_for` reads what it needs (the student's pockets, the borrower's open loan,
the fund) and the accounts it may name (pockets, the fund, the bank). A loan is recorded as created by the
bank, which lends the money; who granted it is kept on the loan and in the audit log. After the
transaction is written, `after_posting` writes the loan and which loan a repayment paid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from campbank.core.errors import InputError
from campbank.ledger.people import bank_account, person_of
from campbank.ledger.store import audit
from campbank.ledger.store import savings as store
from campbank.ledger.store.tables import LoanRow
from campbank.rules.base import Payload, Person, Rule, RuleContext
from campbank.rules.loan import loan_terms
from campbank.rules.savings import SavingsFacts


@dataclass(frozen=True)
class SavingsPosting:
    facts: SavingsFacts | None = None
    people: Mapping[str, Person] = field(default_factory=dict)  # accounts the rule may name
    recorded_as: int | None = None  # the transaction's creator when it is not the poster (a loan: the bank)


NOTHING = SavingsPosting()


def facts_for(session: Session, rule: Rule, payload: Payload, creator: Person,
              people: Mapping[str, Person], *, held: int | None = None) -> SavingsPosting:
    """The savings facts and accounts a rule needs; NOTHING for every other type. `held`: the transaction
    being re-checked for a second manager's approval (a loan's grant does not count as the borrower's
    other loan)."""
    if rule.savings_part is None or rule.system_only:
        return NOTHING
    bank = person_of(bank_account(session))
    if rule.type == "pocket_move":
        pockets, accounts = store.pockets_of(session, creator)
        return SavingsPosting(SavingsFacts(pockets=pockets), accounts)
    if rule.type == "loan":
        named = payload.get("borrower")
        borrower = people.get(named) if isinstance(named, str) else None
        loan = store.open_loan(session, borrower.id, besides_grant=held) if borrower is not None else None
        return SavingsPosting(SavingsFacts(loan=loan, bank=bank.username), {bank.username: bank}, bank.id)
    if rule.type == "loan_repay":
        loan = store.open_loan(session, creator.id)
        return SavingsPosting(SavingsFacts(loan=loan, bank=bank.username), {bank.username: bank})
    if rule.type == "fund_contribution":
        found = store.fund(session, fund_number(payload.get("fund")))
        if found is None:
            return SavingsPosting(SavingsFacts(bank=bank.username))
        fund, account = found
        return SavingsPosting(SavingsFacts(fund=fund, bank=bank.username), {account.username: account})
    return SavingsPosting(SavingsFacts(bank=bank.username), {bank.username: bank})


def after_posting(session: Session, rule: Rule, transaction_id: int, payload: Mapping[str, Any], ctx: RuleContext,
                  *, actor_id: int, now: datetime) -> None:
    """Write what a savings transaction keeps besides its entries."""
    if rule.type == "loan":
        terms = loan_terms(payload, ctx)
        loan = LoanRow(borrower_id=terms.borrower.id, transaction_id=transaction_id, granted_by_id=actor_id,
                       day=ctx.day, principal=terms.principal, total_due=terms.total_due,
                       instalments=terms.instalments)
        session.add(loan)
        session.flush()
        audit.record(session, "loan.granted", actor_id=actor_id, target=f"loan:{loan.id}", at=now,
                     borrower=terms.borrower.username, principal=terms.principal, total_due=terms.total_due,
                     instalments=terms.instalments, transaction=transaction_id)
    elif rule.type == "loan_repay":
        assert ctx.savings is not None and ctx.savings.loan is not None
        link_payments(session, ctx.savings.loan.id, transaction_id, instalments={})


def link_payments(session: Session, loan_id: int | None, transaction_id: int, *,
                  instalments: Mapping[int, tuple[int, int]]) -> None:
    """Record which loan each money entry of `transaction_id` paid.

    For a repayment (`instalments` empty) its one entry pays `loan_id`. For a day's instalments,
    `instalments` maps each entry's position in the transaction to (loan id, instalment number).
    """
    if instalments:
        store.record_payments(session, transaction_id, instalments.__getitem__)
        return
    assert loan_id is not None
    repayment = (loan_id, None)
    store.record_payments(session, transaction_id, lambda _position: repayment)


def fund_number(value: object) -> int:
    """A fund's number as a payload gives it (`3` or `"3"`, with or without `#`)."""
    if isinstance(value, str) and value.strip().lstrip("#").isdigit():
        value = int(value.strip().lstrip("#"))
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError("must be a fund's number, such as 3", field="fund")
    return value

"""What the savings-and-credit rules share: the facts the ledger hands them, the season checks, the formulas.

The formulas (docs/savings.md has a worked example of each):

- interest on a savings pocket for a day: floor(min(B, max_balance) × rate / 100) cents;
- a loan's total due: T = P + floor(P × interest_percent / 100), split into n instalments with the exact
  budget split (`money.split_budget`: ties to the earlier instalment): 100@ at 10% in 3 is
  36.67 + 36.67 + 36.66;
- early repayments R remove instalments from the last one backwards (`remaining_instalments`);
- a circle of k members paying c: round i charges c to each member and pays k·c to member i.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from campbank.core.errors import InputError, RuleError
from campbank.core.season import Season

MAIN = "main"
SAVINGS = "savings"

# What a switched-off part says when it is asked for.
OFF = {
    "pockets": "pockets are not part of this season",
    "savings": "savings are not part of this season",
    "loans": "loans are not part of this season",
    "funds": "funds are not part of this season",
    "circles": "savings circles are not part of this season",
}


@dataclass(frozen=True)
class Pocket:
    """One of a student's pockets: `account` is the key of its account in `RuleContext.people`."""

    name: str  # "main", "savings" or the goal's name
    kind: str  # "main", "savings" or "goal"
    account: str
    balance: int
    target: int | None = None


@dataclass(frozen=True)
class Loan:
    """A loan as the ledger holds it now; every amount in cents."""

    id: int
    borrower: str
    day: date
    principal: int
    total_due: int
    schedule: tuple[int, ...]  # the instalments as granted
    instalments_paid: int  # what the nightly run has charged
    repaid: int  # early repayments
    written_off: int = 0
    state: str = "open"  # open | cancelled | written_off; waiting | declined: its grant waits or was rejected

    @property
    def paid(self) -> int:
        return self.instalments_paid + self.repaid

    @property
    def outstanding(self) -> int:
        if self.state != "open":
            return 0
        return self.total_due - self.paid - self.written_off

    def due_on(self, k: int) -> date:
        return self.day + timedelta(days=k)


@dataclass(frozen=True)
class Fund:
    id: int
    name: str
    account: str  # the key of its account in `RuleContext.people`
    target: int
    deadline: date
    squad: str | None
    total: int
    state: str  # open | spent | refunded | cancelled


@dataclass(frozen=True)
class Instalment:
    """Instalment `number` of `of` of a loan, charged to `borrower` by the nightly run."""

    loan_id: int
    borrower: str
    number: int
    of: int
    amount: int


@dataclass(frozen=True)
class Circle:
    id: int
    name: str
    contribution: int
    start: date
    members: tuple[str, ...]  # usernames in the order of the rounds that pay them

    def round_on(self, day: date) -> int | None:
        """The round (1..k) held on `day`, or None."""
        number = (day - self.start).days + 1
        return number if 1 <= number <= len(self.members) else None


@dataclass(frozen=True)
class SavingsFacts:
    """What the ledger knows that a savings rule needs; each rule reads only its own part."""

    pockets: Mapping[str, Pocket] = field(default_factory=dict)  # the creator's, by name, `main` included
    loan: Loan | None = None  # the borrower's (or the creator's) open loan
    fund: Fund | None = None
    bank: str = "bank"  # the key of the bank's account in `RuleContext.people`
    interest_bases: Mapping[str, int] = field(default_factory=dict)  # savings pocket account -> B
    instalments: tuple[Instalment, ...] = ()
    contributions: Mapping[str, int] = field(default_factory=dict)  # a fund's, by contributor
    circle: Circle | None = None


def require_part(season: Season, part: str) -> None:
    """Refuse when the season has `part` switched off, in the words of `OFF`."""
    if not getattr(season, part).enabled:
        raise RuleError(OFF[part], field="type")


def facts_of(facts: SavingsFacts | None) -> SavingsFacts:
    if facts is None:  # a ledger bug, never input: the rule's facts were not loaded
        raise RuleError("the ledger did not give this rule its savings facts")
    return facts


# --------------------------------------------------------------------------------------------- formulas


def interest(balance: int, rate_percent: Fraction, max_balance: int) -> int:
    """floor(min(B, max_balance) × rate / 100) cents; nothing on a balance of zero or less."""
    base = min(balance, max_balance)
    if base <= 0:
        return 0
    return (base * rate_percent.numerator) // (rate_percent.denominator * 100)


def total_due(principal: int, interest_percent: Fraction) -> int:
    """T = P + floor(P × interest_percent / 100)."""
    rate = Fraction(interest_percent)
    return principal + (principal * rate.numerator) // (rate.denominator * 100)


def schedule(total: int, instalments: int) -> tuple[int, ...]:
    """T split into n instalments exactly; a left-over cent goes to the earlier instalment.

    This is `money.split_budget(total, [1] * n)` (every remainder ties, so roster order: the earlier
    instalment), in whole numbers: the nightly run computes it for every loan of the camp.
    """
    share, left = divmod(total, instalments)
    return tuple(share + 1 if k < left else share for k in range(instalments))


def remaining_instalments(amounts: Sequence[int], repaid: int) -> tuple[int, ...]:
    """The schedule after early repayments of `repaid` cents, which remove instalments from the last one
    backwards: 36.67 + 36.67 + 36.66 after 40.00 repaid is 36.67 + 33.33 + 0."""
    left = repaid
    remaining = list(amounts)
    for index in range(len(remaining) - 1, -1, -1):
        taken = min(left, remaining[index])
        remaining[index] -= taken
        left -= taken
    return tuple(remaining)


def circle_round(members: Sequence[str], contribution: int, number: int) -> dict[str, int]:
    """Each member's net for round `number` (1-based): −c each, and k·c more to member `number`."""
    if not 1 <= number <= len(members):
        raise InputError(f"round {number} is not between 1 and {len(members)}", field="round")
    net = {member: -contribution for member in members}
    net[members[number - 1]] += contribution * len(members)
    return net

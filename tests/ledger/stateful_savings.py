"""The stateful machine of test_stateful.py on the savings season, with every savings-and-credit action.

The model grows by what docs/savings.md promises, written out here rather than taken from the product:
pockets as accounts of their own, interest floor(min(B, 200@) × 1.5 / 100) on entries dated on or before
the night, loans of T = P + floor(P × 10 / 100) split exactly with the left-over cents to the earlier
instalments and early repayments removing instalments from the last, funds refunded to each contributor
exactly, circles paying member i every member's contribution on day i. After every step the ledger must
agree with the model, and a refused action must write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule
from stateful_machine import FIRST_DAY, LedgerMachine, ModelTxn

from campbank.core.money import cents_to_str
from campbank.ledger.actions import circles, funds, loans, nightly, pockets
from campbank.ledger.actions.posting import post

FLAT_TAX = {d: 2000 for d in range(1, 22)}  # the savings season: a flat 20@ a day
RATE_NUM, RATE_DEN, CAP = 3, 200, 20_000  # 1.5% a day on at most 200@
STUDENTS = ["s1", "s2", "s3", "s4", "s5"]
DAYS = [FIRST_DAY + timedelta(days=n) for n in range(1, 10)]
GOALS = ["Bike", "Auction", "Books", "Kite"]


def split(total: int, parts: int) -> list[int]:
    """Equal shares, floor, the left-over cents one each to the earlier shares."""
    base, left = divmod(total, parts)
    return [base + (1 if k < left else 0) for k in range(parts)]


def after_repayments(amounts: list[int], repaid: int) -> list[int]:
    left, out = repaid, list(amounts)
    for k in reversed(range(len(out))):
        taken = min(left, out[k])
        out[k] -= taken
        left -= taken
    return out


@dataclass
class ModelPocket:
    owner: str
    name: str
    kind: str
    account: str
    open: bool = True


@dataclass
class ModelLoan:
    id: int
    borrower: str
    day: date
    total: int
    schedule: list[int]
    grant: int  # its transaction
    charged: dict[int, int] = field(default_factory=dict)
    repayments: list[int] = field(default_factory=list)  # transaction ids
    state: str = "open"
    written_off: int = 0


@dataclass
class ModelFund:
    id: int
    account: str
    target: int
    deadline: date
    squad: str | None
    state: str = "open"


@dataclass
class ModelCircle:
    id: int
    members: list[str]
    contribution: int
    start: date
    voided: bool = False
    held: dict[int, int] = field(default_factory=dict)  # round -> transaction


class SavingsMachine(LedgerMachine):
    tax_schedule = FLAT_TAX

    def __init__(self, template: Path) -> None:
        super().__init__(template)
        self.ids = {u: i for u, i in self.query("SELECT username, id FROM account")}
        self.squad = dict(self.query("SELECT username, squad FROM account WHERE role = 'student'"))
        self.pockets: list[ModelPocket] = []
        self.pocket_count = dict.fromkeys(STUDENTS, 0)
        self.loans: list[ModelLoan] = []
        self.funds: list[ModelFund] = []
        self.circles: list[ModelCircle] = []
        self.nights: set[date] = set()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        from helpers import query

        return query(self.path, sql, params)

    # --- the model ---------------------------------------------------------------------------------

    def open_pockets(self, owner: str) -> list[ModelPocket]:
        return [p for p in self.pockets if p.owner == owner and p.open]

    def pocket_named(self, owner: str, name: str) -> ModelPocket | None:
        return next((p for p in self.open_pockets(owner) if p.name.casefold() == name.casefold()), None)

    def balance_until(self, account: str, day: date) -> int:
        total = 0
        for txn in self.txns.values():
            if txn.state == "processed" and txn.day is not None and txn.day <= day:
                total += sum(a for r, a in txn.moves if r == account) - (
                    sum(a for _, a in txn.moves) if txn.creator == account else 0)
        return total

    def outstanding(self, loan: ModelLoan) -> int:
        if loan.state != "open":
            return 0
        return loan.total - sum(loan.charged.values()) - self.repaid(loan) - loan.written_off

    def repaid(self, loan: ModelLoan) -> int:
        return sum(a for t in loan.repayments if self.txns[t].state == "processed" for _, a in self.txns[t].moves)

    def open_loan(self, borrower: str) -> ModelLoan | None:
        return next((loan for loan in self.loans if loan.borrower == borrower and self.outstanding(loan) > 0), None)

    def new_account(self, username: str, role: str) -> None:
        self.role[username] = role
        self.ids[username] = self.query("SELECT id FROM account WHERE username = ?", (username,))[0][0]

    # --- pockets -----------------------------------------------------------------------------------

    @initialize(share=st.integers(10, 90), goal=st.integers(100, 5000), start=st.sampled_from(DAYS[:4]))
    def seed_savings(self, share, goal, start):  # type: ignore[no-untyped-def]
        """Something of every part from the first step on: savers, a loan, a fund and a circle."""
        self.open_pocket("s1", "savings", "Bike")
        self.open_pocket("s1", "goal", "Bike")
        self.open_pocket("s2", "savings", "Bike")
        self.move_between_pockets(1, 0, 1, share, DAYS[0])  # s1: main -> savings
        self.move_between_pockets(2, 0, 1, 100 - share, DAYS[1])  # s2: main -> savings
        self.grant_loan("t1", "s3", 6_000, 3, DAYS[0])
        self.open_fund("t1", goal, DAYS[3], None)
        self.create_circle("manager", ["s4", "s5", "s1"], 500, start)

    @rule(owner=st.sampled_from([*STUDENTS, "t1"]), kind=st.sampled_from(["savings", "goal", "goal"]),
          name=st.sampled_from(GOALS))
    def open_pocket(self, owner, kind, name):  # type: ignore[no-untyped-def]
        mine = self.open_pockets(owner)
        if kind == "savings":
            allowed = self.role[owner] == "student" and not any(p.kind == "savings" for p in mine)
        else:
            allowed = (self.role[owner] == "student" and self.pocket_named(owner, name) is None
                       and sum(p.kind == "goal" for p in mine) < 3)
        allowed = allowed and owner in self.active
        self.attempt(allowed, lambda: pockets.open_pocket(self.db, self.actors[owner], kind,
                                                          None if kind == "savings" else name))
        if allowed:
            self.pocket_count[owner] += 1
            account = f"~pocket:{self.ids[owner]}:{self.pocket_count[owner]}"
            self.new_account(account, "pocket")
            self.pockets.append(ModelPocket(owner, "savings" if kind == "savings" else name, kind, account))

    @rule(who=st.integers(0, 20), source=st.integers(0, 20), into=st.integers(0, 20),
          share=st.integers(1, 110), day=st.sampled_from(DAYS))
    def move_between_pockets(self, who, source, into, share, day):  # type: ignore[no-untyped-def]
        """Mostly a student with pockets, between their own open pockets, a share of what the source holds
        (over 100%: too much); now and then a pocket they do not have."""
        savers = sorted({p.owner for p in self.pockets if p.open}) or STUDENTS
        owner = (savers if who % 5 else STUDENTS)[who % len(savers if who % 5 else STUDENTS)]
        names = ["main", *(p.name for p in self.open_pockets(owner)), "Nowhere"]
        source_name, into_name = names[source % len(names)], names[into % len(names)]

        def account(name: str) -> str | None:
            if name == "main":
                return owner
            found = self.pocket_named(owner, name)
            return found.account if found else None

        src, dst = account(source_name), account(into_name)
        balances = self.model_balances()
        amount = max(1, balances.get(src or "", 0) * share // 100)
        allowed = (owner in self.active and src is not None and dst is not None and src != dst
                   and amount <= balances[src])
        payload = {"type": "pocket_move", "from": source_name, "to": into_name, "amount": cents_to_str(amount),
                   "date": day.isoformat()}
        posted = self.attempt(allowed, lambda: post(self.db, self.actors[owner], payload))
        if allowed:
            moves = ([] if dst == owner else [(dst, amount)]) + ([] if src == owner else [(src, -amount)])
            self.add(posted.id, ModelTxn("pocket_move", owner, "processed", moves, ["txn.created", "txn.processed"],
                                         day))

    @rule(owner=st.sampled_from(STUDENTS), index=st.integers(0, 10))
    def close_pocket(self, owner, index):  # type: ignore[no-untyped-def]
        names = [p.name for p in self.open_pockets(owner)] or ["savings"]
        name = names[index % len(names)]
        found = self.pocket_named(owner, name)
        allowed = owner in self.active and found is not None and self.model_balances()[found.account] == 0
        self.attempt(allowed, lambda: pockets.close_pocket(self.db, self.actors[owner], name))
        if allowed:
            found.open = False

    # --- loans --------------------------------------------------------------------------------------

    @rule(who=st.sampled_from(["t1", "manager", "s1"]), borrower=st.sampled_from(STUDENTS),
          amount=st.integers(1, 16_000), count=st.integers(0, 8), day=st.sampled_from(DAYS))
    def grant_loan(self, who, borrower, amount, count, day):  # type: ignore[no-untyped-def]
        allowed = (self.role[who] in ("staff", "manager") and borrower in self.active and amount <= 15_000
                   and 1 <= count <= 7 and self.open_loan(borrower) is None)
        payload = {"type": "loan", "borrower": borrower, "amount": cents_to_str(amount), "instalments": count,
                   "date": day.isoformat()}
        posted = self.attempt(allowed, lambda: post(self.db, self.actors[who], payload))
        if allowed:
            total = amount + amount * 10 // 100
            loan_id = len(self.loans) + 1
            self.loans.append(ModelLoan(loan_id, borrower, day, total, split(total, count), posted.id))
            self.add(posted.id, ModelTxn("loan", "bank", "processed", [(borrower, amount)],
                                         ["txn.created", "txn.processed"], day))

    @rule(borrower=st.sampled_from(STUDENTS), share=st.integers(1, 120), day=st.sampled_from(DAYS))
    def repay_loan(self, borrower, share, day):  # type: ignore[no-untyped-def]
        loan = self.open_loan(borrower)
        amount = max(1, (self.outstanding(loan) if loan else 1000) * share // 100)
        allowed = (borrower in self.active and loan is not None and amount <= self.outstanding(loan)
                   and amount <= self.model_balances()[borrower])
        payload = {"type": "loan_repay", "amount": cents_to_str(amount), "date": day.isoformat()}
        posted = self.attempt(allowed, lambda: post(self.db, self.actors[borrower], payload))
        if allowed:
            assert loan is not None
            loan.repayments.append(posted.id)
            self.add(posted.id, ModelTxn("loan_repay", borrower, "processed", [("bank", amount)],
                                         ["txn.created", "txn.processed"], day))

    @rule(who=st.sampled_from(["manager", "t1"]), index=st.integers(0, 50), write_off=st.booleans())
    def close_loan(self, who, index, write_off):  # type: ignore[no-untyped-def]
        if not self.loans:
            return
        loan = self.loans[index % len(self.loans)]
        allowed = self.role[who] == "manager" and self.outstanding(loan) > 0
        if not write_off:
            allowed = allowed and not loan.charged
        action = loans.write_off if write_off else loans.cancel
        self.attempt(allowed, lambda: action(self.db, self.actors[who], loan.id))
        if not allowed:
            return
        if write_off:
            loan.written_off = self.outstanding(loan)
            loan.state = "written_off"
            return
        for txn_id in [*loan.repayments, loan.grant]:
            if self.txns[txn_id].state == "processed":
                self.move(txn_id, "declined")
        loan.state = "cancelled"

    # --- funds and circles ----------------------------------------------------------------------------

    @rule(who=st.sampled_from(["t1", "m1", "s2"]), goal=st.integers(1, 6000), deadline=st.sampled_from(DAYS),
          squad=st.sampled_from([None, None, "Squad 1"]))
    def open_fund(self, who, goal, deadline, squad):  # type: ignore[no-untyped-def]
        allowed = self.role[who] in ("staff", "manager")
        fund_id = self.attempt(allowed, lambda: funds.open_fund(self.db, self.actors[who], "Trip", cents_to_str(goal),
                                                                deadline, squad=squad))
        if allowed:
            account = f"~fund:{len(self.funds) + 1}"
            self.new_account(account, "fund")
            self.funds.append(ModelFund(fund_id, account, goal, deadline, squad))

    @rule(who=st.sampled_from(STUDENTS), index=st.integers(0, 50), share=st.integers(1, 120),
          day=st.sampled_from(DAYS))
    def contribute(self, who, index, share, day):  # type: ignore[no-untyped-def]
        if not self.funds:
            return
        fund = self.funds[index % len(self.funds)]
        total = self.model_balances()[fund.account]
        amount = max(1, (fund.target - total) * share // 100)
        allowed = (who in self.active and fund.state == "open" and day <= fund.deadline
                   and fund.squad in (None, self.squad[who]) and amount <= fund.target - total
                   and amount <= self.model_balances()[who])
        payload = {"type": "fund_contribution", "fund": fund.id, "amount": cents_to_str(amount),
                   "date": day.isoformat()}
        posted = self.attempt(allowed, lambda: post(self.db, self.actors[who], payload))
        if allowed:
            self.add(posted.id, ModelTxn("fund_contribution", who, "processed", [(fund.account, amount)],
                                         ["txn.created", "txn.processed"], day))

    @rule(who=st.sampled_from(["t2", "manager", "s1"]), index=st.integers(0, 50), spend=st.booleans())
    def close_fund(self, who, index, spend):  # type: ignore[no-untyped-def]
        if not self.funds:
            return
        fund = self.funds[index % len(self.funds)]
        total = self.model_balances()[fund.account]
        allowed = (self.role[who] in ("staff", "manager") and fund.state == "open"
                   and (not spend or total >= fund.target))
        closed = self.attempt(allowed, lambda: (funds.spend(self.db, self.actors[who], fund.id, "the goal")
                                                if spend else funds.cancel(self.db, self.actors[who], fund.id)))
        if allowed:
            fund.state = "spent" if spend else "cancelled"
            self.close_fund_in_model(fund, closed.transaction_id, spend)

    def close_fund_in_model(self, fund: ModelFund, txn_id: int | None, spend: bool, day: date | None = None) -> None:
        given: dict[str, int] = {}
        for txn in self.txns.values():
            if txn.type == "fund_contribution" and txn.state == "processed" and txn.moves[0][0] == fund.account:
                given[txn.creator] = given.get(txn.creator, 0) + txn.moves[0][1]
        if txn_id is None:
            assert not given
            return
        moves = [("bank", sum(given.values()))] if spend else sorted(given.items())
        when = day or self.query("SELECT day FROM txn WHERE id = ?", (txn_id,))[0][0]
        self.add(txn_id, ModelTxn("fund_spend" if spend else "fund_refund", fund.account, "processed", moves,
                                  ["txn.created", "txn.processed"], date.fromisoformat(str(when))))

    @rule(who=st.sampled_from(["manager", "t1"]), members=st.lists(st.sampled_from(STUDENTS), min_size=2, max_size=4),
          contribution=st.integers(1, 3000), start=st.sampled_from(DAYS))
    def create_circle(self, who, members, contribution, start):  # type: ignore[no-untyped-def]
        allowed = (self.role[who] == "manager" and len(set(members)) == len(members)
                   and all(m in self.active for m in members))
        circle_id = self.attempt(allowed, lambda: circles.create(self.db, self.actors[who], "Circle", members,
                                                                 cents_to_str(contribution), start))
        if allowed:
            self.circles.append(ModelCircle(circle_id, list(members), contribution, start))

    @rule(who=st.sampled_from(["manager", "t1"]), index=st.integers(0, 50))
    def void_circle(self, who, index):  # type: ignore[no-untyped-def]
        if not self.circles:
            return
        circle = self.circles[index % len(self.circles)]
        allowed = self.role[who] == "manager" and not circle.voided
        self.attempt(allowed, lambda: circles.void(self.db, self.actors[who], circle.id))
        if allowed:
            circle.voided = True
            for txn_id in circle.held.values():
                self.move(txn_id, "declined")

    # --- the nightly run -----------------------------------------------------------------------------

    @precondition(lambda self: len(self.nights) < 6)
    @rule(day=st.sampled_from(DAYS))
    def run_night(self, day):  # type: ignore[no-untyped-def]
        """Interest, instalments, circle rounds and fund refunds, predicted and compared step by step."""
        expected = {"interest": self.predict_interest(day), "instalments": self.predict_instalments(day),
                    "circles": self.predict_circles(day), "funds": self.predict_funds(day)}
        results = nightly.run(self.db, self.actors["manager"], day=day)
        taxed = results[0]
        if taxed.outcome == "charged":
            students = list(self.students)  # active on that day: deactivations happen now, after every season day
            self.taxed[day] = taxed.transaction_id
            self.add(taxed.transaction_id, ModelTxn("tax", "bank", "processed", [(s, -2000) for s in students],
                                                    ["txn.created", "txn.processed"], day))
        steps = {r.step: r for r in results[1:]}
        interest = expected["interest"]
        assert steps["interest"].total == sum(a for _, a in interest), (steps["interest"], interest)
        if interest:
            self.add(steps["interest"].transaction_ids[0], ModelTxn("interest", "bank", "processed", interest,
                                                                    ["txn.created", "txn.processed"], day))
        due = expected["instalments"]
        assert steps["instalments"].total == sum(a for _, _, a in due), (steps["instalments"], due)
        if due:
            self.add(steps["instalments"].transaction_ids[0], ModelTxn(
                "loan_instalment", "bank", "processed", [(loan.borrower, -a) for loan, _, a in due],
                ["txn.created", "txn.processed"], day))
            for loan, number, amount in due:
                loan.charged[number] = amount
        rounds = expected["circles"]
        assert (steps["circles"].outcome == nightly.DONE) == bool(rounds), (steps["circles"], rounds)
        for (circle, number), txn_id in zip(rounds, steps["circles"].transaction_ids if rounds else (), strict=True):
            k, c = len(circle.members), circle.contribution
            moves = [(m, -c) for m in circle.members] + [(circle.members[number - 1], k * c)]
            circle.held[number] = txn_id
            self.add(txn_id, ModelTxn("circle_round", "bank", "processed", moves, ["txn.created", "txn.processed"],
                                      day))
        refunded = expected["funds"]
        assert steps["funds"].count == len(refunded), (steps["funds"], refunded)
        for fund in refunded:
            fund.state = "refunded"
            row = self.query("SELECT closing_transaction_id FROM fund WHERE id = ?", (fund.id,))[0][0]
            self.close_fund_in_model(fund, row, spend=False, day=day)
        self.nights.add(day)

    def predict_interest(self, day: date) -> list[tuple[str, int]]:
        if any(t.type == "interest" and t.day == day for t in self.txns.values()):
            return []
        paid = []
        for pocket in self.pockets:
            if pocket.kind == "savings" and pocket.open and pocket.owner in self.active:
                base = min(self.balance_until(pocket.account, day), CAP)
                if base > 0 and base * RATE_NUM // RATE_DEN > 0:
                    paid.append((pocket.account, base * RATE_NUM // RATE_DEN))
        return paid

    def predict_instalments(self, day: date) -> list[tuple[ModelLoan, int, int]]:
        if any(t.type == "loan_instalment" and t.day == day for t in self.txns.values()):
            return []
        due = []
        for loan in self.loans:
            if loan.state != "open" or loan.day >= day or self.outstanding(loan) <= 0:
                continue
            left = after_repayments(loan.schedule, self.repaid(loan))
            for number in range(1, min(len(loan.schedule), (day - loan.day).days) + 1):
                if number not in loan.charged and left[number - 1] > 0:
                    due.append((loan, number, left[number - 1]))
        return due

    def predict_circles(self, day: date) -> list[tuple[ModelCircle, int]]:
        due = []
        for circle in self.circles:
            number = (day - circle.start).days + 1
            if not circle.voided and 1 <= number <= len(circle.members) and number not in circle.held:
                due.append((circle, number))
        return due

    def predict_funds(self, day: date) -> list[ModelFund]:
        balances = self.model_balances()
        return [f for f in self.funds if f.state == "open" and f.deadline <= day and balances[f.account] < f.target]

    # --- fewer deactivations than the classic machine: a camp whose students all left saves nothing --------

    @precondition(lambda self: len(set(STUDENTS) - self.active) == 0)
    @rule(student=st.sampled_from(["s2", "s3", "s4", "s5"]))
    def deactivate_student(self, student):  # type: ignore[no-untyped-def]
        super().deactivate_student(student)

    # --- invariants --------------------------------------------------------------------------------

    @invariant()
    def no_pocket_or_fund_below_zero(self) -> None:
        assert self.query("SELECT username FROM account WHERE role IN ('pocket', 'fund') AND balance < 0") == []

    @invariant()
    def loans_as_the_model_has_them(self) -> None:
        from campbank.ledger.views.savings import loans_overview

        cards = {card.loan.id: card for card in loans_overview(self.db, self.actors["manager"])}
        for loan in self.loans:
            card = cards[loan.id]
            assert (card.loan.outstanding, card.loan.state, card.loan.written_off) == (
                self.outstanding(loan), loan.state, loan.written_off)
            assert card.loan.total_due == loan.total and list(card.loan.schedule) == loan.schedule


"""The stateful machine of test_stateful.py: random sequences of everything people do, with every
invariant of docs/guarantees.md checked after each step.

The machine keeps its own model of the camp (who created what, each transaction's moves and state,
the audit history it must have left) and predicts whether each action is allowed. The database must
agree with the model after every step, and a refused action must leave every row of every table as
it was. stateful_savings.py grows it by savings and credit.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import server_db
from helpers import (
    DAY,
    cached_counters,
    copy_database,
    dump,
    load_camp,
    query,
    recomputed_balances,
    recomputed_counters,
)
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from campbank.core.enums import Role, State
from campbank.core.errors import CampBankError
from campbank.core.money import cents_to_str
from campbank.ledger.actions import tax
from campbank.ledger.actions.posting import alter, post
from campbank.ledger.actions.states import approve, cancel, reject
from campbank.ledger.actions.users import deactivate
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import open_database
from campbank.ledger.verify import verify_file

# A memory-backed folder where there is one: the same pragmas, without waiting on the disk's fsync.
_FAST_DIR = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None

FIRST_DAY = date(2018, 8, 6)
# The classic season's tax by season day (docs/rules.md#tax), in cents; days 22+ lie outside the schedule.
CLASSIC_TAX = {1: 0, 2: 500, 3: 700, 4: 900, 5: 1200, 6: 1500, 7: 1800, 8: 2000, 9: 2200, 10: 2300, 11: 2400,
               **{d: 2500 for d in range(12, 22)}}

# docs/guarantees.md#states, written out here rather than taken from the product.
ALLOWED_MOVES = {State.CREATED: {State.PROCESSED, State.DECLINED},
                 State.PROCESSED: {State.DECLINED, State.SUBSTITUTED},
                 State.DECLINED: set(), State.SUBSTITUTED: set()}

STAFF_FORMS = {"general_money": ("money_type", "reward", 1), "fine": ("fine_type", "fine_any", -1),
               "purchase": ("purchase_type", "goods", -1)}


@dataclass
class ModelTxn:
    type: str
    creator: str
    state: str
    moves: list[tuple[str, int]]  # (receiver, amount): the receiver gets it, the creator pays it
    history: list[str] = field(default_factory=list)  # the txn.* audit actions it must have
    day: date | None = None  # the transaction's date, where the model needs it (interest)


# Savings transactions the general cancel may undo (staff, while no pocket or fund would fall below zero);
# every other savings type is undone by its own action, or never.
CANCELLABLE_SAVINGS = ("pocket_move", "fund_contribution")
SAVINGS_TYPES = ("pocket_move", "loan", "loan_repay", "loan_instalment", "interest", "fund_contribution",
                 "fund_spend", "fund_refund", "circle_round")


class LedgerMachine(RuleBasedStateMachine):
    tax_schedule = CLASSIC_TAX

    def __init__(self, template: Path) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="campbank-stateful-", dir=_FAST_DIR))
        where = server_db.new_location(create=False) if server_db.ON_SERVER else self.dir / "camp.db"
        copy_database(template, where)
        self.db = open_database(where)
        self.path = self.db.path
        camp = load_camp(self.db)
        self.students = list(camp.students)
        self.role = {u: "student" for u in camp.students} | {u: "staff" for u in camp.staff} | {
            u: "manager" for u in camp.managers} | {"bank": "manager"}
        self.users = [*camp.students, *camp.staff, *camp.managers]
        self.actors = {u: Actor(i, u, Role(r)) for i, u, r in query(self.path, "SELECT id, username, role FROM account")
                       if u in self.role}
        self.active = set(self.users) | {"bank"}
        self.keys: dict[tuple[str, str], tuple[str, dict, int]] = {}  # a key is its creator's own
        self.taxed: dict[date, int] = {}  # day -> its tax transaction
        self.txns: dict[int, ModelTxn] = {}
        # the template's transactions (the initial grants), as the baseline of the model
        for txn_id, type_, creator, state in query(self.path, """
                SELECT t.id, t.type, a.username, t.state FROM txn t JOIN account a ON a.id = t.creator_id"""):
            moves = query(self.path, """SELECT a.username, m.amount FROM money_entry m
                                        JOIN account a ON a.id = m.receiver_id WHERE m.transaction_id = ?""",
                          (txn_id,))
            self.txns[txn_id] = ModelTxn(type_, creator, state, list(moves), self._audit_history(txn_id))

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)
        if server_db.is_server(self.path):
            server_db.drop(self.path)

    # --- the model ---------------------------------------------------------------------------------

    def _audit_history(self, txn_id: int) -> list[str]:
        return [a for (a,) in query(self.path, "SELECT action FROM audit_log WHERE target = ? AND action LIKE 'txn.%' "
                                               "ORDER BY id", (f"txn:{txn_id}",))]

    def model_balances(self) -> dict[str, int]:
        totals: Counter[str] = Counter({u: 0 for u in self.role})
        for txn in self.txns.values():
            if txn.state == State.PROCESSED:
                for receiver, amount in txn.moves:
                    totals[receiver] += amount
                    totals[txn.creator] -= amount
        return dict(totals)

    def move(self, txn_id: int, to: str) -> None:
        txn = self.txns[txn_id]
        assert State(to) in ALLOWED_MOVES[State(txn.state)], f"the model itself tried {txn.state} -> {to}"
        txn.state = to
        txn.history.append(f"txn.{to}")

    def add(self, txn_id: int, txn: ModelTxn) -> None:
        assert txn_id not in self.txns, f"#{txn_id} was handed out twice"
        self.txns[txn_id] = txn

    def savings_cancellable(self, txn: ModelTxn) -> bool:
        """A move or a contribution, whose pocket or fund still holds the money it received."""
        if txn.type not in CANCELLABLE_SAVINGS:
            return False
        balances = self.model_balances()
        return all(self.role.get(receiver) not in ("pocket", "fund") or balances[receiver] >= amount
                   for receiver, amount in txn.moves)

    def attempt(self, allowed: bool, action):  # type: ignore[no-untyped-def]
        """Run `action`; it must succeed when allowed, and be refused writing nothing when not."""
        if allowed:
            return action()
        before = dump(self.path)
        try:
            result = action()
        except CampBankError:
            assert dump(self.path) == before, "a refused action wrote to the database"
            return None
        raise AssertionError(f"the ledger allowed what its permissions and states refuse: {result}")

    def pick(self, index: int, aim: bool = False, **wanted: str) -> int:
        """A transaction by index; when aiming, among those with the wanted type/state, if any."""
        ids = sorted(self.txns)
        if aim:
            fitting = [i for i in ids if all(
                getattr(self.txns[i], k) in (v if isinstance(v, tuple) else (v,)) for k, v in wanted.items())]
            ids = fitting or ids
        return ids[index % len(ids)]

    # --- rules -------------------------------------------------------------------------------------

    @initialize(first=st.sampled_from(sorted(STAFF_FORMS)), second=st.sampled_from(sorted(STAFF_FORMS)))
    def seed(self, first, second):  # type: ignore[no-untyped-def]
        """Something to cancel, alter and approve from the first step on."""
        self.post_staff_form("t1", first, {"s1": 500, "s2": 250}, None)
        self.post_staff_form("m1", second, {"s3": 100}, None)
        self.request_transfer("s1", "s2", 1000)
        self.request_transfer("s4", "s5", 300)

    @rule(
        creator=st.sampled_from(["s1", "t1", "t2", "manager", "m1"]),
        form=st.sampled_from(sorted(STAFF_FORMS)),
        amounts=st.dictionaries(st.sampled_from(["s1", "s2", "s3", "s4", "s5"]), st.integers(1, 5000),
                                min_size=1, max_size=3),
        key=st.sampled_from([None, None, "k1", "k2"]),
    )
    def post_staff_form(self, creator, form, amounts, key):  # type: ignore[no-untyped-def]
        choice_field, choice, sign = STAFF_FORMS[form]
        payload = {"type": form, choice_field: choice, "date": DAY,
                   "amounts": {u: cents_to_str(c) for u, c in amounts.items()}}
        if key is not None:
            payload["idempotency_key"] = key
        may_create = self.role[creator] in ("staff", "manager") and creator in self.active
        earlier = self.keys.get((creator, key)) if key is not None else None
        if may_create and earlier is not None:
            same = earlier[0] == creator and earlier[1] == payload
            posted = self.attempt(same, lambda: post(self.db, self.actors[creator], payload))
            if same:
                assert posted.duplicate and posted.id == earlier[2]
            return
        allowed = may_create and all(u in self.active for u in amounts)
        posted = self.attempt(allowed, lambda: post(self.db, self.actors[creator], payload))
        if allowed:
            assert not posted.duplicate and posted.state == "processed"
            assert posted.total == sign * sum(amounts.values())
            self.add(posted.id, ModelTxn(form, creator, "processed", [(u, sign * c) for u, c in amounts.items()],
                                         ["txn.created", "txn.processed"]))
            if key is not None:
                self.keys[(creator, key)] = (creator, payload, posted.id)

    @rule(sender=st.sampled_from(["s1", "s2", "s3", "s4", "s5", "s1", "s2", "t1"]),
          receiver=st.sampled_from(["s1", "s2", "s3", "s4", "s5"]),
          amount=st.one_of(st.integers(1, 4000), st.integers(1, 20_000)))
    def request_transfer(self, sender, receiver, amount):  # type: ignore[no-untyped-def]
        payload = {"type": "p2p", "receiver": receiver, "amount": cents_to_str(amount), "description": "thanks",
                   "date": DAY}
        allowed = (self.role[sender] == "student" and sender in self.active and receiver in self.active
                   and receiver != sender and amount <= self.model_balances()[sender] - self.waiting_out(sender))
        posted = self.attempt(allowed, lambda: post(self.db, self.actors[sender], payload))
        if allowed:
            assert posted.state == "created"
            self.add(posted.id, ModelTxn("p2p", sender, "created", [(receiver, amount)], ["txn.created"]))

    def waiting_out(self, sender: str) -> int:
        """What the sender's requests still waiting would take (they count against a new request)."""
        return sum(amount for txn in self.txns.values() if txn.type == "p2p" and txn.creator == sender
                   and txn.state == "created" for _receiver, amount in txn.moves)

    @rule(who=st.sampled_from(["s2", "t1", "t2", "manager", "m1"]), index=st.integers(0, 10_000),
          aim=st.sampled_from([True, True, True, False]))
    def approve_transfer(self, who, index, aim):  # type: ignore[no-untyped-def]
        self.decide_transfer(who, index, True, aim)

    @rule(who=st.sampled_from(["s2", "t1", "t2", "manager", "m1"]), index=st.integers(0, 10_000),
          aim=st.sampled_from([True, True, True, False]))
    def reject_transfer(self, who, index, aim):  # type: ignore[no-untyped-def]
        self.decide_transfer(who, index, False, aim)

    def decide_transfer(self, who, index, approve_it, aim):  # type: ignore[no-untyped-def]
        txn_id = self.pick(index, aim, type="p2p", state="created")
        txn = self.txns[txn_id]
        allowed = (self.role[who] in ("staff", "manager") and txn.type == "p2p" and txn.state == "created")
        if approve_it:
            if allowed:
                (receiver, amount), = txn.moves
                allowed = (txn.creator in self.active and receiver in self.active
                           and self.model_balances()[txn.creator] >= amount)
            changed = self.attempt(allowed, lambda: approve(self.db, self.actors[who], txn_id))
            if allowed:
                assert changed.state == "processed"
                self.move(txn_id, "processed")
        else:
            changed = self.attempt(allowed, lambda: reject(self.db, self.actors[who], txn_id, reason="mistake"))
            if allowed:
                assert changed.state == "declined"
                self.move(txn_id, "declined")

    @rule(who=st.sampled_from(["s1", "s2", "t1", "t2", "manager", "m1"]), index=st.integers(0, 10_000),
          aim=st.booleans())
    def cancel_transaction(self, who, index, aim):  # type: ignore[no-untyped-def]
        txn_id = self.pick(index, aim, state=("created", "processed"))
        txn = self.txns[txn_id]
        role = self.role[who]
        if txn.state not in ("created", "processed") or txn.type == "tax":
            allowed = False  # nobody cancels a tax (docs/guarantees.md#permissions)
        elif who not in self.active:
            allowed = False  # a deactivated account acts no more, not even on its own requests
        elif txn.type in SAVINGS_TYPES and not self.savings_cancellable(txn):
            allowed = False
        elif txn.creator == who:
            allowed = role != "student" or txn.state == "created"
        elif self.role[txn.creator] == "student":
            allowed = role in ("staff", "manager")
        else:
            allowed = role == "manager"
        changed = self.attempt(allowed, lambda: cancel(self.db, self.actors[who], txn_id, reason="mistake"))
        if allowed:
            assert (changed.old_state, changed.state) == (txn.state, "declined")
            self.move(txn_id, "declined")

    @rule(who=st.sampled_from(["s1", "t1", "t1", "t2", "m1"]), index=st.integers(0, 10_000),
          amounts=st.dictionaries(st.sampled_from(["s1", "s2", "s3", "s4", "s5"]), st.integers(1, 5000),
                                  min_size=1, max_size=3),
          aim=st.sampled_from([True, True, True, False]))
    def alter_transaction(self, who, index, amounts, aim):  # type: ignore[no-untyped-def]
        txn_id = self.pick(index, aim, creator=who, state="processed")
        old = self.txns[txn_id]
        if old.type in STAFF_FORMS:
            choice_field, choice, sign = STAFF_FORMS[old.type]
            payload = {"type": old.type, choice_field: choice, "date": DAY,
                       "amounts": {u: cents_to_str(c) for u, c in amounts.items()}}
        else:  # a transfer or a grant: try anyway, as a careless user would
            sign = 1
            payload = {"type": "general_money", "money_type": "reward", "date": DAY,
                       "amounts": {u: cents_to_str(c) for u, c in amounts.items()}}
        allowed = (self.role[who] in ("staff", "manager") and old.creator == who and old.state == "processed"
                   and old.type in STAFF_FORMS and all(u in self.active for u in amounts))
        posted = self.attempt(allowed, lambda: alter(self.db, self.actors[who], txn_id, payload))
        if allowed:
            self.move(txn_id, "substituted")
            self.add(posted.id, ModelTxn(old.type, who, "processed", [(u, sign * c) for u, c in amounts.items()],
                                         ["txn.created", "txn.processed"]))
            assert query(self.path, "SELECT update_of FROM txn WHERE id = ?", (posted.id,)) == [(txn_id,)]

    @rule(who=st.sampled_from(["t1", "manager", "m1"]), day=st.integers(1, 23))
    def run_tax(self, who, day):  # type: ignore[no-untyped-def]
        when = FIRST_DAY + timedelta(days=day - 1)
        if self.role[who] != "manager":
            self.attempt(False, lambda: tax.run(self.db, self.actors[who], day=when))
            return
        amount = self.tax_schedule.get(day)
        earlier = self.taxed.get(when)
        # a day is taxed once; a voided day may be taxed again (docs/season.md)
        charges = bool(amount) and (earlier is None or self.txns[earlier].state == "declined")
        before = None if charges else dump(self.path)
        (result,) = tax.run(self.db, self.actors[who], day=when)
        if not charges:
            expected = "outside schedule" if amount is None else "no tax" if amount == 0 else "already taxed"
            assert result.outcome == expected
            assert dump(self.path) == before, f"a tax run that charged nothing ({expected}) wrote something"
            return
        assert (result.outcome, result.amount) == ("charged", amount)
        # The students active on that day: the machine deactivates people now, long after every season day,
        # so each of them was still active on the day it taxes.
        students = list(self.students)
        assert result.students == len(students)
        self.taxed[when] = result.transaction_id
        self.add(result.transaction_id, ModelTxn("tax", "bank", "processed", [(s, -amount) for s in students],
                                                 ["txn.created", "txn.processed"], when))

    @rule(who=st.sampled_from(["t1", "manager", "manager"]), day=st.integers(1, 23), aim=st.booleans())
    def void_tax(self, who, day, aim):  # type: ignore[no-untyped-def]
        when = FIRST_DAY + timedelta(days=day - 1)
        if aim and self.taxed:  # mostly a day that was taxed
            when = sorted(self.taxed)[day % len(self.taxed)]
        txn_id = self.taxed.get(when)
        allowed = self.role[who] == "manager" and txn_id is not None and self.txns[txn_id].state == "processed"
        changed = self.attempt(allowed, lambda: tax.void(self.db, self.actors[who], when))
        if allowed:
            assert changed.id == txn_id
            self.move(txn_id, "declined")

    @precondition(lambda self: sum(1 for s in self.students if s in self.active) > 3)
    @rule(student=st.sampled_from(["s2", "s3", "s4", "s5"]))
    def deactivate_student(self, student):  # type: ignore[no-untyped-def]
        allowed = student in self.active
        self.attempt(allowed, lambda: deactivate(self.db, self.actors["manager"], student))
        self.active.discard(student)

    # --- the ledger's invariants (docs/guarantees.md), after every step -----------------------------------

    @invariant()
    def balances_sum_to_zero(self) -> None:
        assert query(self.path, "SELECT SUM(balance) FROM account") == [(0,)]

    @invariant()
    def cached_balances_equal_the_counted_entries(self) -> None:
        cached = dict(query(self.path, "SELECT username, balance FROM account"))
        assert cached == recomputed_balances(self.path)
        assert cached == self.model_balances()

    @invariant()
    def each_transaction_journal_sums_to_zero(self) -> None:
        assert query(self.path, "SELECT transaction_id, SUM(amount) FROM journal WHERE counter_type IS NULL "
                                "GROUP BY transaction_id HAVING SUM(amount) != 0") == []

    @invariant()
    def counter_totals_equal_the_counted_entries(self) -> None:
        assert cached_counters(self.path) == recomputed_counters(self.path)

    @invariant()
    def states_and_their_audit_trail_match_the_model(self) -> None:
        states = dict(query(self.path, "SELECT id, state FROM txn"))
        assert states == {i: t.state for i, t in self.txns.items()}
        trail: dict[int, list[str]] = {}
        for target, action in query(self.path, "SELECT target, action FROM audit_log WHERE action LIKE 'txn.%' "
                                               "ORDER BY id"):
            trail.setdefault(int(target.removeprefix("txn:")), []).append(action)
        assert trail == {i: t.history for i, t in self.txns.items()}
        for history in trail.values():  # each step of each history is allowed by the table
            steps = [State(a.removeprefix("txn.")) for a in history]
            assert steps[0] == State.CREATED
            assert all(b in ALLOWED_MOVES[a] for a, b in itertools.pairwise(steps))

    @invariant()
    def verify_agrees(self) -> None:
        report = verify_file(self.path)
        assert report.ok, report.findings


"""The ledger's checks, computed from the rows as the chain's replay reads them: one pass per table.

Each batch of rows adds to a few running totals (per account, per counter, per transaction); the checks
compare them with the caches and with each other at the end. Nothing depends on the order rows arrive in.

Whether a transaction's journal holds exactly what its entries say (per account and counter) is decided by
a fingerprint: every account and counter gets a random 61-bit weight for this run only, and the entries'
and the journal's weighted sums must be equal. Two different sets of postings give equal sums with a
chance below 2^-60 per transaction (Schwartz-Zippel: the weights are fresh each run, so no one can aim
for it). The few transactions that differ are then listed in full by an exact query
(docs/tamper-evidence.md, "What verify checks").
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from campbank.core.enums import TRANSITIONS, State

WEIGHT_BITS = 61
_LEGAL = {str(state): {str(nxt) for nxt in targets} for state, targets in TRANSITIONS.items()}
_UNAUDITED = "its creation is not in the audit log"
_CREATED = str(State.CREATED)


class Tally:
    def __init__(self, accounts: int = 0) -> None:
        """`accounts`: the highest account id; ids up to it are tallied in lists (the fast path)."""
        size = max(accounts, 0) + 1
        self.account_weights = [secrets.randbits(WEIGHT_BITS) | 1 for _ in range(size)]
        self.account_balances = [0] * size  # account id -> sum of its money journal rows
        self._secret = secrets.token_bytes(32)
        self._weights: dict[Any, int] = {}  # (account, counter), and any account id beyond the lists -> weight
        self.other_balances: dict[Any, int] = {}  # balances of account ids beyond the lists (a damaged file)
        self.creator: dict[int, Any] = {}  # transaction -> creator account
        self.kept_totals: dict[int, tuple[Any, Any]] = {}  # transaction -> the amount and recipients kept on it
        self.people: dict[int, set[Any]] = {}  # transaction -> the people its entries name
        self.entry_amount: dict[int, int] = {}  # transaction -> sum of its money entries
        self.entry_receivers: dict[int, int] = {}  # transaction -> weighted sum of its money entries' receivers
        self.entry_counters: dict[int, int] = {}  # transaction -> weighted sum of its counter entries
        self.journal_weighted: dict[int, int] = {}  # transaction -> weighted sum of its journal rows
        self.journal_money: dict[int, int] = {}  # transaction -> sum of its money journal rows
        self.counters: dict[tuple[Any, Any], int] = {}  # (account, counter) -> sum of its counter journal rows
        self.history: dict[int, str] = {}  # transaction -> its state by the audit log, or what is wrong
        self.credentials: dict[str, tuple[Any, Any]] = {}  # "user:NAME" -> its last audited (role, hash digest)
        self.credential_breaks: dict[str, str] = {}  # "user:NAME" -> a change made from an unaudited value
        self.unreadable: list[str] = []  # rows whose values cannot be added up

    def weight(self, key: Any) -> int:
        """The weight of an account id or of (account, counter): random for this run, and the same in the
        second process (a keyed hash of the key, computed once per key)."""
        if type(key) is int and 0 <= key < len(self.account_weights):
            return self.account_weights[key]
        weight = self._weights.get(key)
        if weight is None:
            digest = hashlib.blake2b(repr(key).encode("utf-8", "surrogatepass"), key=self._secret, digest_size=8)
            weight = self._weights[key] = (int.from_bytes(digest.digest(), "little") >> (64 - WEIGHT_BITS)) | 1
        return weight

    def merge(self, other: Tally) -> None:
        """Take the journal's totals from the tally the second process kept (it read only the journal)."""
        self.journal_weighted, self.journal_money = other.journal_weighted, other.journal_money
        self.account_balances, self.other_balances = other.account_balances, other.other_balances
        self.counters = other.counters
        self.unreadable += other.unreadable

    # --- one method per chained table, each called with every batch of its rows -----------------------

    # Rows come as `store.chain` reads them (`ChainedTable.select`): the integer columns, the null mask (where
    # a column is nullable), then the text columns. Sums are gathered per run of rows of one transaction
    # (rows are written a transaction at a time) and added to the per-transaction totals once per run.

    def txn(self, rows: list[Any], _clean: bool) -> None:
        creator, kept = self.creator, self.kept_totals
        for txn, made_by, _update_of, amount, recipients, *_rest in rows:
            creator[txn] = made_by
            kept[txn] = (amount, recipients)

    def _fits(self, rows: list[Any], clean: bool, account_at: int) -> bool:
        """Whether the fast loop can take this batch: every integer column holds an integer (`clean`: the
        chain's encoding found so) and every account id is within the lists."""
        if not clean or not rows:
            return clean
        accounts = list(map(itemgetter(account_at), rows))
        return min(accounts) >= 0 and max(accounts) < len(self.account_weights)

    def money_entry(self, rows: list[Any], clean: bool) -> None:
        if not self._fits(rows, clean, 2):
            self._money_entry_slowly(rows)
            return
        amounts, receivers, weights = self.entry_amount, self.entry_receivers, self.account_weights
        current, amount_sum, weighted_sum = None, 0, 0
        people: set[Any] = set()
        for _id, txn, receiver, amount, _type, _description in rows:
            if txn != current:
                if current is not None:
                    amounts[current] = amounts.get(current, 0) + amount_sum
                    receivers[current] = receivers.get(current, 0) + weighted_sum
                    self._add_people(current, people)
                current, amount_sum, weighted_sum, people = txn, 0, 0, set()
            amount_sum += amount
            weighted_sum += amount * weights[receiver]
            people.add(receiver)
        if current is not None:
            amounts[current] = amounts.get(current, 0) + amount_sum
            receivers[current] = receivers.get(current, 0) + weighted_sum
            self._add_people(current, people)

    def _add_people(self, txn: Any, people: set[Any]) -> None:
        known = self.people.get(txn)
        if known is None:
            self.people[txn] = people
        else:
            known |= people

    def _money_entry_slowly(self, rows: list[Any]) -> None:
        for _id, txn, receiver, amount, _type, _description in rows:
            if type(amount) is not int:
                self._unreadable("money_entry", _id, amount)
                continue
            self.entry_amount[txn] = self.entry_amount.get(txn, 0) + amount
            self.entry_receivers[txn] = self.entry_receivers.get(txn, 0) + amount * self.weight(receiver)
            self._add_people(txn, {receiver})

    def counter_entry(self, rows: list[Any], _clean: bool) -> None:
        counters = self.entry_counters
        for _id, txn, receiver, value, _mask, counter, _day, _block in rows:
            self._add_people(txn, {receiver})
            if type(value) is not int:
                self._unreadable("counter_entry", _id, value)
                continue
            counters[txn] = counters.get(txn, 0) + value * self.weight((receiver, counter))

    def journal(self, rows: list[Any], clean: bool) -> None:
        if not self._fits(rows, clean, 2):
            self._journal_slowly(rows)
            return
        weighted, money, balances, weights = (self.journal_weighted, self.journal_money, self.account_balances,
                                              self.account_weights)
        current, weighted_sum, money_sum = None, 0, 0
        for _id, txn, account, _money_entry, _counter_entry, amount, _reverses, nulls, counter, _at in rows:
            if txn != current:
                if current is not None:
                    weighted[current] = weighted.get(current, 0) + weighted_sum
                    money[current] = money.get(current, 0) + money_sum
                current, weighted_sum, money_sum = txn, 0, 0
            if nulls & 4:  # no counter_type: a money row
                weighted_sum += amount * weights[account]
                money_sum += amount
                balances[account] += amount
            else:
                weighted_sum += amount * self.weight((account, counter))
                self.counters[account, counter] = self.counters.get((account, counter), 0) + amount
        if current is not None:
            weighted[current] = weighted.get(current, 0) + weighted_sum
            money[current] = money.get(current, 0) + money_sum

    def _journal_slowly(self, rows: list[Any]) -> None:
        for _id, txn, account, _money_entry, _counter_entry, amount, _reverses, nulls, counter, _at in rows:
            if type(amount) is not int:
                self._unreadable("journal", _id, amount)
                continue
            if nulls & 4:
                self.journal_money[txn] = self.journal_money.get(txn, 0) + amount
                if type(account) is int and 0 <= account < len(self.account_balances):
                    self.account_balances[account] += amount
                else:
                    self.other_balances[account] = self.other_balances.get(account, 0) + amount
                self.journal_weighted[txn] = self.journal_weighted.get(txn, 0) + amount * self.weight(account)
            else:
                self.counters[account, counter] = self.counters.get((account, counter), 0) + amount
                self.journal_weighted[txn] = (self.journal_weighted.get(txn, 0)
                                              + amount * self.weight((account, counter)))

    def audit_log(self, rows: list[Any], clean: bool) -> None:
        if not clean:  # keep rows whose action and target are text (only a hand-edited file has others)
            rows = [row for row in rows if isinstance(row[4], str) and isinstance(row[5], str)]
        history, legal = self.history, _LEGAL
        for _id, _actor, _nulls, _at, action, target, detail in rows:
            if action[:4] == "txn.":
                if target[:4] != "txn:" or not target[4:].isdigit():
                    continue
                txn, step = int(target[4:]), action[4:]
                before = history.get(txn)
                if before is None:
                    history[txn] = step if step == _CREATED else _UNAUDITED
                elif before in legal:
                    if step not in legal:
                        history[txn] = f"unknown step {step!r} in the audit log"
                    elif step not in legal[before]:
                        history[txn] = f"went from {before} to {step}, which the state machine forbids"
                    else:
                        history[txn] = step
            elif action == "user.credentials":
                self._credentials_row(target, detail)

    def _credentials_row(self, target: str, detail: str) -> None:
        """Keep each account's last audited role and hash; a change that replaced a role or hash other than
        the last one audited means one was written without CampBank in between (a rehash on sign-in, say,
        of a forged hash): kept as the account's first such problem."""
        try:
            values = json.loads(detail)
            now = (values["role"], values["password_sha256"])
            was = values.get("was")
        except (TypeError, ValueError, KeyError):
            self.credentials[target] = ("unreadable", None)
            return
        last = self.credentials.get(target)
        if was is not None and last is not None and (was.get("role"), was.get("password_sha256")) != last \
                and target not in self.credential_breaks:
            what = "role" if was.get("role") != last[0] else "password hash"
            self.credential_breaks[target] = f"had its {what} changed by CampBank from one the audit log never recorded"
        self.credentials[target] = now

    def _unreadable(self, table: str, row_id: Any, value: Any) -> None:
        """A value that is not a number where one must be (only a hand-edited file has one)."""
        if len(self.unreadable) < 100:
            self.unreadable.append(f"{table} row {row_id} holds {value!r} where a number belongs")

    # --- the checks ------------------------------------------------------------------------------------

    def journal_mismatches(self, states: dict[int, str]) -> list[int]:
        """Transactions whose journal is not exactly what their counted entries say."""
        txns = set(self.journal_weighted) | set(self.entry_receivers) | set(self.entry_counters)
        wrong = []
        for txn in sorted(txns):
            expected = 0
            if states.get(txn) == State.PROCESSED:
                creator_weight = self.weight(self.creator.get(txn))
                expected = (self.entry_receivers.get(txn, 0) - self.entry_amount.get(txn, 0) * creator_weight
                            + self.entry_counters.get(txn, 0))
            if self.journal_weighted.get(txn, 0) != expected:
                wrong.append(txn)
        return wrong

    def total_differences(self) -> list[tuple[int, Any, Any, int, int]]:
        """(transaction, kept amount, kept recipients, its entries' amount, their people) where they differ;
        nothing for a file from before the totals were kept (they read as NULL)."""
        differences = []
        for txn, (amount, recipients) in sorted(self.kept_totals.items()):
            if amount is None or recipients is None:
                continue
            total, people = self.entry_amount.get(txn, 0), len(self.people.get(txn, ()))
            if amount != total or recipients != people:
                differences.append((txn, amount, recipients, total, people))
        return differences

    def unbalanced_transactions(self) -> list[tuple[int, int]]:
        return sorted((txn, total) for txn, total in self.journal_money.items() if total != 0)

    def balance_differences(self, accounts: Iterable[tuple[Any, int]]) -> list[tuple[Any, int, int]]:
        """(account, cached, from the journal) where they differ."""
        differences = []
        for account, cached in accounts:
            inside = type(account) is int and 0 <= account < len(self.account_balances)
            journal = self.account_balances[account] if inside else self.other_balances.get(account, 0)
            if cached != journal:
                differences.append((account, cached, journal))
        return differences

    def counter_differences(self, cached: Iterable[tuple[Any, Any, int]]) -> list[tuple[Any, Any, int, int]]:
        totals: dict[tuple[Any, Any], list[int]] = {}
        for account, counter, total in cached:
            totals.setdefault((account, counter), [0, 0])[0] += total
        for key, total in self.counters.items():
            totals.setdefault(key, [0, 0])[1] += total
        return sorted(((account, counter, kept, journal) for (account, counter), (kept, journal) in totals.items()
                       if kept != journal), key=lambda item: (str(item[0]), str(item[1])))

    def history_problems(self, states: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
        problems = []
        for txn, state in states:
            last = self.history.get(txn, _UNAUDITED)
            if last not in _LEGAL:
                problems.append((txn, last))
            elif last != state:
                problems.append((txn, f"is {state}, but the audit log ends with {last}"))
        return problems

    def credential_problems(self, accounts: Iterable[tuple[str, str, str | None]],
                            digest: Any) -> list[tuple[str, str]]:
        """(username, what disagrees) for accounts whose role or password hash is not the audited one."""
        problems = []
        for username, role, password_hash in accounts:
            target = f"user:{username}"
            audited = self.credentials.get(target)
            if target in self.credential_breaks:
                problems.append((username, self.credential_breaks[target] + ": it was written without CampBank "
                                                                               "before that"))
            if audited is None:
                problems.append((username, "has no audited role or password: the account was written without "
                                           "CampBank"))
            elif audited[0] == "unreadable":
                problems.append((username, "its last credentials row in the audit log is unreadable"))
            else:
                if audited[0] != role:
                    problems.append((username, f"has the role {role}, but the audit log last gave {audited[0]}: "
                                               "the role was written without CampBank"))
                if audited[1] != digest(password_hash):
                    problems.append((username, "has a password hash the audit log never recorded: it was written "
                                               "without CampBank"))
        return problems

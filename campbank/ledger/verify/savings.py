"""`campbank verify` for savings and credit: pockets, loans, funds and circles recomputed from the entries.

The general checks already prove every account's cached balance (a pocket's and a fund's included) from
the journal, and the journal from the entries. These add what only savings and credit promise
(docs/savings.md#guarantees): no pocket or fund below zero, a closed pocket empty; each loan's
due = paid + written off + outstanding with no instalment charged twice or above its schedule; each
fund's balance = contributions − refunds − spent, every refund exactly what each student gave; each
circle's rounds as its members and contribution say, a finished circle leaving every member where they
started, and a void one with no round counting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

from campbank.core.money import split_budget
from campbank.ledger.store import inspection
from campbank.ledger.store.inspection import Connection

TABLES = ("pocket", "loan", "loan_payment", "fund", "circle", "circle_member")


class Findings(Protocol):
    def add(self, check: str, message: str) -> None: ...


def check_savings(db: Connection, report: Findings, name: Callable[[int], str], show: int) -> None:
    present = inspection.tables(db)
    if not set(TABLES) <= present:
        return  # a file from before savings and credit; CampBank adds the tables when it next opens it
    for check in (_holdings, _pockets, _loans, _funds, _circles):
        problems = check(db, name)
        for message in problems[:show]:
            report.add(check.__name__.strip("_"), message)
        if len(problems) > show:
            report.add(check.__name__.strip("_"), f"… and {len(problems) - show} more")


def _holdings(db: Connection, name: Callable[[int], str]) -> list[str]:
    return [f"{role} {username} holds {balance} cents: less than nothing"
            for username, role, balance in db.execute(
                "SELECT username, role, balance FROM account WHERE role IN ('pocket', 'fund') AND balance < 0")]


def _pockets(db: Connection, name: Callable[[int], str]) -> list[str]:
    problems = []
    rows = db.execute(
        """
        SELECT p.id, p.name, p.owner_id, o.role, a.role, a.balance, p.closed_at, COALESCE(e.total, 0)
          FROM pocket p JOIN account a ON a.id = p.account_id JOIN account o ON o.id = p.owner_id
          LEFT JOIN (SELECT account, SUM(amount) AS total FROM (
                       SELECT me.receiver_id AS account, me.amount FROM money_entry me
                       JOIN txn t ON t.id = me.transaction_id AND t.state = 'processed'
                        WHERE me.receiver_id IN (SELECT account_id FROM pocket)
                       UNION ALL
                       SELECT t.creator_id, -me.amount FROM txn t
                       JOIN money_entry me ON me.transaction_id = t.id
                        WHERE t.state = 'processed' AND t.creator_id IN (SELECT account_id FROM pocket)) moves
                     GROUP BY account) e ON e.account = p.account_id
        """)
    for pocket_id, pocket, owner, owner_role, role, balance, closed, from_entries in rows:
        where = f"pocket #{pocket_id} ({pocket!r} of {name(owner)})"
        if owner_role != "student" or role != "pocket":
            problems.append(f"{where} is not a student's pocket account")
        if balance != from_entries:
            problems.append(f"{where} shows {balance} cents; its counted entries give {from_entries}")
        if closed is not None and balance != 0:
            problems.append(f"{where} is closed but holds {balance} cents")
    return problems


def _loans(db: Connection, name: Callable[[int], str]) -> list[str]:
    problems = []
    paid: dict[int, dict[int | None, list[int]]] = defaultdict(lambda: defaultdict(list))
    for loan_id, instalment, amount, txn_type in db.execute(
            """SELECT lp.loan_id, lp.instalment, me.amount, t.type
                  FROM loan_payment lp JOIN money_entry me ON me.id = lp.money_entry_id
                  JOIN txn t ON t.id = me.transaction_id AND t.state = 'processed'"""):
        paid[loan_id][instalment].append(amount if instalment is None else -amount)
        expected = "loan_repay" if instalment is None else "loan_instalment"
        if txn_type != expected:
            problems.append(f"loan #{loan_id}: a payment is a {txn_type}, not a {expected}")
    for (loan_id, borrower, principal, total, count, state, written_off, grant_state, granted, to_whom
         ) in db.execute(
            """SELECT l.id, l.borrower_id, l.principal, l.total_due, l.instalments, l.state, l.written_off, t.state,
                      (SELECT SUM(amount) FROM money_entry WHERE transaction_id = t.id),
                      (SELECT MIN(receiver_id) FROM money_entry WHERE transaction_id = t.id)
                 FROM loan l JOIN txn t ON t.id = l.transaction_id"""):
        where = f"loan #{loan_id} of {name(borrower)}"
        schedule = split_budget(total, [1] * count) if count > 0 else []
        by_number = paid.get(loan_id, {})
        instalments = sum(sum(v) for k, v in by_number.items() if k is not None)
        repaid = sum(by_number.get(None, []))
        if granted != principal or to_whom != borrower or total < principal:
            problems.append(f"{where}: its grant does not pay {principal} cents to the borrower")
        for number, amounts in by_number.items():
            if number is None:
                continue
            if len(amounts) > 1:
                problems.append(f"{where}: instalment {number} was charged {len(amounts)} times")
            if not 1 <= number <= count or sum(amounts) > schedule[number - 1] or min(amounts) <= 0:
                problems.append(f"{where}: instalment {number} charged {sum(amounts)} cents, off its schedule")
        settled = instalments + repaid + written_off
        if state == "cancelled":
            if grant_state == "processed" or instalments or repaid:
                problems.append(f"{where} is cancelled but its grant or payments still count")
        elif grant_state != "processed":  # open and never lent: its grant waits for a second manager or was rejected
            if state != "open" or instalments or repaid or written_off:
                problems.append(f"{where} is {state} but its grant is {grant_state}")
        elif settled > total:
            problems.append(f"{where}: paid {instalments + repaid} and written off {written_off} cents, more than "
                            f"the {total} due")
        elif state == "written_off" and settled != total:
            problems.append(f"{where} is written off: paid {instalments + repaid} + written off {written_off} "
                            f"is not the {total} due")
        elif state == "open" and written_off:
            problems.append(f"{where} is open but {written_off} cents are written off")
    return problems


def _funds(db: Connection, name: Callable[[int], str]) -> list[str]:
    problems = []
    for fund_id, account, state, balance in db.execute(
            "SELECT f.id, f.account_id, f.state, a.balance FROM fund f JOIN account a ON a.id = f.account_id"):
        given: dict[int, int] = defaultdict(int)
        back: dict[int, int] = defaultdict(int)
        spent = 0
        for txn_type, creator, receiver, amount in db.execute(
                """SELECT t.type, t.creator_id, me.receiver_id, me.amount FROM money_entry me
                       JOIN txn t ON t.id = me.transaction_id AND t.state = 'processed'
                     WHERE me.receiver_id = ? OR t.creator_id = ?""", (account, account)):
            if txn_type == "fund_contribution" and receiver == account:
                given[creator] += amount
            elif txn_type == "fund_refund" and creator == account:
                back[receiver] += amount
            elif txn_type == "fund_spend" and creator == account:
                spent += amount
            else:
                problems.append(f"fund #{fund_id}: a {txn_type} moved its money")
        computed = sum(given.values()) - sum(back.values()) - spent
        if computed != balance:
            problems.append(f"fund #{fund_id} holds {balance} cents; contributions − refunds − spent give {computed}")
        if state != "open" and balance != 0:
            problems.append(f"fund #{fund_id} is {state} but holds {balance} cents")
        if state in ("refunded", "cancelled") and dict(back) != {k: v for k, v in given.items() if v}:
            problems.append(f"fund #{fund_id} is {state} but its refunds are not exactly each contribution")
        if state == "spent" and (back or spent != sum(given.values())):
            problems.append(f"fund #{fund_id} is spent but did not pay out exactly its contributions")
    return problems


def _circles(db: Connection, name: Callable[[int], str]) -> list[str]:
    problems = []
    for circle_id, contribution, count, voided in db.execute(
            "SELECT id, contribution, members, voided_at FROM circle"):
        members = [row[0] for row in db.execute(
            "SELECT account_id FROM circle_member WHERE circle_id = ? ORDER BY position", (circle_id,))]
        if len(members) != count:
            problems.append(f"circle #{circle_id} has {len(members)} members, not {count}")
            continue
        net: dict[int, int] = defaultdict(int)
        held = 0
        for key, txn_id in db.execute(
                "SELECT idempotency_key, id FROM txn WHERE state = 'processed' AND idempotency_key LIKE ?",
                (f"sys:circle:{circle_id}:%",)):
            held += 1
            number = int(key.rsplit(":", 1)[1])
            moved: dict[int, int] = defaultdict(int)
            for receiver, amount in db.execute("SELECT receiver_id, amount FROM money_entry WHERE transaction_id = ?",
                                               (txn_id,)):
                moved[receiver] += amount
                net[receiver] += amount
            expected = {m: -contribution for m in members}
            expected[members[number - 1]] += contribution * count
            if dict(moved) != expected:
                problems.append(f"circle #{circle_id}: round {number} (#{txn_id}) is not {contribution} cents from "
                                f"each member to member {number}")
        if voided is not None and held:
            problems.append(f"circle #{circle_id} is void but {held} of its rounds still count")
        if held == count and any(net[m] for m in members):
            problems.append(f"circle #{circle_id} is finished but leaves a member short or ahead")
    return problems

"""The table of all transactions (paged, sorted, filtered in SQL) and staff balances (managers only)."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import query

from campbank.core.errors import InputError, PermissionDenied
from campbank.ledger.views.staff import staff_report
from campbank.ledger.views.transactions import (
    TransactionFilter,
    iter_transactions,
    transactions_page,
)


def page(camp, who: str = "manager", **options):  # type: ignore[no-untyped-def]
    return transactions_page(camp.db, camp.actor(who), **options)


def raw_amounts(path) -> dict[int, int]:  # type: ignore[no-untyped-def]
    return {i: a for i, a in query(path, """SELECT t.id, COALESCE(SUM(m.amount), 0) FROM txn t
        LEFT JOIN money_entry m ON m.transaction_id = t.id GROUP BY t.id""")}


def test_paging_through_every_transaction(market):
    ids = [i for (i,) in query(market.path, "SELECT id FROM txn ORDER BY id")]
    seen, offset = [], 0
    while True:
        result = page(market, sort="id", descending=False, offset=offset, limit=4)
        assert result.total == len(ids)
        if not result.lines:
            break
        assert len(result.lines) <= 4
        seen += [line.id for line in result.lines]
        offset += 4
    assert seen == ids
    assert [line.id for line in page(market, limit=3).lines] == ids[::-1][:3], "newest first by default"
    assert page(market, counted=False).total is None, "a table turning pages keeps its count"


def test_lines_carry_amount_recipients_and_names(market):
    amounts = raw_amounts(market.path)
    lines = {line.id: line for line in page(market, limit=1000).lines}
    assert {i: line.amount for i, line in lines.items()} == amounts
    reward = lines[market.ids["reward"]]
    assert (reward.creator, reward.type, reward.state, reward.amount) == ("t1", "general_money", "processed", 1550)
    assert reward.recipients == 2 and reward.recipient_names == ("Student01 Ann", "Student02 Ann")
    assert reward.description == 'Prize, "best" team'
    fac = lines[market.ids["fac"]]
    assert fac.amount == 0 and fac.recipients == 3, "counter entries name recipients too"
    assert lines[market.ids["cancelled"]].state == "declined"
    assert lines[market.ids["pending"]].state == "created"
    assert lines[market.ids["workout"]].creator_name == "Teacher2 Tom"


@pytest.mark.parametrize("sort", ["amount", "recipients", "created", "creator", "type", "state", "day", "description"])
def test_sorting_orders_the_whole_table(market, sort):
    everything = page(market, limit=1000, sort="id").lines
    key = {"amount": lambda t: t.amount, "recipients": lambda t: t.recipients,
           "created": lambda t: t.created_at, "creator": lambda t: t.creator, "type": lambda t: t.type,
           "state": lambda t: t.state, "day": lambda t: t.day, "description": lambda t: t.description}[sort]
    for descending in (True, False):
        got = page(market, limit=1000, sort=sort, descending=descending).lines
        expected = sorted(everything, key=lambda t: (key(t), t.id), reverse=descending)
        assert [line.id for line in got] == [line.id for line in expected]
    top = page(market, limit=2, sort=sort, offset=1).lines
    assert [line.id for line in top] == [line.id for line in page(market, limit=1000, sort=sort).lines][1:3]


def test_filters(market):
    ids = market.ids

    def found(**where) -> set[int]:  # type: ignore[no-untyped-def]
        result = page(market, limit=1000, where=TransactionFilter(**where))
        assert result.total == len(result.lines)
        return {line.id for line in result.lines}

    assert found(types=("fine",)) == {ids["fine"], ids["cancelled"]}
    assert found(states=("declined",)) == {ids["cancelled"]}
    assert found(types=("fine",), states=("processed",)) == {ids["fine"]}
    assert found(creator="t2") == {ids["radio"], ids["purchase"], ids["workout"], ids["cancelled"]}
    grant = query(market.path, """SELECT m.transaction_id FROM money_entry m JOIN account a ON a.id = m.receiver_id
                                   WHERE a.username = 'petrov'""")
    assert found(receiver="petrov") == {ids["fac"], ids["workout"], grant[0][0]}
    assert found(receiver="nobody") == set()
    assert found(text="BEST") == {ids["reward"]}
    assert found(text="100%") == set(), "% is a literal, not a wildcard"
    assert found(text=f"#{ids['lab']}") == {ids["lab"]}
    assert ids["fine"] in found(day_from=date(2018, 8, 10), day_to=date(2018, 8, 10))
    grants = {txn for (txn,) in query(market.path, "SELECT DISTINCT transaction_id FROM money_entry "
                                                   "WHERE money_type = 'initial'")}
    assert found(day_to=date(2018, 8, 9)) == grants, "before the 10th: only the grants, dated the camp's first day"


def test_bad_sort_or_page_is_refused(market):
    with pytest.raises(InputError):
        page(market, sort="amount; DROP TABLE txn")
    with pytest.raises(InputError):
        page(market, limit=0)


def test_streaming_every_transaction_in_chunks(market):
    expected = page(market, limit=1000, sort="id", descending=False).lines
    chunks: list[int] = []
    streamed = list(iter_transactions(market.db, market.manager, chunk=3, on_chunk=chunks.append))
    assert streamed == list(expected)
    assert sum(chunks) == len(expected) and max(chunks) == 3
    assert [line.id for line in iter_transactions(market.db, market.manager, upto_id=5)] == [1, 2, 3, 4, 5]


def test_staff_balances(market):
    lines = staff_report(market.db, market.manager)
    with_bank = staff_report(market.db, market.manager, include_bank=True)
    assert [line.username for line in lines] == ["m1", "manager", "t1", "t2"]
    assert [line.username for line in with_bank] == ["m1", "manager", "t1", "t2", "bank"]
    raw = dict(query(market.path, "SELECT username, balance FROM account"))
    counts = dict(query(market.path, """SELECT a.username, COUNT(t.id) FROM account a
        LEFT JOIN txn t ON t.creator_id = a.id GROUP BY a.username"""))
    for line in with_bank:
        assert line.balance == raw[line.username] and line.net_issued == -raw[line.username]
        assert line.transactions == counts[line.username]
    t1 = {line.username: line for line in lines}["t1"]
    assert (t1.issued, t1.charged, t1.processed) == (1550 + 2000 + 2700, 13000, 5)
    students = sum(b for (b,) in query(market.path, "SELECT balance FROM account WHERE role = 'student'"))
    assert sum(line.balance for line in with_bank) + students == 0, "all balances sum to zero"


def test_only_managers_see_the_transactions_table_and_staff(market):
    for who in ("t1", "s1"):
        with pytest.raises(PermissionDenied):
            page(market, who)
        with pytest.raises(PermissionDenied):
            iter_transactions(market.db, market.actor(who))  # refused at the call, before any next()
        with pytest.raises(PermissionDenied):
            staff_report(market.db, market.actor(who))


def test_text_search_ignores_case_in_cyrillic_too(market):
    from helpers import money

    from campbank.ledger.actions.posting import post

    txn = post(market.db, market.actor("t1"), money({"s1": "1"}, description="Семинар по физике, 50%_off")).id
    for needle in ("семинар", "СЕМИНАР", "физике", "50%_off", "#" + str(txn)):
        lines = page(market, where=TransactionFilter(text=needle)).lines
        assert [line.id for line in lines] == [txn], needle
    assert page(market, where=TransactionFilter(text="50%_of_")).lines == ()

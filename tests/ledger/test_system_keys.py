"""Keys the system owns (tax days, grants, study fines) live where no payload can reach them; a payload's key
is scoped to whoever posts it. Every check reads the database file raw."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import GRANT, balance, money, p2p, query, raw

from campbank.ledger.actions.posting import post
from campbank.ledger.actions.study_fines import charge
from campbank.ledger.actions.tax import run
from campbank.ledger.actions.users import add_user
from campbank.ledger.store.database import open_database
from campbank.ledger.verify import verify_file

TAX_DAY = date(2018, 8, 7)  # classic day 2: 5@


def account_id(path, username: str) -> int:  # type: ignore[no-untyped-def]
    return query(path, "SELECT id FROM account WHERE username = ?", (username,))[0][0]


@pytest.mark.parametrize("key", [f"tax:{TAX_DAY}", f"sys:tax:{TAX_DAY}"])
def test_a_students_transfer_keyed_like_a_tax_day_does_not_stop_the_tax(camp, key):
    request = post(camp.db, camp.actor("s1"), p2p("s2", "1", idempotency_key=key))
    [result] = run(camp.db, camp.manager, day=TAX_DAY)
    assert result.outcome == "charged" and result.students == 5
    assert query(camp.path, "SELECT idempotency_key FROM txn WHERE id = ?", (request.id,)) == [
        (f"u:{account_id(camp.path, 's1')}:{key}",)]
    assert query(camp.path, "SELECT idempotency_key FROM txn WHERE type = 'tax'") == [(f"sys:tax:{TAX_DAY}",)]


@pytest.mark.parametrize("form", ["study_fine:final:{id}", "sys:study_fine:final:{id}"])
def test_a_transfer_keyed_like_a_study_fine_does_not_skip_that_fine(camp, form):
    victim = account_id(camp.path, "s1")
    post(camp.db, camp.actor("s1"), p2p("s2", "1", idempotency_key=form.format(id=victim)))
    charged = {row.username for row in charge(camp.db, camp.manager, "final")}
    assert "s1" in charged and len(charged) == 5
    assert query(camp.path, "SELECT COUNT(*) FROM txn WHERE type = 'study_fine' AND idempotency_key = ?",
                 (f"sys:study_fine:final:{victim}",)) == [(1,)]


@pytest.mark.parametrize("form", ["initial:{id}", "sys:initial:{id}"])
def test_a_transfer_keyed_like_the_next_grant_does_not_stop_adding_a_student(camp, form):
    next_id = query(camp.path, "SELECT MAX(id) FROM account")[0][0] + 1
    post(camp.db, camp.actor("s1"), p2p("s2", "1", idempotency_key=form.format(id=next_id)))
    add_user(camp.db, camp.manager, last_name="Late", first_name="Lena", role="student", squad="Squad 1", grade=7,
             username="late.l", password="late-pass-1")
    assert account_id(camp.path, "late.l") == next_id
    assert balance(camp.db, "late.l") == GRANT
    assert query(camp.path, "SELECT idempotency_key FROM txn t JOIN money_entry m ON m.transaction_id = t.id "
                            "WHERE m.receiver_id = ?", (next_id,)) == [(f"sys:initial:{next_id}",)]


def test_the_same_key_from_two_staff_makes_two_transactions(camp):
    first = post(camp.db, camp.actor("t1"), money({"s1": "10"}, idempotency_key="radio-1"))
    second = post(camp.db, camp.actor("t2"), money({"s1": "10"}, idempotency_key="radio-1"))
    assert not first.duplicate and not second.duplicate and first.id != second.id
    assert balance(camp.db, "s1") == GRANT + 2000
    assert sorted(key for (key,) in query(camp.path, "SELECT idempotency_key FROM txn WHERE idempotency_key "
                                                     "LIKE 'u:%:radio-1'")) == sorted(
        [f"u:{account_id(camp.path, 't1')}:radio-1", f"u:{account_id(camp.path, 't2')}:radio-1"])


def test_the_same_key_twice_from_one_staff_is_still_one_transaction(camp):
    first = post(camp.db, camp.actor("t1"), money({"s1": "10"}, idempotency_key="radio-1"))
    again = post(camp.db, camp.actor("t1"), money({"s1": "10"}, idempotency_key="radio-1"))
    assert again.duplicate and again.id == first.id
    assert balance(camp.db, "s1") == GRANT + 1000


# --- a camp written before the namespaces ---------------------------------------------------------


def as_bare_keys(path, rewrites: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """The file as an older CampBank wrote it: bare keys, and no note that they have namespaces."""
    connection = raw(path)
    for new, old in rewrites.items():
        connection.execute("UPDATE txn SET idempotency_key = ? WHERE idempotency_key = ?", (old, new))
    connection.execute("DELETE FROM meta WHERE key = 'idempotency_keys'")
    connection.close()


@pytest.mark.sqlite_only("a file an older CampBank wrote (a server's camp starts with namespaced keys)")
def test_an_older_camps_keys_get_their_namespace_once_and_keep_working(camp):
    s1, t1, bank = (account_id(camp.path, name) for name in ("s1", "t1", "bank"))
    run(camp.db, camp.manager, day=TAX_DAY)
    post(camp.db, camp.actor("t1"), money({"s2": "10"}, idempotency_key="radio-1"))
    post(camp.db, camp.actor("s1"), p2p("s2", "1", idempotency_key="tax:2018-08-08"))  # taken in the old days
    # A bare key that looks like the scoped form of someone else's must not be taken for it.
    post(camp.db, camp.actor("s1"), p2p("s3", "1", idempotency_key=f"u:{t1}:radio-2"))
    grants = {key for (key,) in query(camp.path, "SELECT idempotency_key FROM txn WHERE idempotency_key "
                                                 "LIKE 'sys:initial:%'")}
    assert len(grants) == 5
    camp.db.dispose()
    as_bare_keys(camp.path, {
        f"sys:tax:{TAX_DAY}": f"tax:{TAX_DAY}", f"u:{t1}:radio-1": "radio-1",
        f"u:{s1}:tax:2018-08-08": "tax:2018-08-08", f"u:{s1}:u:{t1}:radio-2": f"u:{t1}:radio-2",
        **{key: key.removeprefix("sys:") for key in grants},
    })

    db = open_database(camp.path)
    try:
        stored = {key for (key,) in query(camp.path, "SELECT idempotency_key FROM txn WHERE idempotency_key "
                                                     "IS NOT NULL")}
        assert stored == {f"sys:tax:{TAX_DAY}", f"u:{t1}:radio-1", f"u:{s1}:tax:2018-08-08",
                          f"u:{s1}:u:{t1}:radio-2", *grants}
        assert query(camp.path, "SELECT COUNT(*) FROM txn WHERE idempotency_key LIKE 'sys:%' AND creator_id != ?",
                     (bank,)) == [(0,)]
        # the old keys still mean what they meant, and the day the student's key blocked is taxed now
        [again] = run(db, camp.manager, day=TAX_DAY)
        assert again.outcome == "already taxed"
        [blocked] = run(db, camp.manager, day=date(2018, 8, 8))
        assert blocked.outcome == "charged"
        assert post(db, camp.actor("t1"), money({"s2": "10"}, idempotency_key="radio-1")).duplicate
        assert not post(db, camp.actor("t1"), money({"s3": "1"}, idempotency_key="radio-2")).duplicate
        open_database(camp.path).dispose()  # a second open changes nothing
        assert {key for (key,) in query(camp.path, "SELECT idempotency_key FROM txn WHERE idempotency_key "
                                                   "IS NOT NULL AND idempotency_key != 'sys:tax:2018-08-08'"
                                                   " AND idempotency_key != ?", (f"u:{t1}:radio-2",))} == stored
        assert verify_file(camp.path).ok
    finally:
        db.dispose()

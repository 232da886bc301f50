"""Loans through the ledger: granting, the instalments the nightly run charges, early repayment removing
instalments from the last, cancelling before the first instalment, and writing off the bank's loss."""

from __future__ import annotations

import pytest
from helpers import GRANT, audit_details, dump, query, txn_state
from savings_support import assert_sound, main, night

from campbank.core.errors import InputError, PermissionDenied, RuleError
from campbank.ledger.actions import loans, nightly, states
from campbank.ledger.actions.posting import post
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.views.savings import loans_overview, savings_card

GRANTED = "2018-08-07"  # instalments due on the 8th, 9th and 10th


def grant_100_in_3(camp, borrower: str = "s1"):  # type: ignore[no-untyped-def]
    return loans.grant(camp.db, camp.actor("t1"), borrower, "100", 3, date=GRANTED)


def loan_card(camp, username: str = "s1"):  # type: ignore[no-untyped-def]
    return savings_card(camp.db, camp.manager, username).loans[0]


def test_a_loan_of_100_at_10_percent_is_repaid_in_36_67_36_67_36_66(savings):
    posted = grant_100_in_3(savings)
    assert main(savings.path, "s1") == GRANT + 10_000
    creator = query(savings.path, "SELECT a.username FROM txn t JOIN account a ON a.id = t.creator_id WHERE t.id = ?",
                    (posted.id,))
    assert creator == [("bank",)]  # the bank lends the money; who granted it is on the loan and in the audit
    assert audit_details(savings.db, "loan.granted")[0]["total_due"] == 11_000
    card = loan_card(savings)
    assert [(line.due.isoformat(), line.amount) for line in card.lines] == [
        ("2018-08-08", 3_667), ("2018-08-09", 3_667), ("2018-08-10", 3_666)]
    charged = []
    for day in ("2018-08-07", "2018-08-08", "2018-08-09", "2018-08-10", "2018-08-11"):
        step = next(r for r in night(savings, day) if getattr(r, "step", "") == "instalments")
        charged.append((step.outcome, step.total))
    assert charged == [(nightly.NOTHING, 0), (nightly.DONE, 3_667), (nightly.DONE, 3_667), (nightly.DONE, 3_666),
                       (nightly.NOTHING, 0)]
    card = loan_card(savings)
    assert (card.loan.paid, card.loan.outstanding, card.status) == (11_000, 0, "paid")
    keys = [k for (k,) in query(savings.path, "SELECT idempotency_key FROM txn WHERE type = 'loan_instalment' "
                                              "ORDER BY id")]
    assert keys == ["sys:loan:2018-08-08", "sys:loan:2018-08-09", "sys:loan:2018-08-10"]
    tax = 4 * 2_000  # the flat 20@ tax of the 8th..11th (and the 7th): charged to main like the instalments
    assert main(savings.path, "s1") == GRANT + 10_000 - 11_000 - tax - 2_000
    assert_sound(savings.path)


def test_early_repayment_removes_instalments_from_the_last_one_backwards(savings):
    grant_100_in_3(savings)
    night(savings, "2018-08-08")  # instalment 1: 36.67
    loans.repay(savings.db, savings.actor("s1"), "40", date="2018-08-08")
    card = loan_card(savings)
    assert [(line.charged, line.left, line.status) for line in card.lines] == [
        (3_667, 0, "paid"), (0, 3_333, "due"), (0, 0, "repaid early")]
    assert card.loan.outstanding == 3_333
    with pytest.raises(RuleError, match=r"more than the 33.33@ outstanding"):
        loans.repay(savings.db, savings.actor("s1"), "33.34", date="2018-08-08")
    night(savings, "2018-08-09")
    night(savings, "2018-08-10")  # instalment 3 was repaid early: nothing is charged for it
    card = loan_card(savings)
    assert [line.charged for line in card.lines] == [3_667, 3_333, 0]
    assert (card.loan.outstanding, card.status) == (0, "paid")
    assert query(savings.path, "SELECT COUNT(*) FROM txn WHERE type = 'loan_instalment'") == [(2,)]
    assert_sound(savings.path)


def test_one_open_loan_per_student_and_the_terms_within_the_season(savings):
    grant_100_in_3(savings)
    with pytest.raises(RuleError, match=r"s1 already has an open loan #1 with 110.00@ outstanding"):
        grant_100_in_3(savings)
    loans.repay(savings.db, savings.actor("s1"), "110", date=GRANTED)
    grant_100_in_3(savings)  # the first is paid: a new one may be granted
    with pytest.raises(InputError, match=r"must not exceed 150.00"):
        loans.grant(savings.db, savings.actor("t1"), "s2", "150.01", 2, date=GRANTED)
    with pytest.raises(InputError, match="from 1 to 7"):
        loans.grant(savings.db, savings.actor("t1"), "s2", "10", 8, date=GRANTED)
    with pytest.raises(RuleError, match="after the season's last day"):
        loans.grant(savings.db, savings.actor("t1"), "s2", "10", 5, date="2018-08-23")
    with pytest.raises(PermissionDenied):
        loans.grant(savings.db, savings.actor("s3"), "s2", "10", 2, date=GRANTED)
    assert_sound(savings.path)


def test_a_season_that_lets_only_managers_grant(savings):
    text = SEASON_FILES["savings"].read_text(encoding="utf-8").replace('granted_by = "staff"', 'granted_by = "manager"')
    season_store.load(savings.db, savings.manager, text, "managers-lend.toml")
    with pytest.raises(PermissionDenied, match="granted by managers only"):
        grant_100_in_3(savings)
    loans.grant(savings.db, savings.manager, "s1", "100", 3, date=GRANTED)


def test_a_loan_is_cancelled_only_before_its_first_instalment(savings):
    posted = grant_100_in_3(savings)
    loans.repay(savings.db, savings.actor("s1"), "10", date=GRANTED)
    with pytest.raises(PermissionDenied):
        loans.cancel(savings.db, savings.actor("t1"), 1)
    with pytest.raises(PermissionDenied, match="loans cancel"):
        states.cancel(savings.db, savings.manager, posted.id)  # not through the general cancel
    closed = loans.cancel(savings.db, savings.manager, 1, reason="asked for by mistake")
    assert (closed.state, closed.amount) == ("cancelled", 10_000)
    assert main(savings.path, "s1") == GRANT  # the grant and the repayment both stopped counting
    assert txn_state(savings.db, posted.id) == "declined"
    assert loan_card(savings).status == "cancelled"
    assert_sound(savings.path)

    grant_100_in_3(savings, "s2")
    night(savings, "2018-08-08")
    before = dump(savings.path)
    with pytest.raises(RuleError, match="write it off instead"):
        loans.cancel(savings.db, savings.manager, 2)
    assert dump(savings.path) == before


def test_writing_off_records_the_banks_loss_and_stops_the_instalments(savings):
    grant_100_in_3(savings)
    night(savings, "2018-08-08")
    bank_before = query(savings.path, "SELECT balance FROM account WHERE username = 'bank'")[0][0]
    closed = loans.write_off(savings.db, savings.manager, 1, reason="left the camp")
    assert (closed.state, closed.amount) == ("written_off", 7_333)
    assert query(savings.path, "SELECT balance FROM account WHERE username = 'bank'")[0][0] == bank_before
    card = loan_card(savings)
    assert (card.loan.paid, card.loan.written_off, card.loan.outstanding, card.status) == (
        3_667, 7_333, 0, "written off")
    assert [r.outcome for r in night(savings, "2018-08-09") if getattr(r, "step", "") == "instalments"] == [
        nightly.NOTHING]
    assert audit_details(savings.db, "loan.written_off")[0]["amount"] == 7_333
    with pytest.raises(RuleError, match="already written off"):
        loans.write_off(savings.db, savings.manager, 1)
    overview = loans_overview(savings.db, savings.actor("t1"))
    assert [(c.loan.id, c.status) for c in overview] == [(1, "written off")]
    assert_sound(savings.path)


@pytest.mark.sqlite_only("it edits the camp's SQLite file by hand")
def test_verify_finds_a_written_off_amount_that_does_not_add_up(savings):
    import sqlite3

    from campbank.ledger.verify import verify_file

    grant_100_in_3(savings)
    night(savings, "2018-08-08")
    loans.write_off(savings.db, savings.manager, 1)
    connection = sqlite3.connect(savings.path)
    connection.execute("UPDATE loan SET written_off = written_off - 1")
    connection.commit()
    connection.close()
    report = verify_file(savings.path)
    assert [f.check for f in report.findings] == ["loans"]
    assert "is not the 11000 due" in report.findings[0].message


def test_a_staff_member_may_post_a_loan_payload_and_a_student_repays_with_post(savings):
    payload = {"type": "loan", "borrower": "s5", "amount": "20", "instalments": 2, "date": GRANTED,
               "idempotency_key": "loan-s5"}
    first = post(savings.db, savings.actor("t2"), payload)
    again = post(savings.db, savings.actor("t2"), payload)
    assert again.duplicate and again.id == first.id
    post(savings.db, savings.actor("s5"), {"type": "loan_repay", "amount": "22", "date": GRANTED})
    assert loan_card(savings, "s5").status == "paid"
    assert_sound(savings.path)

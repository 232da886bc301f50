"""The tax of a real camp: never a future day, `today`/`yesterday`, only the students active on a day,
and a voided day charged again when asked for by its date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from helpers import query
from season_cli import cli, new_camp

from campbank.ledger import clock
from campbank.ledger.actions.users import add_user, deactivate
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import open_database
from campbank.ledger.store.queries.activity import active_on
from campbank.ledger.verify import verify_file

CLASSIC_TAX = [0, 5, 7, 9, 12, 15, 18, 20, 22, 23, 24] + [25] * 10  # @, by season day


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0)).astimezone(UTC)


def test_active_on_a_day():
    d = date(2026, 7, 10)
    assert active_on(d, [], d) and not active_on(d, [], d - timedelta(days=1))
    gone = [(d + timedelta(days=2), False)]
    assert active_on(d, gone, d + timedelta(days=2))  # deactivated that day: still taxed for it
    assert not active_on(d, gone, d + timedelta(days=3))
    back = [(d + timedelta(days=2), False), (d + timedelta(days=5), True)]
    assert not active_on(d, back, d + timedelta(days=4))
    assert active_on(d, back, d + timedelta(days=5)) and active_on(d, back, d + timedelta(days=9))


def camp_on_day_8(tmp_path):
    """A camp whose first day was 7 days ago; `early` and `leaves` since day 1, `late` added today."""
    path = tmp_path / "camp.db"
    password = new_camp(path, "--first-day", (date.today() - timedelta(days=7)).isoformat())
    db = open_database(path)
    with db.session() as session:
        from campbank.ledger.people import account_named
        manager = Actor.of(account_named(session, "manager"))
    with clock.fixed_at(morning(date.today() - timedelta(days=7))):  # the first day's roster
        for name in ("early", "leaves"):
            add_user(db, manager, last_name=name.title(), first_name="A", role="student", squad="Squad 1",
                     grade=9, username=name, password="student-pass-1")
    deactivate(db, manager, "leaves")  # today
    add_user(db, manager, last_name="Late", first_name="A", role="student", squad="Squad 2", grade=9,
             username="late", password="student-pass-1")
    db.dispose()
    return path, password


def tax_days_of(path, username):
    return query(path, """SELECT t.day FROM money_entry m JOIN txn t ON t.id = m.transaction_id
                          JOIN account a ON a.id = m.receiver_id
                          WHERE a.username = ? AND t.type = 'tax' AND t.state = 'processed' ORDER BY t.day""",
                 (username,))


def test_a_day_after_today_is_refused_and_nothing_is_charged(tmp_path):
    path, _ = camp_on_day_8(tmp_path)
    ahead = (date.today() + timedelta(days=3)).isoformat()
    out = cli(path, "tax", "run", "--through", ahead, code=1).output
    assert f"{ahead} is after today" in out
    cli(path, "tax", "run", "--date", (date.today() + timedelta(days=1)).isoformat(), code=1)
    assert query(path, "SELECT COUNT(*) FROM txn WHERE type = 'tax'") == [(0,)]


def test_catch_up_through_today_charges_each_student_for_the_days_they_were_active(tmp_path):
    path, _ = camp_on_day_8(tmp_path)
    cli(path, "tax", "run", "--through", "today")
    days = [(date.today() - timedelta(days=7 - i)).isoformat() for i in range(1, 8)]  # day 1's tax is 0
    assert tax_days_of(path, "early") == [(d,) for d in days]
    assert tax_days_of(path, "leaves") == [(d,) for d in days]  # deactivated today: taxed through today
    assert tax_days_of(path, "late") == [(date.today().isoformat(),)]  # added today: today only
    grant = 120
    expected = {"early": grant - sum(CLASSIC_TAX[:8]), "leaves": grant - sum(CLASSIC_TAX[:8]),
                "late": grant - CLASSIC_TAX[7]}
    assert dict(query(path, "SELECT username, balance FROM account WHERE role = 'student'")) == {
        name: cents * 100 for name, cents in expected.items()}
    assert "already taxed" in cli(path, "tax", "run", "--date", "today").output
    assert verify_file(path).ok


def test_yesterday_and_void_then_run_again(tmp_path):
    path, password = camp_on_day_8(tmp_path)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert "charged 18.00@ to 2 students" in cli(path, "tax", "run", "--date", "yesterday").output
    cli(path, "tax", "void", yesterday, "--as", "manager", password=password)
    out = cli(path, "tax", "run", "--through", "yesterday").output
    assert f"{yesterday} (day 7): its tax #" in out and "was voided" in out
    again = cli(path, "tax", "run", "--date", yesterday).output
    assert "charged 18.00@ to 2 students" in again
    assert query(path, "SELECT state, idempotency_key FROM txn WHERE type = 'tax' AND day = ? ORDER BY id",
                 (yesterday,)) == [("declined", f"sys:tax:{yesterday}"), ("processed", f"sys:tax:{yesterday}:2")]
    assert "already taxed" in cli(path, "tax", "run", "--date", yesterday).output
    assert verify_file(path).ok


def test_a_student_added_late_in_the_evening_is_active_that_day_by_the_camps_calendar(tmp_path, monkeypatch):
    """Stored moments are UTC; the day is the camp's. 23:30 in California is the next morning in UTC."""
    import time as system_time

    from campbank.ledger.people import account_named
    from campbank.ledger.store.queries.activity import students_active_on

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    system_time.tzset()
    try:
        path = tmp_path / "camp.db"
        new_camp(path, "--first-day", "2026-07-01")
        db = open_database(path)
        with db.session() as session:
            manager = Actor.of(account_named(session, "manager"))
        evening = datetime(2026, 7, 10, 23, 30).astimezone()  # local time
        assert evening.astimezone(UTC).date() == date(2026, 7, 11)
        with clock.fixed_at(evening.astimezone(UTC)):
            add_user(db, manager, last_name="Evening", first_name="A", role="student", squad="Squad 1", grade=9,
                     username="evening", password="student-pass-1")
        with db.session() as session:
            def active(day: date) -> bool:
                return "evening" in {row.username for row in students_active_on(session, day)}

            assert not active(date(2026, 7, 9)) and active(date(2026, 7, 10)) and active(date(2026, 7, 11))
        db.dispose()
    finally:
        monkeypatch.undo()
        system_time.tzset()

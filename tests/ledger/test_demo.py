"""The demo camp (`campbank demo`): a verified camp with a week of every kind of history."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from helpers import MANAGER_PASSWORD, query
from typer.testing import CliRunner

from campbank.cli import app
from campbank.core.errors import AuthError, InputError, RuleError
from campbank.demo import DemoCamp, create_demo, demo_camp, is_demo
from campbank.ledger import clock
from campbank.ledger.actions import auth
from campbank.ledger.actions.auth import sign_in
from campbank.ledger.actions.setup import initialise
from campbank.ledger.season import in_force as season_store
from campbank.ledger.verify import verify_file
from campbank.rules import REGISTRY

pytestmark = pytest.mark.slow  # every test here builds a demo camp with a week of history

TODAY = date(2026, 7, 8)  # the demo puts "today" on the season's eighth day
FIRST = TODAY - timedelta(days=7)


def fix_the_clock(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(clock, "today", lambda: TODAY)
    patch.setattr(season_store, "_parsed", {})  # parsed seasons are cached by row id for the whole process
    patch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    fix_the_clock(monkeypatch)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoCamp]:
    """One 24-student demo for the read-only checks (built once: it takes a second)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        fix_the_clock(patch)
        camp = create_demo(path, students=24)
    yield camp
    camp.database.dispose()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- what the demo holds --------------------------------------------------------------------------


def test_the_demo_verifies(demo):
    report = verify_file(demo.database.path)
    assert report.ok, report.findings
    assert report.counted["transactions"] > 100


def test_the_demo_has_24_students_over_four_squads_and_grades_7_to_11(demo):
    path = demo.database.path
    rows = query(path, "SELECT username, squad, grade, active FROM account WHERE role = 'student'")
    assert len(rows) == 24
    assert sorted(r[0] for r in rows) == sorted(demo.students)
    assert len(set(demo.students)) == 24
    squads = [r[1] for r in rows]
    assert {s: squads.count(s) for s in set(squads)} == {f"Squad {n}": 6 for n in range(1, 5)}
    assert {r[2] for r in rows} == {7, 8, 9, 10, 11}
    assert all(r[3] for r in rows)
    staff = query(path, "SELECT username FROM account WHERE role = 'staff'")
    assert sorted(u for (u,) in staff) == sorted(demo.staff) and len(staff) >= 2
    # each student got the initial grant once
    grants = query(path, """
        SELECT r.username, COUNT(*) FROM money_entry m JOIN txn t ON t.id = m.transaction_id
          JOIN account r ON r.id = m.receiver_id
         WHERE m.money_type = 'initial' AND t.state = 'processed' GROUP BY r.username""")
    assert dict(grants) == {s: 1 for s in demo.students}


def test_the_demo_has_every_transaction_type_but_study_fine(demo):
    processed = {t for (t,) in query(demo.database.path, "SELECT DISTINCT type FROM txn WHERE state = 'processed'")}
    expected = set(REGISTRY) - {"study_fine"}
    assert expected - processed == set(), f"the demo has no processed {sorted(expected - processed)}"
    assert "study_fine" not in processed  # the session has not ended
    # and more than once for the everyday ones
    counts = dict(query(demo.database.path, "SELECT type, COUNT(*) FROM txn WHERE state = 'processed' GROUP BY type"))
    for everyday in ("workout", "lecture", "seminar", "fac_attend", "lab", "fine", "purchase"):
        assert counts[everyday] >= 5, counts


def test_the_demos_students_keep_up_with_the_study_programme(demo):
    """The classic programme asks for about one obligatory visit (a seminar or a facultative) a day; the
    demo's week gives every student most of them, so its study fines are a few students', not everyone's."""
    visits = dict(query(demo.database.path, """
        SELECT a.username, COALESCE(SUM(c.value), 0) FROM account a
          LEFT JOIN counter_entry c ON c.receiver_id = a.id AND c.counter_type IN ('seminar_attend', 'fac_attend')
         WHERE a.role = 'student' GROUP BY a.username"""))
    assert set(visits) == set(demo.students)
    assert sum(visits.values()) / len(visits) >= 6, visits
    assert sum(1 for count in visits.values() if count >= 4) >= 0.9 * len(visits), visits  # a few fall behind


def test_the_demo_has_disputes_waiting_in_the_office(demo):
    """A fine questioned by its student and answered by staff, and a general question not answered yet."""
    rows = query(demo.database.path, """
        SELECT d.state, t.type, (SELECT COUNT(*) FROM dispute_message m WHERE m.dispute_id = d.id)
          FROM dispute d LEFT JOIN txn t ON t.id = d.transaction_id ORDER BY d.id""")
    assert rows == [("open", "fine", 2), ("open", None, 1)]


def test_the_demo_history_spreads_over_the_past_week(demo):
    days = {date.fromisoformat(d) for (d,) in query(
        demo.database.path, "SELECT DISTINCT day FROM txn WHERE type NOT IN ('tax', 'general_money')")}
    assert days == {FIRST + timedelta(days=i) for i in range(7)}
    season = query(demo.database.path, "SELECT toml FROM season ORDER BY id DESC LIMIT 1")[0][0]
    assert f"first_day = {FIRST.isoformat()}" in season


def test_the_demo_leaves_some_transfers_waiting_for_approval(demo):
    pending = query(demo.database.path, """
        SELECT t.id, a.role FROM txn t JOIN account a ON a.id = t.creator_id
         WHERE t.type = 'p2p' AND t.state = 'created'""")
    assert len(pending) >= 1
    assert {role for _, role in pending} == {"student"}
    decided = {s for (s,) in query(demo.database.path, "SELECT DISTINCT state FROM txn WHERE type = 'p2p'")}
    assert {"processed", "declined"} <= decided


def test_the_demo_is_taxed_for_every_past_day_once(demo):
    rows = query(demo.database.path, """
        SELECT t.day, a.username, t.state, COUNT(m.id), MIN(m.amount), MAX(m.amount) FROM txn t
          JOIN account a ON a.id = t.creator_id JOIN money_entry m ON m.transaction_id = t.id
         WHERE t.type = 'tax' GROUP BY t.id ORDER BY t.day""")
    # day 1 has no tax in the classic schedule; days 2..7 are taxed; today (day 8) is not yet
    assert [r[0] for r in rows] == [(FIRST + timedelta(days=i)).isoformat() for i in range(1, 7)]
    schedule = [500, 700, 900, 1200, 1500, 1800]
    for (day, creator, state, entries, low, high), amount in zip(rows, schedule, strict=False):
        assert (creator, state, entries, low, high) == ("bank", "processed", 24, -amount, -amount), day


def test_the_demo_is_marked_as_a_demo(demo):
    assert is_demo(demo.database.path)


def test_the_printed_logins_work(demo):
    db = demo.database
    manager = sign_in(db, *demo.manager)
    assert demo.manager == ("manager", "manager-demo")
    assert (manager.username, manager.role) == ("manager", "manager")
    staff = sign_in(db, demo.staff[0], "staff-demo")
    assert staff.role == "staff"
    student = sign_in(db, demo.students[0], "student-demo")
    assert student.role == "student"
    last = sign_in(db, demo.students[-1], demo.student_password)
    assert last.username == demo.students[-1]
    with pytest.raises(AuthError):
        sign_in(db, demo.students[0], "staff-demo")


# --- replacing and refusing ------------------------------------------------------------------------


def test_a_real_camp_is_never_replaced_by_a_demo(tmp_path):
    path = tmp_path / "real.db"
    camp = initialise(path, manager="manager", manager_password=MANAGER_PASSWORD)
    camp.database.dispose()
    before = file_digest(path)
    with pytest.raises(RuleError):
        create_demo(path, students=8)
    assert file_digest(path) == before
    assert query(path, "SELECT COUNT(*) FROM account WHERE role = 'student'") == [(0,)]
    assert not is_demo(path)


def test_a_file_that_is_not_a_camp_is_not_replaced_either(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("my notes, not a database\n", encoding="utf-8")
    with pytest.raises(RuleError):
        create_demo(path, students=8)
    assert path.read_text(encoding="utf-8") == "my notes, not a database\n"


def test_an_existing_demo_is_replaced(tmp_path):
    path = tmp_path / "demo.db"
    first = create_demo(path, students=8)
    first.database.dispose()
    assert query(path, "SELECT COUNT(*) FROM account WHERE role = 'student'") == [(8,)]

    second = create_demo(path, students=12, reset=True)
    try:
        assert query(path, "SELECT COUNT(*) FROM account WHERE role = 'student'") == [(12,)]
        assert query(path, "SELECT COUNT(*) FROM season") == [(1,)]  # a new camp, not the old one added to
        assert query(path, "SELECT COUNT(*) FROM audit_log WHERE action = 'camp.init'") == [(1,)]
        report = verify_file(path)
        assert report.ok, report.findings
    finally:
        second.database.dispose()


def test_a_demo_is_started_again_only_with_reset(tmp_path):
    path = tmp_path / "demo.db"
    create_demo(path, students=8).database.dispose()
    before = file_digest(path)
    with pytest.raises(InputError, match="add --reset"):
        create_demo(path, students=12)
    assert file_digest(path) == before


def test_campbank_demo_a_second_time_opens_the_demo_as_it_was_left(tmp_path):
    path = tmp_path / "demo.db"
    made = create_demo(path, students=8)
    made.database.dispose()
    before = file_digest(path)
    again = demo_camp(path, students=12)  # the count of a new demo: not one made now
    try:
        assert again.reopened and not made.reopened
        assert (again.staff, again.students) == (made.staff, made.students)
    finally:
        again.database.dispose()
    assert file_digest(path) == before
    result = CliRunner().invoke(app, ["--db", str(path), "demo", "--no-open"])
    assert result.exit_code == 0, result.output
    assert "made before, as it was left; --reset starts it over" in result.output
    assert "8 students" in result.output and file_digest(path) == before


def test_reset_never_replaces_a_real_camp(tmp_path):
    path = tmp_path / "real.db"
    initialise(path, manager="manager", manager_password=MANAGER_PASSWORD).database.dispose()
    before = file_digest(path)
    with pytest.raises(RuleError, match="not a demo"):
        create_demo(path, students=8, reset=True)
    assert file_digest(path) == before


def test_an_office_left_open_works_on_in_the_new_demo_never_in_a_deleted_file(tmp_path):
    from campbank.ledger.actions.posting import post
    from campbank.ledger.store.database import open_database

    path = tmp_path / "demo.db"
    create_demo(path, students=8).database.dispose()
    office = open_database(path)  # an office UI open on the demo all afternoon
    try:
        staff = sign_in(office, "orlova.i", "staff-demo")
        work = {"type": "general_money", "money_type": "reward", "description": "afternoon work",
                "amounts": {query(path, "SELECT username FROM account WHERE role = 'student' LIMIT 1")[0][0]: "7"}}
        post(office, staff, work)
        inode = path.stat().st_ino

        create_demo(path, students=12, reset=True).database.dispose()

        assert path.stat().st_ino == inode, "the same file, its content replaced"
        held = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                if os.path.exists(f"/proc/self/fd/{fd}")]
        assert not [name for name in held if "(deleted)" in name and "demo.db" in name]
        with office.session() as session:  # the open office sees the new demo
            from sqlalchemy import text

            assert session.execute(text("SELECT COUNT(*) FROM account WHERE role = 'student'")).scalar() == 12
            assert session.execute(text("SELECT COUNT(*) FROM txn WHERE description = 'afternoon work'")
                                   ).scalar() == 0
        again = post(office, staff, {**work, "description": "typed after the reset"})
        assert query(path, "SELECT description FROM txn WHERE id = ?", (again.id,)) == [("typed after the reset",)]
    finally:
        office.dispose()
    assert verify_file(path).ok
    assert [p.name for p in tmp_path.iterdir()] == ["demo.db"], "no temporary camp left"


# --- the command line -----------------------------------------------------------------------------


@pytest.fixture
def opened_uis(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """`campbank demo` opens the office UI when done: record that instead of running a terminal app."""
    from campbank.app import CampBankApp

    opened: list[object] = []
    monkeypatch.setattr(CampBankApp, "run", lambda self, *args, **kwargs: opened.append(self))
    return opened


def test_cli_demo_builds_the_camp_and_prints_the_logins(tmp_path, opened_uis):
    path = tmp_path / "cli-demo.db"
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["--db", str(path), "demo", "--students", "12"])
    assert result.exit_code == 0, result.output
    assert opened_uis == []  # no terminal here: it says how to open the office UI instead
    assert "campbank" in result.output.splitlines()[-1]
    out = result.output
    assert "manager / manager-demo" in out
    assert "staff-demo" in out and "student-demo" in out
    assert "12 students" in out
    students = {u for (u,) in query(path, "SELECT username FROM account WHERE role = 'student'")}
    staff = {u for (u,) in query(path, "SELECT username FROM account WHERE role = 'staff'")}
    assert len(students) == 12
    # the printed staff and student usernames exist and their printed passwords work
    printed_staff = next(u for u in staff if f"staff:   {u} " in out)
    printed_student = next(u for u in students if f"student: {u} " in out)
    from campbank.ledger.store.database import open_database

    db = open_database(path)
    try:
        assert sign_in(db, printed_staff, "staff-demo").role == "staff"
        assert sign_in(db, printed_student, "student-demo").role == "student"
        assert sign_in(db, "manager", "manager-demo").role == "manager"
    finally:
        db.dispose()
    report = verify_file(path)
    assert report.ok, report.findings


def test_cli_demo_refuses_a_real_camp(tmp_path, opened_uis):
    path = tmp_path / "real.db"
    initialise(path, manager="manager", manager_password=MANAGER_PASSWORD).database.dispose()
    before = file_digest(path)
    result = CliRunner().invoke(app, ["--db", str(path), "demo", "--students", "12"])
    assert result.exit_code == 1
    assert "not a demo" in result.output
    assert file_digest(path) == before
    assert opened_uis == []


# --- small demos ----------------------------------------------------------------------------------


@pytest.mark.parametrize("students", [4, 8, 11])
def test_a_small_demo_still_has_every_type_and_verifies(tmp_path, students):
    """`campbank demo --students` accepts 4 and up: a small camp must work as well as a big one."""
    camp = create_demo(tmp_path / "small.db", students=students)
    try:
        path = camp.database.path
        assert query(path, "SELECT COUNT(*) FROM account WHERE role = 'student'") == [(students,)]
        processed = {t for (t,) in query(path, "SELECT DISTINCT type FROM txn WHERE state = 'processed'")}
        assert set(REGISTRY) - {"study_fine"} - processed == set()
        report = verify_file(path)
        assert report.ok, report.findings
    finally:
        camp.database.dispose()


@pytest.mark.parametrize("students", [0, 1, 3])
def test_too_few_students_for_a_demo_are_refused_with_a_reason(tmp_path, students):
    from campbank.core.errors import InputError

    with pytest.raises(InputError) as refused:
        create_demo(tmp_path / "tiny.db", students=students)
    assert refused.value.field == "students"
    assert not (tmp_path / "tiny.db").exists()

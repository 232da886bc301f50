"""Study fines (docs/rules.md#requirements-and-study-fines): the expected fine of the classic and flat-tax
seasons, previewed and charged once.

The worked examples are computed by hand from the formula in docs/rules.md; the ledger tests read the file raw.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import server_db
from helpers import (
    GRANT,
    MANAGER_PASSWORD,
    actor_of,
    balances,
    checksum,
    checksum_apart_from_sign_in,
    copy_database,
    load_camp,
    query,
)
from typer.testing import CliRunner

from campbank.cli import app
from campbank.core.errors import InputError, PermissionDenied
from campbank.ledger.actions import auth
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.setup import initialise
from campbank.ledger.actions.study_fines import charge, preview
from campbank.ledger.actions.users import add_user, deactivate
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES, load_season_file
from campbank.ledger.verify import verify_file
from campbank.rules.study_fine import next_lecture_fine, progress, stage_of

CLASSIC = load_season_file(SEASON_FILES["classic"])
FLAT = load_season_file(SEASON_FILES["flat-tax"])
FINAL = CLASSIC.final
EQUATOR = CLASSIC.equator

NOTHING_DONE_GRADE_9 = 133_500  # 100 + Σ_{i=0}^{17}(15 + 5i) = 100 + 1035, + 2·50 labs + 1·100 fac pass
NOTHING_DONE_GRADE_7 = 128_500  # 100 + 1035 + 3·50 labs, no fac pass needed


@pytest.fixture(autouse=True)
def fresh_season_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """season_store caches parsed seasons by row id for the whole process: start each test clean."""
    monkeypatch.setattr(season_store, "_parsed", {})


def visits_fine(missing: int, base: int = 15, step: int = 5) -> int:
    """Σ_{i=0}^{missing-1} (base + step·i) @, in cents, by plain summation."""
    return sum((base + step * i) * 100 for i in range(missing))


# --- progress: worked examples (classic) -----------------------------------------------------------


def test_grade_9_with_nothing_done_owes_1335():
    assert visits_fine(18) == 103_500
    p = progress(FINAL, 9, {})
    assert p.expected_fine == 100_00 + 103_500 + 2 * 50_00 + 1 * 100_00 == NOTHING_DONE_GRADE_9
    assert (p.visits, p.visits_target, p.labs, p.labs_target) == (0, 18, 0, 2)
    assert (p.fac_passes, p.fac_passes_target, p.seminars_given, p.seminars_target) == (0, 1, 0, 1)
    assert (p.missing_visits, p.missing_labs, p.missing_fac_passes, p.missing_seminars) == (18, 2, 1, 1)
    assert not p.complete


def test_grade_9_with_the_programme_done_owes_nothing():
    p = progress(FINAL, 9, {"seminar_pass": 1, "seminar_attend": 18, "lab_pass": 2, "fac_pass": 1})
    assert p.expected_fine == 0
    assert p.complete
    assert (p.missing_visits, p.missing_labs, p.missing_fac_passes, p.missing_seminars) == (0, 0, 0, 0)


def test_visits_are_seminars_attended_plus_facultatives_attended():
    done = {"seminar_pass": 1, "lab_pass": 2, "fac_pass": 1}
    p = progress(FINAL, 9, {**done, "seminar_attend": 11, "fac_attend": 7})
    assert p.visits == 18 and p.expected_fine == 0
    # seminars *given* and lectures do not count as visits
    p = progress(FINAL, 9, {**done, "seminar_pass": 5, "lecture_attend": 20, "fac_attend": 17})
    assert p.visits == 17 and p.expected_fine == 15_00


def test_sixteen_visits_owe_15_plus_20():
    done = {"seminar_pass": 1, "lab_pass": 2, "fac_pass": 1}
    assert progress(FINAL, 9, {**done, "seminar_attend": 16}).expected_fine == 15_00 + 20_00
    assert progress(FINAL, 9, {**done, "seminar_attend": 8, "fac_attend": 8}).expected_fine == 35_00


@pytest.mark.parametrize("visits", range(21))
def test_each_missing_visit_costs_five_more_than_the_one_before(visits):
    done = {"seminar_pass": 1, "lab_pass": 2, "fac_pass": 1}
    p = progress(FINAL, 10, {**done, "fac_attend": visits})
    assert p.expected_fine == visits_fine(max(0, 18 - visits))


@pytest.mark.parametrize(
    ("counters", "fine"),
    [
        ({"seminar_attend": 18, "lab_pass": 2, "fac_pass": 1}, 100_00),  # no seminar given
        ({"seminar_pass": 1, "seminar_attend": 18, "lab_pass": 1, "fac_pass": 1}, 50_00),  # one lab short
        ({"seminar_pass": 1, "seminar_attend": 18, "fac_pass": 1}, 100_00),  # two labs short
        ({"seminar_pass": 1, "seminar_attend": 18, "lab_pass": 2}, 100_00),  # no fac pass
        ({"seminar_pass": 1, "seminar_attend": 17, "lab_pass": 2, "fac_pass": 1}, 15_00),  # one visit short
        ({"seminar_pass": 3, "seminar_attend": 30, "lab_pass": 9, "fac_pass": 4}, 0),  # more is not a credit
        ({"seminar_pass": 3, "fac_attend": 17, "lab_pass": 9, "fac_pass": 4}, 15_00),  # and cannot offset
    ],
)
def test_each_part_of_the_fine(counters, fine):
    assert progress(FINAL, 9, counters).expected_fine == fine


@pytest.mark.parametrize(("grade", "labs", "fac_passes"), [(7, 3, 0), (8, 3, 0), (9, 2, 1), (10, 2, 1), (11, 2, 1)])
def test_targets_by_grade(grade, labs, fac_passes):
    p = progress(FINAL, grade, {})
    assert (p.labs_target, p.fac_passes_target) == (labs, fac_passes)
    assert p.expected_fine == 100_00 + 103_500 + labs * 50_00 + fac_passes * 100_00


def test_grade_7_needs_three_labs_and_no_fac_pass():
    p = progress(FINAL, 7, {})
    assert (p.labs_target, p.fac_passes_target) == (3, 0)
    assert p.expected_fine == NOTHING_DONE_GRADE_7
    done = progress(FINAL, 7, {"seminar_pass": 1, "fac_attend": 18, "lab_pass": 3})
    assert done.expected_fine == 0 and done.complete
    assert progress(FINAL, 7, {"seminar_pass": 1, "fac_attend": 18, "lab_pass": 2}).expected_fine == 50_00


def test_the_classic_equator_stage():
    assert EQUATOR is not None
    assert stage_of(CLASSIC, "equator") is EQUATOR
    assert stage_of(CLASSIC, "final") is FINAL
    p = progress(EQUATOR, 9, {})
    assert (p.visits_target, p.labs_target, p.fac_passes_target, p.seminars_target) == (9, 1, 0, 0)
    assert p.expected_fine == visits_fine(9) + 50_00 == 315_00 + 50_00
    for grade in (7, 8, 10, 11):
        assert progress(EQUATOR, grade, {}).labs_target == 1
    assert progress(EQUATOR, 7, {"fac_attend": 9, "lab_pass": 1}).expected_fine == 0
    assert progress(EQUATOR, 7, {"fac_attend": 7, "lab_pass": 1}).expected_fine == 15_00 + 20_00


def test_flat_tax_has_no_equator_and_needs_twenty_visits():
    with pytest.raises(InputError) as refused:
        stage_of(FLAT, "equator")
    assert refused.value.field == "stage"
    final = stage_of(FLAT, "final")
    done = {"seminar_pass": 1, "lab_pass": 2, "fac_pass": 1}
    assert progress(final, 9, {**done, "fac_attend": 18}).expected_fine == 15_00 + 20_00
    assert progress(final, 9, {**done, "fac_attend": 20}).expected_fine == 0
    assert progress(final, 9, {}).expected_fine == 100_00 + visits_fine(20) + 100_00 + 100_00 == 1550_00


@pytest.mark.parametrize("name", ["midterm", "", None, "FINAL"])
def test_an_unknown_stage_is_refused(name):
    with pytest.raises(InputError) as refused:
        stage_of(CLASSIC, name)
    assert refused.value.field == "stage"


@pytest.mark.parametrize(("misses", "fine"), [(0, 10_00), (1, 30_00), (2, 50_00), (5, 110_00)])
def test_next_lecture_fine(misses, fine):
    assert next_lecture_fine(CLASSIC, {"lecture_miss": misses}) == fine
    assert next_lecture_fine(FLAT, {"lecture_miss": misses}) == fine
    if misses == 0:
        assert next_lecture_fine(CLASSIC, {}) == fine


# --- through the ledger ---------------------------------------------------------------------------
#
# The populated camp (conftest): s1 grade 7 Squad 1, s2 grade 8 Squad 2, s3 grade 9 Squad 3,
# s4 grade 10 Squad 4, s5 grade 11 Squad 1; staff t1, t2; managers manager, m1. Here, through the real
# rules: s3 completes the programme; s4 does everything but two visits (16 of 18).

EXPECTED_FINAL = {"s1": NOTHING_DONE_GRADE_7, "s2": NOTHING_DONE_GRADE_7, "s3": 0, "s4": 35_00,
                  "s5": NOTHING_DONE_GRADE_9}
MARKS = {"topic_match": 1, "knowledge": 2, "logic": 2, "disclosure": 1, "oratory": 1, "illustrations": 1,
         "originality": 0, "discussion": 1, "discretion": 1}


def _day(n: int) -> str:
    return (CLASSIC.first_day + timedelta(days=n - 1)).isoformat()


def _study(path: Path) -> None:
    from campbank.ledger.store.database import open_database

    db = open_database(path)
    teacher = actor_of(db, "t1")
    try:
        for n in range(1, 9):  # 16 visits each for s3 and s4
            for block in ("fac_1", "fac_2"):
                post(db, teacher, {"type": "fac_attend", "date": _day(n), "block": block, "attendees": ["s3", "s4"]})
        for block in ("fac_1", "fac_2"):  # s3's 17th and 18th
            post(db, teacher, {"type": "fac_attend", "date": _day(9), "block": block, "attendees": ["s3"]})
        for n in (10, 11):
            post(db, teacher, {"type": "lab", "date": _day(n),
                               "partners": [{"username": "s3", "amount": "10"}, {"username": "s4", "amount": "10"}]})
        post(db, teacher, {"type": "fac_pass", "date": _day(12), "amounts": {"s3": "20", "s4": "20"}})
        post(db, teacher, {"type": "seminar", "date": _day(13), "block": "seminar_1", "speaker": "s3",
                           "marks": MARKS, "description": "Knots"})
        post(db, teacher, {"type": "seminar", "date": _day(13), "block": "seminar_2", "speaker": "s4",
                           "marks": MARKS, "description": "Stars"})
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def studied_template(camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = server_db.camp_location(tmp_path_factory, "studied")
    copy_database(camp_template, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(season_store, "_parsed", {})
        _study(path)
    return path


@pytest.fixture
def studied(studied_template: Path, db_path: Path):  # type: ignore[no-untyped-def]
    from campbank.ledger.store.database import open_database

    copy_database(studied_template, db_path)
    database = open_database(db_path)
    yield load_camp(database)
    database.dispose()


def study_fines(path: Path) -> list[tuple]:
    """(txn id, receiver, amount, money type, creator, state, key) of every study_fine entry."""
    return query(path, """
        SELECT t.id, r.username, m.amount, m.money_type, c.username, t.state, t.idempotency_key
          FROM txn t JOIN account c ON c.id = t.creator_id
          LEFT JOIN money_entry m ON m.transaction_id = t.id LEFT JOIN account r ON r.id = m.receiver_id
         WHERE t.type = 'study_fine' ORDER BY t.id, m.id""")


def test_the_studied_camp_has_the_counters_we_meant(studied):
    counters = {(u, c): t for u, c, t in query(studied.path, """
        SELECT a.username, ct.counter_type, ct.total FROM counter_total ct JOIN account a ON a.id = ct.account_id""")}
    assert counters[("s3", "fac_attend")] == 18 and counters[("s4", "fac_attend")] == 16
    for s in ("s3", "s4"):
        assert (counters[(s, "lab_pass")], counters[(s, "fac_pass")], counters[(s, "seminar_pass")]) == (2, 1, 1)
    assert not [key for key in counters if key[0] in ("s1", "s2", "s5")]


def test_preview_lists_every_active_student_with_progress_and_fine_and_writes_nothing(studied):
    deactivate(studied.db, studied.manager, "s5")
    snapshot = checksum(studied.path)

    rows = preview(studied.db, studied.manager, "final")

    assert [r.username for r in rows] == ["s1", "s2", "s3", "s4"]  # by squad: Squad 1..4; s5 deactivated
    assert {r.username: r.fine for r in rows} == {k: v for k, v in EXPECTED_FINAL.items() if k != "s5"}
    by_name = {r.username: r for r in rows}
    s3, s4 = by_name["s3"].progress, by_name["s4"].progress
    assert (s3.visits, s3.labs, s3.fac_passes, s3.seminars_given, s3.complete) == (18, 2, 1, 1, True)
    assert (s4.visits, s4.visits_target, s4.missing_visits) == (16, 18, 2)
    assert (by_name["s1"].grade, by_name["s1"].squad) == (7, "Squad 1")
    assert all(r.charged_in is None for r in rows)
    assert checksum(studied.path) == snapshot
    # the equator preview too
    equator = {r.username: r.fine for r in preview(studied.db, studied.manager, "equator")}
    assert equator == {"s1": 365_00, "s2": 365_00, "s3": 0, "s4": 0}
    assert checksum(studied.path) == snapshot


def test_charge_posts_one_study_fine_per_student_who_owes_one(studied):
    before = balances(studied.db)

    charged = charge(studied.db, studied.manager, "final")

    owing = {s: f for s, f in EXPECTED_FINAL.items() if f > 0}
    assert {r.username: r.fine for r in charged} == owing  # s3 completed: not charged
    rows = study_fines(studied.path)
    assert len(rows) == len(owing)  # one transaction, one entry, per student
    assert len({row[0] for row in rows}) == len(owing)
    ids = {}
    for txn_id, receiver, amount, money_type, creator, state, key in rows:
        assert (amount, money_type, creator, state) == (-owing[receiver], "study_fine", "bank", "processed")
        assert key is not None and key.startswith("sys:study_fine:final:")
        ids[receiver] = txn_id
    assert {r.username: r.charged_in for r in charged} == ids
    after = balances(studied.db)
    for s, fine in EXPECTED_FINAL.items():
        assert after[s] == before[s] - fine
    assert after["bank"] == before["bank"] + sum(owing.values())
    assert after["t1"] == before["t1"]
    assert after["s1"] == GRANT - NOTHING_DONE_GRADE_7  # a balance may go negative
    report = verify_file(studied.path)
    assert report.ok, report.findings
    # the preview now shows each charge
    assert {r.username: r.charged_in for r in preview(studied.db, studied.manager, "final")} == {
        **ids, "s3": None}


def test_the_audit_log_names_the_manager_who_charged_the_fines(studied):
    """Who charged the study fines is in the audit log (the transactions say only "bank")."""
    charged = charge(studied.db, studied.actor("m1"), "final")
    rows = query(studied.path, """
        SELECT l.action, l.target, l.detail FROM audit_log l JOIN account a ON a.id = l.actor_id
         WHERE a.username = 'm1' AND l.action LIKE 'fines%'""")
    assert [(action, target) for action, target, _ in rows] == [("fines.charged", "stage:final")]
    detail = json.loads(rows[0][2])
    assert detail["students"] == len(charged) == 4
    assert detail["total"] == sum(r.fine for r in charged)


def test_a_second_charge_changes_nothing(studied):
    first = charge(studied.db, studied.manager, "final")
    assert len(first) == 4
    snapshot = checksum(studied.path)
    assert charge(studied.db, studied.manager, "final") == []
    assert charge(studied.db, studied.actor("m1"), "final") == []
    assert checksum(studied.path) == snapshot


def test_a_student_added_after_the_charge_is_charged_by_the_next_one(studied):
    charge(studied.db, studied.manager, "final")
    add_user(studied.db, studied.manager, last_name="Late", first_name="Lou", role="student", squad="Squad 2",
             grade=9, username="late", password="student-pass-1")
    before = balances(studied.db)

    again = charge(studied.db, studied.manager, "final")

    assert [(r.username, r.fine) for r in again] == [("late", NOTHING_DONE_GRADE_9)]
    assert len(study_fines(studied.path)) == 5
    after = balances(studied.db)
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "late": -NOTHING_DONE_GRADE_9, "bank": NOTHING_DONE_GRADE_9}


def test_deactivated_students_are_not_charged(studied):
    deactivate(studied.db, studied.manager, "s5")
    charged = charge(studied.db, studied.manager, "final")
    assert "s5" not in {r.username for r in charged}
    assert "s5" not in {row[1] for row in study_fines(studied.path)}
    assert balances(studied.db)["s5"] == GRANT


def test_the_equator_and_the_final_are_charged_separately(studied):
    equator = charge(studied.db, studied.manager, "equator")
    assert {r.username: r.fine for r in equator} == {"s1": 365_00, "s2": 365_00, "s5": 315_00 + 50_00}
    final = charge(studied.db, studied.manager, "final")
    assert {r.username: r.fine for r in final} == {s: f for s, f in EXPECTED_FINAL.items() if f > 0}
    assert charge(studied.db, studied.manager, "equator") == []
    assert len(study_fines(studied.path)) == 7


@pytest.mark.parametrize("who", ["t1", "s1"])
def test_staff_and_students_cannot_preview_or_charge(studied, who):
    snapshot = checksum(studied.path)
    actor = studied.actor(who)
    with pytest.raises(PermissionDenied):
        preview(studied.db, actor, "final")
    with pytest.raises(PermissionDenied):
        charge(studied.db, actor, "final")
    assert checksum(studied.path) == snapshot


def test_an_unknown_stage_is_refused_by_the_ledger(studied):
    snapshot = checksum(studied.path)
    for call in (preview, charge):
        with pytest.raises(InputError) as refused:
            call(studied.db, studied.manager, "midterm")
        assert refused.value.field == "stage"
    assert checksum(studied.path) == snapshot


def test_a_flat_tax_camp_cannot_charge_an_equator_and_charges_twenty_visits(tmp_path):
    new = initialise(tmp_path / "flat.db", season="flat-tax", manager="manager", manager_password=MANAGER_PASSWORD)
    db = new.database
    try:
        manager = auth.sign_in(db, "manager", MANAGER_PASSWORD)
        add_user(db, manager, last_name="Adams", first_name="Ann", role="student", squad="Squad 1", grade=9,
                 username="ann", password="student-pass-1")
        snapshot = checksum(db.path)
        with pytest.raises(InputError) as refused:
            charge(db, manager, "equator")
        assert refused.value.field == "stage"
        assert checksum(db.path) == snapshot
        [row] = charge(db, manager, "final")
        assert (row.username, row.fine, row.progress.visits_target) == ("ann", 1550_00, 20)
    finally:
        db.dispose()


# --- the command line -----------------------------------------------------------------------------


def test_cli_fines_preview_and_charge(studied):
    # rich reads the width from COLUMNS: keep table rows whole
    runner = CliRunner(env={"COLUMNS": "200", "CAMPBANK_PASSWORD": MANAGER_PASSWORD})
    db = ["--db", str(studied.path)]
    me = ["--as", "manager"]
    snapshot = checksum_apart_from_sign_in(studied.path)

    shown = runner.invoke(app, [*db, "fines", "preview", *me])
    assert shown.exit_code == 0, shown.output
    for username in ("s1", "s2", "s3", "s4", "s5"):
        assert f"({username})" in shown.output
    assert "1285.00@" in shown.output and "1335.00@" in shown.output and "35.00@" in shown.output
    assert "16/18" in shown.output and "18/18" in shown.output
    total = sum(EXPECTED_FINAL.values())
    assert f"4 students would be charged {total // 100}.00@ in all" in shown.output
    assert checksum_apart_from_sign_in(studied.path) == snapshot

    charged = runner.invoke(app, [*db, "fines", "charge", "--stage", "final", "--yes", *me])
    assert charged.exit_code == 0, charged.output
    assert f"Charged 4 students {total // 100}.00@ in all." in charged.output
    rows = study_fines(studied.path)
    assert sorted(row[1] for row in rows) == ["s1", "s2", "s4", "s5"]
    for txn_id, receiver, amount, *_ in rows:
        assert f"#{txn_id}: " in charged.output and f"({receiver}) fined {-amount // 100}.00@" in charged.output

    again = runner.invoke(app, [*db, "fines", "charge", "--stage", "final", "--yes", *me])
    assert again.exit_code == 0, again.output
    assert "Charged 0 students" in again.output
    assert len(study_fines(studied.path)) == 4

    after = runner.invoke(app, [*db, "fines", "preview", "--stage", "final", *me])
    assert after.exit_code == 0, after.output
    assert "0 students would be charged" in after.output
    for txn_id, *_ in rows:
        assert f"#{txn_id}" in after.output


def test_cli_fines_refuses_an_unknown_stage(studied):
    snapshot = checksum_apart_from_sign_in(studied.path)
    result = CliRunner(env={"CAMPBANK_PASSWORD": MANAGER_PASSWORD}).invoke(
        app, ["--db", str(studied.path), "fines", "charge", "--stage", "midterm", "--as", "manager"])
    assert result.exit_code == 2
    assert "stage" in result.output
    assert checksum_apart_from_sign_in(studied.path) == snapshot


def test_study_fine_rule_cannot_be_posted_by_hand(studied):
    """Only `fines charge` makes a study_fine (docs/rules.md#study_fine): posting one is refused, even by a manager."""
    snapshot = checksum(studied.path)
    with pytest.raises((PermissionDenied, InputError)):
        post(studied.db, studied.manager, {"type": "study_fine", "stage": "final", "date": _day(5)})
    assert checksum(studied.path) == snapshot


def test_charge_dates_the_fines_inside_the_season(studied):
    charge(studied.db, studied.manager, "final")
    days = {row[0] for row in query(studied.path, "SELECT day FROM txn WHERE type = 'study_fine'")}
    assert len(days) == 1
    [day] = days
    assert CLASSIC.first_day <= date.fromisoformat(day) <= CLASSIC.last_day

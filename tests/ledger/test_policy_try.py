"""The policy dry-run: the flat-tax season over the demo's week (classic rules with savings), against a
computation written here from the raw file and the seasons' numbers; the interest a season would pay,
recomputed day by day; and a dry-run writes nothing (the file's bytes)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from helpers import dump
from typer.testing import CliRunner

from campbank.cli import app
from campbank.core.errors import InputError, PermissionDenied
from campbank.demo import MANAGER, DemoCamp, create_demo, demo_season_text
from campbank.ledger import clock
from campbank.ledger.actions import auth
from campbank.ledger.people import account_named
from campbank.ledger.permissions import Actor
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.views.policy_try import try_season

TODAY = date(2026, 7, 8)  # the demo's eighth day: days 1-7 are its week, each taxed that evening
CLASSIC_TAX = {1: 0, 2: 5, 3: 7, 4: 9, 5: 12, 6: 15, 7: 18, 8: 20, 9: 22, 10: 23, 11: 24,
               **{day: 25 for day in range(12, 22)}}  # @, docs/rules.md#tax
FLAT_TAX = 20


def fix_the_clock(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(clock, "today", lambda: TODAY)
    patch.setattr(season_store, "_parsed", {})
    patch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    fix_the_clock(monkeypatch)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoCamp]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        fix_the_clock(patch)
        camp = create_demo(path)  # the classic demo: 130 students, a week of history
    yield camp
    camp.database.dispose()


def manager(camp: DemoCamp) -> Actor:
    with camp.database.session() as session:
        return Actor.of(account_named(session, "manager"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flat_tax() -> str:
    return SEASON_FILES["flat-tax"].read_text(encoding="utf-8")


# --- the independent computation ---------------------------------------------------------------------


def expected_fine(counters: dict[str, int], grade: int, *, visits_target: int, labs: dict[int, int],
                  fac: dict[int, int], seminars: int = 1) -> int:
    """docs/rules.md in @: 100·max(0, seminars − seminar_pass) + Σ_{i<d}(15 + 5i) + 50·missing labs + 100·missing fac
    passes, d the missing obligatory visits (seminars + facultatives attended)."""
    visits = counters.get("seminar_attend", 0) + counters.get("fac_attend", 0)
    d = max(0, visits_target - visits)
    return (100 * max(0, seminars - counters.get("seminar_pass", 0)) + sum(15 + 5 * i for i in range(d))
            + 50 * max(0, labs[grade] - counters.get("lab_pass", 0))
            + 100 * max(0, fac[grade] - counters.get("fac_pass", 0)))


LABS = {7: 3, 8: 3, 9: 2, 10: 2, 11: 2}
FAC = {7: 0, 8: 0, 9: 1, 10: 1, 11: 1}
EQUATOR_LABS = {grade: 1 for grade in LABS}
EQUATOR_FAC = {grade: 0 for grade in LABS}


SAVINGS_RATE, SAVINGS_CAP = Fraction(15, 10), 20_000  # the demo's savings: 1.5% a day on up to 200@


def by_hand(path: Path) -> dict[str, dict[str, int]]:
    """Per student, from the raw file: balance (own account and pockets), what the demo's season took (classic
    tax less the interest its savings paid), and the projections of both seasons (flat tax pays none)."""
    db = sqlite3.connect(path)
    students = db.execute(
        "SELECT s.id, s.username, s.grade, s.balance + COALESCE((SELECT SUM(a.balance) FROM pocket p JOIN account a "
        "ON a.id = p.account_id WHERE p.owner_id = s.id), 0) FROM account s WHERE s.role = 'student' AND s.active = 1"
    ).fetchall()
    taxed = dict(db.execute(
        "SELECT m.receiver_id, -SUM(m.amount) FROM money_entry m JOIN txn t ON t.id = m.transaction_id "
        "WHERE t.type = 'tax' AND t.state = 'processed' GROUP BY m.receiver_id").fetchall())
    interest_paid = dict(db.execute(
        "SELECT p.owner_id, SUM(m.amount) FROM money_entry m JOIN txn t ON t.id = m.transaction_id "
        "JOIN pocket p ON p.account_id = m.receiver_id WHERE t.type = 'interest' AND t.state = 'processed' "
        "GROUP BY p.owner_id").fetchall())
    future_interest: dict[int, int] = {}  # 14 more days of each savings pocket's interest on what it holds now
    for owner, held in db.execute(
            "SELECT p.owner_id, a.balance FROM pocket p JOIN account a ON a.id = p.account_id "
            "WHERE p.kind = 'savings'"):
        daily = int(min(held, SAVINGS_CAP) * SAVINGS_RATE / 100) if held > 0 else 0
        future_interest[owner] = future_interest.get(owner, 0) + 14 * daily
    counters: dict[int, dict[str, int]] = {}
    for receiver, kind, value in db.execute(
            "SELECT c.receiver_id, c.counter_type, SUM(c.value) FROM counter_entry c JOIN txn t "
            "ON t.id = c.transaction_id WHERE t.state = 'processed' GROUP BY 1, 2"):
        counters.setdefault(receiver, {})[kind] = value
    db.close()
    days_so_far, season_days = 7, 21
    out = {}
    for account_id, username, grade, balance in students:
        charged = taxed.get(account_id, 0) - interest_paid.get(account_id, 0)
        would = 7 * FLAT_TAX * 100
        rate = Fraction(balance + charged - 120 * 100, days_so_far)  # what they earn and spend besides the policy
        drift = round_half_away(rate * (season_days - days_so_far))

        def projected(day: int, account_id: int = account_id) -> dict[str, int]:
            return {k: v * day // days_so_far for k, v in counters.get(account_id, {}).items()}

        classic_fines = 100 * (expected_fine(projected(11), grade, visits_target=9, labs=EQUATOR_LABS,
                                             fac=EQUATOR_FAC, seminars=0)
                               + expected_fine(projected(21), grade, visits_target=18, labs=LABS, fac=FAC))
        flat_fines = 100 * expected_fine(projected(21), grade, visits_target=20, labs=LABS, fac=FAC)
        classic_rest = 100 * sum(CLASSIC_TAX[day] for day in range(8, 22))
        flat_rest = 100 * FLAT_TAX * 14
        out[username] = {
            "balance": balance, "charged": charged, "would": would,
            "end": balance + drift - classic_rest - classic_fines + future_interest.get(account_id, 0),
            "interest": interest_paid.get(account_id, 0), "future_interest": future_interest.get(account_id, 0),
            "end_candidate": balance + charged - would + drift - flat_rest - flat_fines,
        }
    return out


def round_half_away(value: Fraction) -> int:
    sign = -1 if value < 0 else 1
    return sign * int(abs(value) + Fraction(1, 2))


# --- the tests ---------------------------------------------------------------------------------------


def test_flat_tax_over_the_classic_demo_week(demo):
    path = demo.database.path
    before = digest(path)
    run = try_season(demo.database, manager(demo), flat_tax(), "season-flat-tax.toml")
    assert digest(path) == before  # a dry-run writes nothing
    assert (run.days_so_far, run.season_days, run.through) == (7, 21, TODAY - timedelta(days=1))
    hand = by_hand(path)
    assert len(run.students) == len(hand) == 130
    assert sum(1 for mine in hand.values() if mine["interest"]) > 10  # savers, whose interest counts
    for student in run.students:
        mine = hand[student.username]
        assert student.balance == mine["balance"]
        classic_tax = 100 * sum(CLASSIC_TAX[day] for day in range(1, 8))
        assert student.charged == mine["charged"] == classic_tax - mine["interest"]
        assert student.would_charge == mine["would"] == 14_000
        assert student.difference == 14_000 - mine["charged"]
        assert student.balance_candidate == mine["balance"] - student.difference
        assert (student.end_balance, student.end_balance_candidate) == (mine["end"], mine["end_candidate"])
        falls_now = mine["balance"] - student.difference <= 0 < mine["balance"]
        falls_later = mine["end_candidate"] <= 0 < mine["end"]
        assert student.falls_into_danger == (falls_now or falls_later)
    tax = next(c for c in run.components if c.name == "tax")
    assert (tax.charged, tax.would_charge) == (130 * 6_600, 130 * 14_000)
    assert (tax.charged_by_end, tax.would_charge_by_end) == (130 * 100 * sum(CLASSIC_TAX.values()), 130 * 42_000)
    interest = next(c for c in run.components if c.name == "interest paid")
    paid = sum(mine["interest"] for mine in hand.values())
    assert (interest.charged, interest.would_charge) == (paid, 0)  # the flat-tax season has no savings
    assert (interest.charged_by_end, interest.would_charge_by_end) == (
        paid + sum(mine["future_interest"] for mine in hand.values()), 0)
    assert sum(squad.would_charge for squad in run.squads) == tax.would_charge
    assert sum(squad.students for squad in run.squads) == 130
    assert sum(squad.falling for squad in run.squads) == len(run.falling) > 0


def test_the_season_in_force_against_itself_changes_nothing(demo):
    """Its interest recomputed day by day on each savings pocket is exactly what its nightly runs paid."""
    run = try_season(demo.database, manager(demo), demo_season_text(TODAY), "demo.toml")
    assert all(s.difference == 0 and s.end_balance == s.end_balance_candidate for s in run.students)
    assert run.falling == ()
    interest = next(c for c in run.components if c.name == "interest paid")
    assert interest.charged == interest.would_charge > 0
    assert interest.charged_by_end == interest.would_charge_by_end


def test_the_classic_season_pays_no_interest_and_the_savers_lose_it(demo):
    classic = SEASON_FILES["classic"].read_text(encoding="utf-8")
    run = try_season(demo.database, manager(demo), classic, "season-classic.toml")
    interest = next(c for c in run.components if c.name == "interest paid")
    assert interest.would_charge == interest.would_charge_by_end == 0 < interest.charged
    hand = by_hand(demo.database.path)
    for student in run.students:
        assert student.difference == hand[student.username]["interest"]  # the same tax, no interest


def test_a_bad_file_is_refused_and_students_and_staff_may_not_try(demo):
    with pytest.raises(InputError, match="line"):
        try_season(demo.database, manager(demo), flat_tax().replace("first_day = 2018-08-06", "first_day = 2018-13-06"),
                   "bad.toml")
    staff = demo.staff[0]
    with demo.database.session() as session:
        actor = Actor.of(account_named(session, staff))
    with pytest.raises(PermissionDenied):
        try_season(demo.database, actor, flat_tax(), "season-flat-tax.toml")


def test_the_command_prints_squads_and_who_falls_into_danger(demo):
    """The command signs its manager in (audited: one `login.ok` row) and writes nothing else."""
    path = demo.database.path
    before = dump(path)
    manager, password = MANAGER
    result = CliRunner().invoke(app, ["--db", str(path), "season", "try", str(SEASON_FILES["flat-tax"]),
                                      "--as", manager], env={"CAMPBANK_PASSWORD": password})
    assert result.exit_code == 0, result.output
    after = dump(path)
    new_audit = after.pop("audit_log")[len(before["audit_log"]):]
    before.pop("audit_log")
    assert [row[3] for row in new_audit] == ["login.ok"]
    chained = {"chain"}  # the sign-in's audit row is chained like every write
    assert {t: rows for t, rows in after.items() if t not in chained} == \
        {t: rows for t, rows in before.items() if t not in chained}
    for text in ("Flat tax", "7 of 21 days", "Squad 1", "falls into danger", "18200.00@"):
        assert text in result.output, text

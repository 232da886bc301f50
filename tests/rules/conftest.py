"""Fixtures shared by the rule tests.

Pure tests build a `RuleContext` from a season loaded from the shipped files and a few `Person`s — no
database. Integration tests get `camp`: a fresh database (of either season) with a staff member and
three students, posting through the real ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from campbank.core.season import Season
from campbank.ledger.actions import auth
from campbank.ledger.actions.posting import Posted, post
from campbank.ledger.actions.setup import initialise
from campbank.ledger.actions.users import add_user
from campbank.ledger.permissions import Actor
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.load import SEASON_FILES, load_season_file
from campbank.ledger.store.database import Database, open_database
from campbank.ledger.views.accounts import BalanceRow, account_balance
from campbank.rules.base import Entries, Person, RuleContext

SEASONS: dict[str, Season] = {name: load_season_file(path) for name, path in SEASON_FILES.items()}
DAY = date(2018, 8, 8)  # day 3 of both shipped seasons


def make_person(
    username: str,
    full_name: str,
    squad: str | None,
    *,
    id: int,
    role: str = "student",
    grade: int | None = 9,
    balance: int = 12_000,
    counters: Mapping[str, int] | None = None,
    active: bool = True,
) -> Person:
    return Person(id=id, username=username, role=role, full_name=full_name, squad=squad, grade=grade,
                  active=active, balance=balance, counters=dict(counters or {}))


# Roster order (squad, then surname): ann, bob (Squad 1), cat, dan (Squad 2), eve (Squad 3).
ROSTER: tuple[Person, ...] = (
    make_person("dan", "Davis Dan", "Squad 2", id=5),
    make_person("bob", "Brown Bob", "Squad 1", id=3),
    make_person("eve", "Evans Eve", "Squad 3", id=6),
    make_person("ann", "Adams Ann", "Squad 1", id=2),
    make_person("cat", "Clark Cat", "Squad 2", id=4),
    make_person("teacher", "Teach Tess", None, id=7, role="staff", grade=None, balance=0),
    make_person("gone", "Gone Gil", "Squad 4", id=8, active=False),
)


@pytest.fixture(params=sorted(SEASONS))
def season(request: pytest.FixtureRequest) -> Season:
    """Each test using it runs under both shipped seasons: classic and flat-tax."""
    return SEASONS[request.param]


@pytest.fixture
def classic() -> Season:
    return SEASONS["classic"]


@pytest.fixture
def flat() -> Season:
    return SEASONS["flat-tax"]


MakeCtx = Callable[..., RuleContext]


@pytest.fixture
def make_ctx() -> MakeCtx:
    """`make_ctx(season, *extra_people, counters={username: {type: total}})` -> a pure RuleContext,
    created by the staff member `teacher`, knowing ROSTER plus `extra_people`."""

    def make(season: Season, *extra: Person, counters: Mapping[str, Mapping[str, int]] | None = None,
             day: date = DAY) -> RuleContext:
        people = {p.username: p for p in (*ROSTER, *extra)}
        for username, totals in (counters or {}).items():
            people[username] = replace(people[username], counters=dict(totals))
        return RuleContext(season=season, day=day, creator=people["teacher"], people=people)

    return make


@pytest.fixture
def crowd() -> Callable[[int], list[Person]]:
    """`crowd(n)`: n extra students s01..sNN spread over the four squads."""

    def make(n: int) -> list[Person]:
        return [
            make_person(f"s{i:02d}", f"Student{i:02d} Sam", f"Squad {i % 4 + 1}", id=100 + i)
            for i in range(1, n + 1)
        ]

    return make


def money_of(entries: Entries) -> dict[str, int]:
    """{receiver: amount} of the money lines (each receiver at most once in these rules)."""
    out: dict[str, int] = {}
    for line in entries.money:
        assert line.receiver not in out, f"{line.receiver} paid twice"
        out[line.receiver] = line.amount
    return out


def counters_of(entries: Entries) -> dict[tuple[str, str], tuple[int, str | None]]:
    """{(receiver, counter type): (value, block)} of the counter lines."""
    out: dict[tuple[str, str], tuple[int, str | None]] = {}
    for line in entries.counters:
        key = (line.receiver, line.counter_type)
        assert key not in out, f"{key} counted twice"
        out[key] = (line.value, line.block)
    return out


@pytest.fixture
def lines() -> tuple[Callable[[Entries], dict], Callable[[Entries], dict]]:
    """(money_of, counters_of): the entries as plain dicts, for exact comparisons."""
    return money_of, counters_of


# --------------------------------------------------------------------------- through the real ledger

STAFF_PASSWORD = "teacher-pass-1"


@dataclass
class Camp:
    db: Database
    season: Season
    manager: Actor
    staff: Actor

    def post(self, payload: Mapping[str, object], actor: Actor | None = None) -> Posted:
        return post(self.db, actor or self.staff, dict(payload))

    def row(self, username: str) -> BalanceRow:
        return account_balance(self.db, self.manager, username)

    def balance(self, username: str) -> int:
        return self.row(username).balance

    def counters(self, username: str) -> dict[str, int]:
        return dict(self.row(username).counters)

    def transaction_count(self) -> int:
        from sqlmodel import func, select

        from campbank.ledger.store.tables import Transaction

        with self.db.session() as session:
            return session.exec(select(func.count()).select_from(Transaction)).one()


@pytest.fixture(scope="session")
def season_camp_templates(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Closed database files, one per shipped season, built on first use: the manager, staff `teacher`,
    students ann, bob (Squad 1) and cat (Squad 2), each with the season's initial grant."""
    from helpers import fast_hashing

    built: dict[str, Path] = {}

    def template(season_name: str) -> Path:
        if season_name not in built:
            path = tmp_path_factory.mktemp(f"rules-camp-{season_name}") / "camp.db"
            with fast_hashing():
                new = initialise(path, season=season_name, manager="manager", manager_password="manager-pass-1")
                db = new.database
                manager = auth.sign_in(db, "manager", "manager-pass-1")
                add_user(db, manager, last_name="Teach", first_name="Tess", role="staff", username="teacher",
                         password=STAFF_PASSWORD)
                for username, last, first, squad in (("ann", "Adams", "Ann", "Squad 1"),
                                                      ("bob", "Brown", "Bob", "Squad 1"),
                                                      ("cat", "Clark", "Cat", "Squad 2")):
                    add_user(db, manager, last_name=last, first_name=first, role="student", squad=squad, grade=9,
                             username=username)
                db.dispose()
            built[season_name] = path
        return built[season_name]

    return template


@pytest.fixture(params=sorted(SEASONS))
def camp(request: pytest.FixtureRequest, season_camp_templates: Callable[[str], Path], tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Camp]:
    """A fresh copy of a camp of each shipped season (see `season_camp_templates`)."""
    from helpers import copy_database

    # Parsed seasons are cached for the whole process: start each camp clean.
    monkeypatch.setattr(season_store, "_parsed", {})
    copy_database(season_camp_templates(request.param), tmp_path / "camp.db")
    db = open_database(tmp_path / "camp.db")
    manager = auth.sign_in(db, "manager", "manager-pass-1")
    staff = auth.sign_in(db, "teacher", STAFF_PASSWORD)
    yield Camp(db, SEASONS[request.param], manager, staff)
    db.dispose()

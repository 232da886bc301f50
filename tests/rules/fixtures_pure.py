"""Pure fixtures for the rule tests: both shipped seasons, a few students, and a `RuleContext` built from them.

Not a conftest: test modules import what they need (`from fixtures_pure import ...`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from campbank.core.season import Season
from campbank.ledger.season.load import SEASON_FILES, load_season_file
from campbank.rules.base import Person, RuleContext

SEASONS: dict[str, Season] = {name: load_season_file(path) for name, path in SEASON_FILES.items()}

# Run a test once under each shipped season file: `@both_seasons def test_x(season): ...`.
both_seasons = pytest.mark.parametrize("season", list(SEASONS.values()), ids=list(SEASONS))


def person(
    username: str,
    full_name: str,
    *,
    squad: str | None = "Squad 1",
    grade: int | None = 9,
    role: str = "student",
    active: bool = True,
    balance: int = 12_000,
    counters: Mapping[str, int] | None = None,
    id: int = 0,
) -> Person:
    return Person(
        id=id,
        username=username,
        role=role,
        full_name=full_name,
        squad=squad if role == "student" else None,
        grade=grade if role == "student" else None,
        active=active,
        balance=balance,
        counters=dict(counters or {}),
    )


# Roster order (squad, then surname): ivanov, petrov, sidorov, smirnov in Squad 1, then volkov, zaitsev
# in Squad 2; `adams` sorts first of all only by surname but is in Squad 3, so last.
STAFF = person("teacher", "Teacher Tamara", role="staff", balance=0, id=100)
STUDENTS = (
    person("ivanov", "Ivanov Ivan", id=1),
    person("petrov", "Petrov Petr", id=2),
    person("sidorov", "Sidorov Sidor", id=3),
    person("smirnov", "Smirnov Semen", id=4),
    person("volkov", "Volkov Viktor", squad="Squad 2", id=5),
    person("zaitsev", "Zaitsev Zakhar", squad="Squad 2", id=6),
    person("adams", "Adams Anna", squad="Squad 3", id=7),
    person("retired", "Retired Roman", active=False, id=8),
)


def context(season: Season, *extra: Person, day: date | None = None, creator: Person = STAFF) -> RuleContext:
    """A context knowing the staff creator, the standard students and any `extra` people (which win)."""
    people = {p.username: p for p in (creator, *STUDENTS, *extra)}
    return RuleContext(season=season, day=day or season.first_day, creator=creator, people=people)


def money_of(entries) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Money lines as {receiver: amount}; a receiver listed twice would be a bug, so it is refused."""
    result: dict[str, int] = {}
    for line in entries.money:
        assert line.receiver not in result, f"{line.receiver} has two money lines"
        result[line.receiver] = line.amount
    return result


def counters_of(entries) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    result: dict[tuple[str, str], int] = {}
    for line in entries.counters:
        result[(line.receiver, line.counter_type)] = result.get((line.receiver, line.counter_type), 0) + line.value
    return result

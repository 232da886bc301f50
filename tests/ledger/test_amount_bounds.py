"""Season amounts are bounded so that no sum the ledger makes can leave SQLite's 64-bit integers: a season
that names a larger amount is refused naming the key, and no entry larger than the ledger's bound is written."""

from __future__ import annotations

import re

import pytest
from helpers import DAY, checksum, dump

from campbank.core.errors import RuleError
from campbank.core.money import MAX_AMOUNT_LIMIT, MAX_ENTRY
from campbank.ledger.actions.posting import post
from campbank.ledger.season import in_force as season_store
from campbank.ledger.season.in_force import load
from campbank.ledger.season.load import SEASON_FILES, parse_season
from campbank.ledger.season.validate import SeasonError

CLASSIC = SEASON_FILES["classic"].read_text(encoding="utf-8")
LIMIT = MAX_AMOUNT_LIMIT // 100  # in @, as a season file writes it


def season_with(**lines: str) -> str:
    text = CLASSIC
    for key, value in lines.items():
        text, count = re.subn(rf"(?m)^{re.escape(key)}\s*=.*$", f"{key} = {value}", text)
        assert count == 1, key
    return text


@pytest.fixture(autouse=True)
def fresh_season_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(season_store, "_parsed", {})


@pytest.mark.parametrize(("lines", "key", "reason"), [
    ({"initial_grant": "999999999999999", "amount_limit": "999999999999999"}, "amount_limit", "must be at most"),
    ({"initial_grant": "999999999999999"}, "initial_grant", "more than the season's amount_limit"),
    ({"initial_grant": "100001"}, "initial_grant", "more than the season's amount_limit (100000.00)"),
    ({"5": '"100000.01"'}, "tax.schedule.5", "more than the season's amount_limit"),
    ({"exam_per_student": "250000"}, "budgets.exam_per_student", "more than the season's amount_limit"),
    ({"sport_prizes": "[20, 15, 10, 1000000]"}, "activity.sport_prizes", "more than the season's amount_limit"),
    ({"danger": "-200000"}, "balance.danger", "more than the season's amount_limit"),
    ({"amount_limit": str(LIMIT + 1)}, "amount_limit", "64-bit"),
])
def test_a_season_naming_too_large_an_amount_is_refused_naming_the_key(lines, key, reason):
    with pytest.raises(SeasonError) as refused:
        parse_season(season_with(**lines), "big.toml")
    assert refused.value.key == key
    assert reason in str(refused.value)
    assert refused.value.line is not None


def test_the_largest_season_that_is_allowed_loads():
    season = parse_season(season_with(amount_limit=str(LIMIT), initial_grant=str(LIMIT),
                                      exam_per_student=str(LIMIT)), "largest.toml")
    assert season.amount_limit == season.initial_grant == MAX_AMOUNT_LIMIT
    # the reasoning of core.money: 10^8 entries of the largest size still fit in a signed 64-bit integer
    assert 4 * 10**8 * MAX_ENTRY < 2**63 - 1 and MAX_AMOUNT_LIMIT <= MAX_ENTRY


def test_a_refused_season_leaves_the_season_in_force(camp):
    before = dump(camp.path)["season"]
    with pytest.raises(SeasonError):
        load(camp.db, camp.manager, season_with(initial_grant="999999999999999",
                                                amount_limit="999999999999999"), "big.toml")
    assert dump(camp.path)["season"] == before


def test_no_entry_larger_than_the_ledgers_bound_is_written(camp):
    """An exam's pool goes to the only student who scored: 11 x the largest per-student pool is too much."""
    load(camp.db, camp.manager, season_with(amount_limit=str(LIMIT), exam_per_student=str(LIMIT)), "big.toml")
    scores = {name: 0 for name in camp.students}
    scores[camp.students[0]] = 10
    for i in range(6, 12):  # eleven students given a score
        from campbank.ledger.actions.users import add_user

        add_user(camp.db, camp.manager, last_name=f"Extra{i}", first_name="Eva", role="student", squad="Squad 1",
                 grade=7, username=f"s{i}", password="student-pass-1")
        scores[f"s{i}"] = 0
    before = checksum(camp.path)
    with pytest.raises(RuleError, match="more than one entry may carry"):
        post(camp.db, camp.actor("t1"), {"type": "exam", "date": DAY, "scores": scores})
    assert checksum(camp.path) == before

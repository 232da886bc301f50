"""A new transaction type is its rule module, its season entry and its tests: nothing else changes.

The `quiz` type below is written the way a new rule module would be: it declares its form fields, the
money type it writes and a number of its own read from the season's `[rules.quiz]` table. Registered in
the rules' registry, it is posted, previewed, refused and checked by the season loader without a line of
the ledger, the screens or the command line knowing it.
"""

from __future__ import annotations

import pytest
from helpers import DAY, balances

from campbank import rules
from campbank.core.errors import InputError
from campbank.core.season import Season, Setting
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.preview import preview
from campbank.ledger.season.in_force import load, season_in_force
from campbank.ledger.season.load import SEASON_FILES, SeasonError, parse_season
from campbank.rules.base import (
    Entries,
    FieldKind,
    FormField,
    MoneyLine,
    Payload,
    Rule,
    RuleContext,
    student_list,
)


class Quiz(Rule):
    type = "quiz"
    label = "Quiz"
    money_types = ("quiz_prize",)
    settings = (Setting("prize", "amount", "paid to each winner"),)

    def fields(self, season: Season) -> tuple[FormField, ...]:
        return (FormField("winners", FieldKind.PER_STUDENT_TICK, "Winners"),)

    def build(self, payload: Payload, ctx: RuleContext) -> Entries:
        prize = ctx.season.setting(self.type, "prize")
        winners = student_list(payload, ctx, "winners")
        return Entries(money=tuple(MoneyLine(p.username, prize, "quiz_prize") for p in winners))


CLASSIC = SEASON_FILES["classic"].read_text(encoding="utf-8")
QUIZ_MONEY = CLASSIC.replace("[money_types]\n", '[money_types]\nquiz_prize = { label = "Quiz", group = "studies" }\n')
WITH_QUIZ = QUIZ_MONEY + '\n[rules.quiz]\nprize = "7.50"\n'


@pytest.fixture
def quiz(monkeypatch: pytest.MonkeyPatch) -> Quiz:
    rule = Quiz()
    monkeypatch.setattr(rules, "RULES", (*rules.RULES, rule))
    monkeypatch.setitem(rules.REGISTRY, rule.type, rule)
    return rule


def test_a_registered_type_is_posted_and_previewed_from_its_season_entry(camp, quiz) -> None:
    load(camp.db, camp.manager, WITH_QUIZ, "with-quiz.toml")
    assert season_in_force(camp.db).setting("quiz", "prize") == 750
    payload = {"type": "quiz", "date": DAY, "winners": ["s1", "s2"]}
    shown = preview(camp.db, camp.actor("t1"), payload)
    assert (shown.label, shown.recipients, shown.total) == ("Quiz", 2, 1500)
    before = balances(camp.db)
    posted = post(camp.db, camp.actor("t1"), payload)
    assert (posted.type, posted.recipients, posted.total, posted.state) == ("quiz", 2, 1500, "processed")
    after = balances(camp.db)
    assert after["s1"] - before["s1"] == after["s2"] - before["s2"] == 750
    with pytest.raises(InputError, match="winners"):
        post(camp.db, camp.actor("t1"), {"type": "quiz", "date": DAY, "winners": ["nobody"]})


def test_the_season_must_give_the_new_type_what_it_declares(quiz) -> None:
    assert parse_season(WITH_QUIZ).setting("quiz", "prize") == 750
    with pytest.raises(SeasonError) as missing_table:
        parse_season(QUIZ_MONEY)
    assert missing_table.value.key == "rules"
    with pytest.raises(SeasonError) as missing_type:
        parse_season(CLASSIC + '\n[rules.quiz]\nprize = "7.50"\n')
    assert missing_type.value.key == "money_types.quiz_prize"
    with pytest.raises(SeasonError) as wrong_key:
        parse_season(WITH_QUIZ.replace("\nprize =", "\nprice ="))
    assert wrong_key.value.key is not None and wrong_key.value.key.startswith("rules.quiz")


def test_without_the_type_a_rules_table_is_refused() -> None:
    with pytest.raises(SeasonError) as refused:
        parse_season(CLASSIC + "\n[rules.quiz]\nprize = 1\n")
    assert refused.value.key == "rules.quiz"

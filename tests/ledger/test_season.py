"""The season files hold every figure of docs/rules.md, and a bad file is refused naming its key and line."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest

from campbank.core.errors import InputError
from campbank.core.season import GROUPS
from campbank.ledger.season.load import (
    SEASON_FILES,
    SeasonError,
    load_season_file,
    parse_season,
)

CLASSIC_TEXT = SEASON_FILES["classic"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def classic():
    return load_season_file(SEASON_FILES["classic"])


@pytest.fixture(scope="module")
def flat():
    return load_season_file(SEASON_FILES["flat-tax"])


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the only line containing `fragment`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


def replaced(old: str, new: str) -> str:
    assert CLASSIC_TEXT.count(old) == 1, old
    return CLASSIC_TEXT.replace(old, new)


def refused(text: str) -> SeasonError:
    with pytest.raises(SeasonError) as caught:
        parse_season(text, source="season-classic.toml")
    return caught.value


# --------------------------------------------------------------------------- the classic season


def test_files_live_in_the_package_data_folder():
    assert set(SEASON_FILES) == {"classic", "flat-tax", "savings"}
    for path in SEASON_FILES.values():
        assert path.is_file()
        assert path.parent.name == "data"


def test_classic_calendar_and_basics(classic):
    assert classic.name == "Classic 2018"
    assert classic.currency_sign == "@"
    assert classic.first_day == date(2018, 8, 6)
    assert classic.last_day == date(2018, 8, 26)
    assert classic.day_number(classic.last_day) == 21
    assert classic.initial_grant == 12000
    assert classic.amount_limit == 10_000_000
    assert classic.squads == ("Squad 1", "Squad 2", "Squad 3", "Squad 4")
    assert classic.grades == (7, 8, 9, 10, 11)
    assert classic.kiosk_idle_seconds == 90
    assert classic.office_idle_seconds == 300
    assert classic.balance_danger == 0
    assert classic.balance_warning == 3000
    assert classic.source == "season-classic.toml"


def test_classic_tax_schedule(classic):
    expected = {1: 0, 2: 5, 3: 7, 4: 9, 5: 12, 6: 15, 7: 18, 8: 20, 9: 22, 10: 23, 11: 24}
    expected.update({day: 25 for day in range(12, 22)})
    assert classic.tax_schedule == {day: at * 100 for day, at in expected.items()}
    assert classic.tax_for(date(2018, 8, 6)) == 0
    assert classic.tax_for(date(2018, 8, 7)) == 500
    assert classic.tax_for(date(2018, 8, 17)) == 2500  # day 12
    assert classic.tax_for(date(2018, 8, 26)) == 2500  # day 21
    assert classic.tax_for(date(2018, 8, 27)) is None
    assert classic.tax_for(date(2018, 8, 5)) is None


def test_classic_budgets_prizes_and_fines(classic):
    assert classic.workout_budget == 2500
    assert classic.workout_min_share == 100
    assert classic.exam_pool_per_student == 8000
    assert classic.dining_budget == 6000
    assert classic.sport_prizes == (2000, 1500, 1000, 500)
    assert classic.event_single_prizes == (2000, 1500, 1000)
    assert classic.event_team_prizes == (12000, 10000, 8000)
    assert classic.activity_certificate == 5000
    assert classic.certificate_value == 3000
    assert (classic.lecture_fine_base, classic.lecture_fine_step) == (1000, 2000)


def test_classic_seminar(classic):
    reward = classic.seminar_reward
    assert reward.formula == "piecewise"
    assert (reward.per_good_point, reward.per_bad_point) == (500, 1000)
    assert (reward.linear_offset, reward.linear_span, reward.linear_maximum) == (5, 24, 8000)
    assert classic.seminar_criteria == {
        "topic_match": (-1, 0, 1),
        "knowledge": (-1, 0, 1, 2, 3),
        "logic": (-1, 0, 1, 2, 3),
        "disclosure": (-1, 0, 1, 2, 3),
        "oratory": (0, 1),
        "illustrations": (0, 1, 2),
        "originality": (0, 1),
        "discussion": (0, 1, 2),
        "discretion": (-1, 0, 1, 2, 3),
    }
    assert sum(min(v) for v in classic.seminar_criteria.values()) == -5
    assert sum(max(v) for v in classic.seminar_criteria.values()) == 19


def test_classic_final_stage(classic):
    req, fines = classic.final.requirements, classic.final.fines
    assert req.obligatory_visits == 18
    assert req.lab_pass == {7: 3, 8: 3, 9: 2, 10: 2, 11: 2}
    assert req.lab_pass[9] == 2
    assert req.fac_pass == {7: 0, 8: 0, 9: 1, 10: 1, 11: 1}
    assert req.seminar_pass == 1
    assert (fines.seminar_missing, fines.visit_base, fines.visit_step) == (10000, 1500, 500)
    assert (fines.lab_missing, fines.fac_pass_missing) == (5000, 10000)


def test_classic_equator_stage_has_half_targets(classic):
    assert classic.equator is not None
    req = classic.equator.requirements
    assert req.obligatory_visits == 9
    assert req.lab_pass == {grade: 1 for grade in classic.grades}
    assert req.fac_pass == {grade: 0 for grade in classic.grades}
    assert req.seminar_pass == 0
    assert classic.equator.fines == classic.final.fines


def test_classic_time_blocks(classic):
    blocks = classic.time_blocks
    hours = {name: (f"{b.start:%H:%M}", f"{b.end:%H:%M}") for name, b in blocks.items()}
    assert hours == {
        "workout": ("08:15", "08:30"),
        "lecture": ("09:45", "11:00"),
        "seminar_1": ("11:15", "11:50"),
        "seminar_2": ("12:15", "12:45"),
        "seminar_3": ("12:51", "13:30"),
        "fac_1": ("11:15", "12:15"),
        "fac_2": ("12:25", "13:25"),
    }
    assert all(name == block.name for name, block in blocks.items())
    assert blocks["fac_1"].overlaps(blocks["seminar_1"])  # fac_1 contains seminar_1
    assert blocks["seminar_1"].overlaps(blocks["fac_1"])
    assert not blocks["fac_1"].overlaps(blocks["seminar_3"])
    assert blocks["fac_2"].overlaps(blocks["seminar_2"])
    assert blocks["fac_2"].overlaps(blocks["seminar_3"])
    assert not blocks["lecture"].overlaps(blocks["workout"])
    assert not blocks["seminar_2"].overlaps(blocks["seminar_3"])


FORM_TYPES = {
    "general_money": {
        "radio_help": "work", "art_help": "work", "staff_help": "work", "class_pass": "studies",
        "olympiad": "studies", "olympiad_problem": "studies", "territory_cleaning": "work",
        "else": "else", "reward": "activity", "initial": "technical",
    },
    "fine": {code: "fine" for code in (
        "fine_lang", "fine_schedule", "fine_safety", "fine_clean", "fine_sub", "fine_moral",
        "fine_damage", "fine_any")},
    "purchase": {code: "purchase" for code in ("goods", "books", "service", "auction")},
    None: {
        "fac_pass_reward": "studies", "exam": "studies", "seminar_pass_reward": "studies",
        "lab_pass_reward": "studies", "potato": "work", "serving": "work", "bread_cut": "work",
        "workout_reward": "sport", "sport_activity": "sport", "day_activity": "activity",
        "evening_activity": "activity", "p2p": "p2p", "tax": "technical", "lecture_miss": "fine",
        "study_fine": "fine", "certificate": "technical",
        # written only when the season switches savings and credit on
        "pocket": "savings", "interest": "savings", "loan": "savings", "loan_repayment": "savings", "fund": "savings",
        "circle": "savings",
    },
}  # fmt: skip


def test_classic_money_types(classic):
    for form, codes in FORM_TYPES.items():
        found = {code: t.group for code, t in classic.money_types.items() if t.form == form}
        assert found == codes, form
        if form:
            assert set(classic.types_for_form(form)) == set(codes)
    for code, money_type in classic.money_types.items():
        assert money_type.code == code
        assert money_type.label.strip()
        assert money_type.group in GROUPS
    assert classic.group_of("tax") == "technical"


# --------------------------------------------------------------------------- the flat-tax season


def test_flat_tax_differs_from_classic_only_where_the_spec_says(classic, flat):
    assert flat.name != classic.name
    assert flat.initial_grant == 8000
    assert flat.tax_schedule == {day: 2000 for day in range(1, 22)}
    assert flat.tax_for(date(2018, 8, 6)) == 2000
    assert flat.tax_for(date(2018, 8, 27)) is None
    assert flat.seminar_reward.formula == "linear"
    assert (flat.seminar_reward.linear_offset, flat.seminar_reward.linear_span) == (5, 24)
    assert flat.seminar_reward.linear_maximum == 8000
    assert flat.certificate_value == 3000
    assert flat.final.requirements.obligatory_visits == 20
    assert flat.equator is None
    same = (
        "currency_sign", "first_day", "last_day", "amount_limit", "workout_budget", "workout_min_share",
        "exam_pool_per_student", "dining_budget", "sport_prizes", "event_single_prizes",
        "event_team_prizes", "activity_certificate", "seminar_criteria", "lecture_fine_base",
        "lecture_fine_step", "balance_danger", "balance_warning", "squads", "grades", "time_blocks",
        "money_types", "kiosk_idle_seconds", "office_idle_seconds",
    )  # fmt: skip
    for name in same:
        assert getattr(flat, name) == getattr(classic, name), name
    assert flat.final.fines == classic.final.fines
    assert flat.final.requirements.lab_pass == classic.final.requirements.lab_pass
    assert flat.final.requirements.fac_pass == classic.final.requirements.fac_pass


def test_the_parser_imports_no_ui_or_database_code():
    code = (
        "import sys, campbank.ledger.season.load\n"
        "bad = [m for m in ('textual', 'typer', 'sqlmodel', 'sqlalchemy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


# --------------------------------------------------------------------------- bad files


def test_error_is_an_input_error_and_reads_well():
    text = replaced("workout = 25 ", "workout = 2.5 ")
    error = refused(text)
    assert isinstance(error, InputError) and error.exit_code == 2
    line = line_of(text, "workout = 2.5")
    assert (error.key, error.line) == ("budgets.workout", line)
    assert str(error).startswith(
        f"season-classic.toml line {line}, key budgets.workout: "
        'must be a whole number or an amount such as "12.50"'
    )


def test_syntax_error_reports_tomllibs_line():
    text = replaced("dining = 60", "dining = = 60")
    error = refused(text)
    assert error.line == line_of(text, "dining = = 60")
    assert error.key is None
    assert "not valid TOML" in str(error)
    assert str(error).startswith(f"season-classic.toml line {error.line}: ")


def test_missing_key_names_the_key_and_its_table():
    text = replaced("dining = 60", "")
    error = refused(text)
    assert error.key == "budgets.dining"
    assert error.line == line_of(text, "[budgets]")
    assert "missing" in error.reason


def test_missing_top_level_key():
    error = refused(replaced("initial_grant = 120", ""))
    assert error.key == "initial_grant"
    assert "missing" in error.reason


def test_unknown_key_is_a_typo_and_named():
    text = replaced("initial_grant = 120", "initial_grnt = 120")
    error = refused(text)
    assert (error.key, error.line) == ("initial_grnt", line_of(text, "initial_grnt"))
    assert "unknown key" in error.reason and "initial_grant" in error.reason


def test_unknown_key_in_an_inline_table():
    text = replaced(
        'fac_1 = { start = "11:15", end = "12:15" }',
        'fac_1 = { start = "11:15", ned = "12:15" }'
    )
    error = refused(text)
    assert (error.key, error.line) == ("time_blocks.fac_1.ned", line_of(text, "ned ="))


def test_wrong_type():
    text = replaced("grades = [7, 8, 9, 10, 11]", 'grades = "7-11"')
    error = refused(text)
    assert (error.key, error.line) == ("grades", line_of(text, 'grades = "7-11"'))
    text = replaced('name = "Classic 2018"', "name = 2018")
    error = refused(text)
    assert (error.key, error.line) == ("name", line_of(text, "name = 2018"))
    assert "text" in error.reason


def test_wrong_type_for_a_count():
    text = replaced("obligatory_visits = 18", 'obligatory_visits = "18"')
    error = refused(text)
    assert error.key == "final.requirements.obligatory_visits"
    assert error.line == line_of(text, 'obligatory_visits = "18"')
    assert "whole number" in error.reason


def test_negative_amount():
    text = replaced("12 = 25", '12 = "-25"')
    error = refused(text)
    assert (error.key, error.line) == ("tax.schedule.12", line_of(text, '12 = "-25"'))
    assert "negative" in error.reason


def test_three_decimals():
    text = replaced("per_good_point = 5 ", 'per_good_point = "5.125" ')
    error = refused(text)
    assert (error.key, error.line) == ("seminar.reward.per_good_point", line_of(text, "5.125"))
    assert "more than 2 decimals" in error.reason


def test_string_amounts_are_accepted():
    season = parse_season(replaced("dining = 60", 'dining = "60.50"'))
    assert season.dining_budget == 6050


SEMINAR_1 = 'seminar_1 = { start = "11:15", end = "11:50" }'


def test_bad_time():
    text = replaced(SEMINAR_1, 'seminar_1 = { start = "11:15", end = "11:70" }')
    error = refused(text)
    assert (error.key, error.line) == ("time_blocks.seminar_1.end", line_of(text, "11:70"))
    text = replaced(SEMINAR_1, 'seminar_1 = { start = "noon", end = "11:50" }')
    assert refused(text).key == "time_blocks.seminar_1.start"


def test_native_toml_times_are_accepted():
    season = parse_season(replaced('workout = { start = "08:15", end = "08:30" }',
                                   "workout = { start = 08:15:00, end = 08:30:00 }"))  # fmt: skip
    assert season.time_blocks["workout"].start == time(8, 15)


def test_end_before_start():
    text = replaced(SEMINAR_1, 'seminar_1 = { start = "11:50", end = "11:15" }')
    error = refused(text)
    assert (error.key, error.line) == ("time_blocks.seminar_1.end", line_of(text, 'end = "11:15"'))
    assert "not after start" in error.reason
    error = refused(replaced('end = "08:30"', 'end = "08:15"'))
    assert error.key == "time_blocks.workout.end"


def test_bad_grade():
    text = replaced("lab_pass = { 7 = 3, 8 = 3,", "lab_pass = { 6 = 3, 8 = 3,")
    error = refused(text)
    assert (error.key, error.line) == ("final.requirements.lab_pass.6", line_of(text, "6 = 3"))
    assert "grades" in error.reason


def test_grade_missing_from_a_target():
    text = replaced(
        "fac_pass = { 7 = 0, 8 = 0, 9 = 1, 10 = 1, 11 = 1 }", "fac_pass = { 7 = 0, 8 = 0, 9 = 1, 10 = 1 }"
    )
    error = refused(text)
    assert (error.key, error.line) == ("final.requirements.fac_pass.11", line_of(text, "10 = 1 }"))


def test_bad_group():
    text = replaced('potato = { label = "Dining duty: potatoes", group = "work" }',
                    'potato = { label = "Dining duty: potatoes", group = "kitchen" }')  # fmt: skip
    error = refused(text)
    assert (error.key, error.line) == ("money_types.potato.group", line_of(text, '"kitchen"'))
    assert "studies" in error.reason


def test_bad_form():
    text = replaced('books = { label = "Books", group = "purchase", form = "purchase" }',
                    'books = { label = "Books", group = "purchase", form = "shop" }')  # fmt: skip
    error = refused(text)
    assert (error.key, error.line) == ("money_types.books.form", line_of(text, '"shop"'))


def test_a_money_type_the_rules_need_is_missing():
    error = refused(replaced('tax = { label = "Tax", group = "technical" }\n', ""))
    assert error.key == "money_types.tax"
    assert error.line == line_of(CLASSIC_TEXT, "[money_types]")


def test_last_day_before_first_day():
    text = replaced("last_day = 2018-08-26", "last_day = 2018-08-01")
    error = refused(text)
    assert (error.key, error.line) == ("last_day", line_of(text, "last_day ="))


def test_tax_day_outside_the_season():
    text = replaced("21 = 25\n", "21 = 25\n22 = 25\n")
    error = refused(text)
    assert (error.key, error.line) == ("tax.schedule.22", line_of(text, "22 = 25"))
    assert "outside the season" in error.reason


def test_tax_day_missing():
    error = refused(replaced("13 = 25\n", ""))
    assert error.key == "tax.schedule.13"
    assert error.line == line_of(CLASSIC_TEXT, "[tax.schedule]")


def test_bad_formula_and_prize_list_length():
    text = replaced('formula = "piecewise"', 'formula = "cubic"')
    error = refused(text)
    assert (error.key, error.line) == ("seminar.reward.formula", line_of(text, '"cubic"'))
    text = replaced("sport_prizes = [20, 15, 10, 5]", "sport_prizes = [20, 15, 10]")
    error = refused(text)
    assert (error.key, error.line) == ("activity.sport_prizes", line_of(text, "sport_prizes"))
    assert "4" in error.reason


def test_balance_levels_must_be_ordered():
    error = refused(replaced("warning = 30", "warning = -5"))
    assert error.key == "balance.warning"


def test_equator_is_optional():
    start = CLASSIC_TEXT.index("# The optional mid-session")
    end = CLASSIC_TEXT.index("# Balance warning levels")
    season = parse_season(CLASSIC_TEXT[:start] + CLASSIC_TEXT[end:])
    assert season.equator is None


def test_load_season_file_names_the_file(tmp_path):
    path = tmp_path / "my-season.toml"
    path.write_text(replaced("dining = 60", "dining = -60"), encoding="utf-8")
    with pytest.raises(SeasonError) as refused:
        load_season_file(path)
    error = refused.value
    assert str(error).startswith("my-season.toml line ")
    assert error.key == "budgets.dining"
    with pytest.raises(SeasonError) as refused:
        load_season_file(tmp_path / "nope.toml")
    assert refused.value.source == "nope.toml"

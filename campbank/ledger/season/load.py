"""Season rules: load a season TOML file, check every key, and build the immutable `Season`.

The layout (see data/season-classic.toml, whose comments explain each number):

    top level         name, currency_sign, first_day, last_day, initial_grant, amount_limit, squads,
                      grades, kiosk_idle_seconds, office_idle_seconds (the last two optional)
    [api]             optional: enabled (true), token_seconds (43200 = 12 h): the JSON API of `serve`
    [tax.schedule]    season day (1 = first_day) = tax in @, every day of the season listed
    [budgets]         workout, workout_min_share, exam_per_student, dining
    [activity]        sport_prizes (4), event_single_prizes (3), event_team_prizes (3), certificate
    [certificate]     value
    [seminar.reward]  formula ("piecewise" | "linear"), per_good_point, per_bad_point,
                      linear_offset, linear_span, linear_maximum
    [seminar.criteria] criterion = [allowed marks]
    [lecture_fine]    base, step
    [final.requirements] / [final.fines]      the end-of-session stage
    [equator.requirements] / [equator.fines]  the optional mid-session stage
    [balance]         danger, warning
    [time_blocks]     name = { start = "HH:MM", end = "HH:MM" }
    [money_types]     code = { label = "...", group = "...", form = "..." (optional) }
    [rules.TYPE]      the numbers a transaction type declares as its `settings` (optional; required
                      when the type declares any)
    [pockets] [savings] [loans] [funds] [circles]   savings and credit, each optional and off unless
                      `enabled = true` (season/savings.py, docs/savings.md)
    [oversight]       enabled, second_approval_above, total_above, daily_budget_per_staff (optional)

What the transaction types need from a season — the money types they write, the blocks they name, the
forms that offer money types, their own numbers — is declared by each rule module and checked here.

Amounts are written in @ (integers or strings such as "12.50") and kept as integer cents. Any refusal is
a `SeasonError` naming the file, the line and the dotted key.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import campbank
from campbank import rules
from campbank.core.money import MAX_AMOUNT_LIMIT, format_amount
from campbank.core.season import (
    GROUPS,
    MoneyType,
    Requirements,
    Season,
    SeminarReward,
    Setting,
    Stage,
    StudyFines,
    TimeBlock,
)
from campbank.ledger.season.oversight import parse_oversight
from campbank.ledger.season.savings import SECTIONS as SAVINGS_SECTIONS
from campbank.ledger.season.savings import parse_sections as parse_savings_sections
from campbank.ledger.season.validate import (
    Context,
    SeasonError,
    Table,
    check_count,
    syntax_error,
)

__all__ = ["SEASON_FILES", "SeasonError", "load_season_file", "parse_season", "read_season_file"]

DATA_DIR = Path(campbank.__file__).parent / "data"
SEASON_FILES: dict[str, Path] = {
    "classic": DATA_DIR / "season-classic.toml",
    "flat-tax": DATA_DIR / "season-flat-tax.toml",
    "savings": DATA_DIR / "season-savings.toml",
}

FORMULAS = ("piecewise", "linear")
MAX_SEASON_DAYS = 366


# What the transaction types in the registry need from a season (read when a season is parsed).
def forms() -> tuple[str, ...]:
    """The forms that offer the season's money types (`form = ...` in [money_types])."""
    return tuple(rule.type for rule in rules.RULES if rule.offers_money_types)


def rule_money_types() -> tuple[str, ...]:
    """Money types the rules create themselves: a season must define every one of them."""
    return tuple(dict.fromkeys(code for rule in rules.RULES for code in rule.money_types))


def rule_time_blocks() -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for rule in rules.RULES for name in rule.time_blocks))


def block_prefixes() -> tuple[str, ...]:
    return tuple(dict.fromkeys(rule.block_prefix for rule in rules.RULES if rule.block_prefix))


def rule_settings() -> dict[str, tuple[Setting, ...]]:
    """The rules with numbers of their own, each read from the season's [rules.TYPE] table."""
    return {rule.type: rule.settings for rule in rules.RULES if rule.settings}

TOP_KEYS = (
    "name", "currency_sign", "first_day", "last_day", "initial_grant", "amount_limit", "squads",
    "grades", "tax", "budgets", "activity", "certificate", "seminar", "lecture_fine", "final",
    "balance", "time_blocks", "money_types",
)  # fmt: skip
OPTIONAL_TOP_KEYS = ("equator", "kiosk_idle_seconds", "office_idle_seconds", "api", "rules", "oversight",
                     *SAVINGS_SECTIONS)
MAX_TOKEN_SECONDS = 30 * 86_400


def read_season_file(path: str | Path) -> tuple[str, str]:
    """A season file's text and the name it is known by (its base name); refuses what is not UTF-8 text."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig"), path.name
    except FileNotFoundError:
        raise SeasonError(path.name, None, None, f"{path} does not exist") from None
    except UnicodeDecodeError as error:
        raise SeasonError(path.name, None, None, f"is not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise SeasonError(path.name, None, None, f"cannot be read: {error.strerror or error}") from None


def load_season_file(path: str | Path) -> Season:
    """Read and check a season file; errors name the file by its base name."""
    return parse_season(*read_season_file(path))


def parse_season(text: str, source: str = "<season>", *, check_text: bool = True) -> Season:
    """Parse and check season TOML text; refuse anything doubtful with a `SeasonError`.

    `check_text=False` reads a season stored before names were checked for control characters (it is
    shown through `campbank.core.text.shown`); every file being loaded is checked."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise syntax_error(source, text, str(exc)) from None
    top = Table(data, (), Context(source, text, check_text=check_text))
    top.keys(TOP_KEYS, OPTIONAL_TOP_KEYS)

    first_day = top.day("first_day")
    last_day = top.day("last_day")
    if last_day < first_day:
        raise top.error("last_day", f"{last_day} is before first_day ({first_day})")
    days = (last_day - first_day).days + 1
    if days > MAX_SEASON_DAYS:
        raise top.error("last_day", f"makes a season of {days} days; at most {MAX_SEASON_DAYS}")
    grades = _grades(top)

    budgets = top.table("budgets")
    budgets.keys(["workout", "workout_min_share", "exam_per_student", "dining"])
    activity = top.table("activity")
    activity.keys(["sport_prizes", "event_single_prizes", "event_team_prizes", "certificate"])
    certificate = top.table("certificate")
    certificate.keys(["value"])
    lecture = top.table("lecture_fine")
    lecture.keys(["base", "step"])
    seminar = top.table("seminar")
    seminar.keys(["reward", "criteria"])

    amount_limit = top.amount("amount_limit", minimum=1, maximum=MAX_AMOUNT_LIMIT)
    top.ctx.amount_limit = amount_limit  # every amount read from here on is at most this
    money_types = _money_types(top.table("money_types"))
    return Season(
        name=top.text("name"),
        currency_sign=top.text("currency_sign", max_length=3),
        first_day=first_day,
        last_day=last_day,
        initial_grant=top.amount("initial_grant"),
        amount_limit=amount_limit,
        tax_schedule=_tax_schedule(top, days, first_day),
        workout_budget=budgets.amount("workout"),
        workout_min_share=budgets.amount("workout_min_share"),
        exam_pool_per_student=budgets.amount("exam_per_student"),
        dining_budget=budgets.amount("dining"),
        sport_prizes=activity.amounts("sport_prizes", length=4),
        event_single_prizes=activity.amounts("event_single_prizes", length=3),
        event_team_prizes=activity.amounts("event_team_prizes", length=3),
        activity_certificate=activity.amount("certificate"),
        certificate_value=certificate.amount("value"),
        seminar_reward=_seminar_reward(seminar.table("reward")),
        seminar_criteria=_criteria(seminar.table("criteria")),
        lecture_fine_base=lecture.amount("base"),
        lecture_fine_step=lecture.amount("step"),
        final=_stage(top.table("final"), grades),
        equator=_stage(top.table("equator"), grades) if top.has("equator") else None,
        **_balance(top.table("balance")),
        squads=_squads(top),
        grades=grades,
        time_blocks=_time_blocks(top.table("time_blocks")),
        money_types=money_types,
        kiosk_idle_seconds=_idle(top, "kiosk_idle_seconds", 90),
        office_idle_seconds=_idle(top, "office_idle_seconds", 300),
        api_enabled=_api(top)[0],
        api_token_seconds=_api(top)[1],
        rule_settings=_rule_settings(top),
        oversight=parse_oversight(top),
        **parse_savings_sections(top, amount_limit, money_types),
        source=source,
    )


# --------------------------------------------------------------------------- sections


def _grades(top: Table) -> tuple[int, ...]:
    value = top.data["grades"]
    if not isinstance(value, list) or not value:
        raise top.error("grades", "must be a non-empty list of whole numbers such as [7, 8, 9]")
    grades = [check_count(g, lambda reason, n=n: top.error("grades", f"item {n}: {reason}"), 1, 12)
              for n, g in enumerate(value, start=1)]  # fmt: skip
    if len(set(grades)) != len(grades):
        raise top.error("grades", "lists a grade twice")
    return tuple(sorted(grades))


def _squads(top: Table) -> tuple[str, ...]:
    value = top.data["squads"]
    if not isinstance(value, list) or not value:
        raise top.error("squads", 'must be a non-empty list of names such as ["Squad 1", "Squad 2"]')
    for n, squad in enumerate(value, start=1):
        if not isinstance(squad, str) or not squad.strip():
            raise top.error("squads", f"item {n} must be a name in quotes")
        top.check_name("squads", squad.strip(), f"item {n} ")
    if len({s.strip().casefold() for s in value}) != len(value):
        raise top.error("squads", "lists a squad twice")
    return tuple(s.strip() for s in value)


def _tax_schedule(top: Table, days: int, first_day: date) -> dict[int, int]:
    tax = top.table("tax")
    tax.keys(["schedule"])
    table = tax.table("schedule")
    schedule: dict[int, int] = {}
    for key in table.data:
        if not key.isdigit() or key.startswith("0"):
            raise table.error(key, "a tax day must be a season day number such as 1 or 21")
        day = int(key)
        if day > days:
            raise table.error(key, f"day {day} lies outside the season (days 1..{days})")
        schedule[day] = table.amount(key)
    for day in range(1, days + 1):
        if day not in schedule:
            when = first_day + timedelta(days=day - 1)
            raise table.error(str(day), f"day {day} ({when}) is missing: list every season day, 0 for no tax")
    return dict(sorted(schedule.items()))


def _seminar_reward(reward: Table) -> SeminarReward:
    piecewise = ["per_good_point", "per_bad_point"]
    linear = ["linear_offset", "linear_span", "linear_maximum"]
    # The numbers of the formula in force are required; the other formula's are optional.
    formula = reward.data.get("formula")
    required = ["formula"] + (linear if formula == "linear" else piecewise)
    reward.keys(required, [k for k in piecewise + linear if k not in required])
    formula = reward.choice("formula", FORMULAS)
    values: dict[str, int] = {}
    for key in [*piecewise, "linear_maximum"]:
        if reward.has(key):
            values[key] = reward.amount(key)
    if reward.has("linear_offset"):
        values["linear_offset"] = reward.count("linear_offset", minimum=-1000, maximum=1000)
    if reward.has("linear_span"):
        values["linear_span"] = reward.count("linear_span", minimum=1, maximum=1000)
    return SeminarReward(formula=formula, **values)


def _criteria(table: Table) -> dict[str, tuple[int, ...]]:
    if not table.data:
        raise table.error((), "must list at least one criterion")
    criteria: dict[str, tuple[int, ...]] = {}
    for key, value in table.data.items():
        table.name_key(key)
        if not isinstance(value, list) or not value:
            raise table.error(key, "must be a non-empty list of the allowed marks, such as [-1, 0, 1]")
        marks = [check_count(m, lambda reason, n=n, key=key: table.error(key, f"item {n}: {reason}"), -100, 100)
                 for n, m in enumerate(value, start=1)]  # fmt: skip
        if len(set(marks)) != len(marks):
            raise table.error(key, "lists a mark twice")
        criteria[key] = tuple(sorted(marks))
    return criteria


def _stage(stage: Table, grades: tuple[int, ...]) -> Stage:
    stage.keys(["requirements", "fines"])
    req = stage.table("requirements")
    req.keys(["obligatory_visits", "lab_pass", "fac_pass", "seminar_pass"])
    fines = stage.table("fines")
    fines.keys(["seminar_missing", "visit_base", "visit_step", "lab_missing", "fac_pass_missing"])
    return Stage(
        requirements=Requirements(
            obligatory_visits=req.count("obligatory_visits", maximum=10_000),
            lab_pass=_by_grade(req, "lab_pass", grades),
            fac_pass=_by_grade(req, "fac_pass", grades),
            seminar_pass=req.count("seminar_pass", maximum=10_000),
        ),
        fines=StudyFines(
            seminar_missing=fines.amount("seminar_missing"),
            visit_base=fines.amount("visit_base"),
            visit_step=fines.amount("visit_step"),
            lab_missing=fines.amount("lab_missing"),
            fac_pass_missing=fines.amount("fac_pass_missing"),
        ),
    )


def _by_grade(req: Table, key: str, grades: tuple[int, ...]) -> dict[int, int]:
    """A target per grade: a table `{ 7 = 3, 8 = 3, ... }` covering every grade, or one number for all."""
    if not isinstance(req.data[key], dict):
        target = req.count(key, maximum=10_000)
        return {grade: target for grade in grades}
    table = req.table(key)
    targets: dict[int, int] = {}
    for name in table.data:
        if not name.isdigit() or int(name) not in grades:
            listed = ", ".join(map(str, grades))
            raise table.error(name, f"{name!r} is not one of the season's grades ({listed})")
        targets[int(name)] = table.count(name, maximum=10_000)
    for grade in grades:
        if grade not in targets:
            raise table.error(str(grade), f"grade {grade} is missing: give a target for every grade")
    return dict(sorted(targets.items()))


def _balance(balance: Table) -> dict[str, Any]:
    balance.keys(["danger", "warning"])
    danger = balance.amount("danger", minimum=None)
    warning = balance.amount("warning", minimum=None)
    if warning <= danger:
        raise balance.error("warning", f"must be above danger ({format_amount(danger, sign='')})")
    return {"balance_danger": danger, "balance_warning": warning}


def _time_blocks(table: Table) -> dict[str, TimeBlock]:
    blocks: dict[str, TimeBlock] = {}
    for name in table.data:
        table.name_key(name)
        block = table.table(name)
        block.keys(["start", "end"])
        start, end = block.clock("start"), block.clock("end")
        if end <= start:
            raise block.error("end", f"{end:%H:%M} is not after start ({start:%H:%M})")
        blocks[name] = TimeBlock(name=name, start=start, end=end)
    for name in rule_time_blocks():
        if name not in blocks:
            raise table.error(name, "is missing: the rules need this block")
    for prefix in block_prefixes():
        if not any(name.startswith(prefix) for name in blocks):
            raise table.error(prefix + "1", f"is missing: at least one {prefix}N block is needed")
    return blocks


def _money_types(table: Table) -> dict[str, MoneyType]:
    offered_by = forms()
    types: dict[str, MoneyType] = {}
    for code in table.data:
        table.name_key(code)
        entry = table.table(code)
        entry.keys(["label", "group"], ["form"])
        group = entry.choice("group", GROUPS)
        form = entry.choice("form", offered_by) if entry.has("form") else None
        if form in GROUPS and group != form:
            raise entry.error("group", f"a type offered by the {form} form must be in group {form!r}")
        types[code] = MoneyType(code=code, label=entry.text("label"), group=group, form=form)
    for code in rule_money_types():
        if code not in types:
            raise table.error(code, "is missing: the rules create this money type")
    for form in offered_by:
        if not any(t.form == form for t in types.values()):
            raise table.error((), f"no money type is offered by the {form} form")
    return types


def _rule_settings(top: Table) -> dict[str, dict[str, int]]:
    """Each rule's own numbers: `[rules.TYPE]` holds exactly the settings the rule declares."""
    declared_by = rule_settings()
    table = top.table("rules") if top.has("rules") else None
    if table is not None:
        for name in table.data:
            if name not in declared_by:
                known = ", ".join(declared_by) or "none"
                raise table.error(name, f"is not a transaction type with settings of its own (those: {known})")
    elif declared_by:
        raise top.error("rules", f"is missing: {', '.join(declared_by)} need their own numbers")
    settings: dict[str, dict[str, int]] = {}
    for rule_type, declared in declared_by.items():
        assert table is not None
        if not table.has(rule_type):
            raise table.error(rule_type, "is missing: this transaction type needs its own numbers")
        own = table.table(rule_type)
        own.keys([setting.name for setting in declared])
        settings[rule_type] = {
            setting.name: own.amount(setting.name, minimum=setting.minimum) if setting.kind == "amount"
            else own.count(setting.name, minimum=setting.minimum, maximum=setting.maximum)
            for setting in declared
        }
    return settings


def _idle(top: Table, key: str, default: int) -> int:
    return top.count(key, minimum=5, maximum=86_400) if top.has(key) else default


def _api(top: Table) -> tuple[bool, int]:
    """The JSON API of `campbank serve`: on or off, and how long a token lasts (seconds)."""
    enabled, seconds = True, 12 * 3600
    if not top.has("api"):
        return enabled, seconds
    api = top.table("api")
    api.keys([], ["enabled", "token_seconds"])
    if api.has("enabled"):
        if not isinstance(api.data["enabled"], bool):
            raise api.error("enabled", "must be true or false")
        enabled = api.data["enabled"]
    if api.has("token_seconds"):
        seconds = api.count("token_seconds", minimum=1, maximum=MAX_TOKEN_SECONDS)
    return enabled, seconds

"""Moving a season's dates: this summer's first day, and how many days it lasts.

A season file is kept as its text (the season in force is that text in the database), so moving the dates
rewrites the text: the top-level `first_day` and `last_day` lines, and, when the number of days changes,
the `[tax.schedule]` table (days past the old last day take the old last day's tax; days past the new last
day are dropped). Every other line, comments included, stays as the camp wrote it. Everything dated by day
number (the tax schedule, the equator, the last day's final fines) follows the new first day by itself.
See docs/season.md#this-summers-dates.
"""

from __future__ import annotations

import json
import re
import tomllib
from datetime import date, timedelta

from campbank.core.errors import InputError

MAX_DAYS = 366
_HEADER = re.compile(r"^\s*\[")
_SCHEDULE_HEADER = re.compile(r"^\s*\[\s*tax\s*\.\s*schedule\s*\]\s*(#.*)?$")
_KEY_LINE = re.compile(r"^\s*\"?\d+\"?\s*=")


def redate(toml_text: str, first_day: date | None, days: int | None = None) -> str:
    """The season text starting on `first_day` (default: as it is) and lasting `days` days (default: as long)."""
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the season in force cannot be read: {exc}", field="season") from exc
    old_first, old_last = data.get("first_day"), data.get("last_day")
    if not isinstance(old_first, date) or not isinstance(old_last, date):
        raise InputError("the season has no first_day and last_day to move", field="season")
    old_days = (old_last - old_first).days + 1
    first_day = first_day or old_first
    days = old_days if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"{days} is not a number of days from 1 to {MAX_DAYS}", field="--days")
    last_day = first_day + timedelta(days=days - 1)
    lines = toml_text.splitlines(keepends=True)
    lines = _set_top_level(lines, "first_day", first_day.isoformat())
    lines = _set_top_level(lines, "last_day", f"{last_day.isoformat()}          # {days} days")
    if days != old_days:
        lines = _resize_schedule(lines, data, days)
    return "".join(lines)


def _set_top_level(lines: list[str], key: str, value: str) -> list[str]:
    pattern = re.compile(rf"^(\s*{key}\s*=\s*)\S[^\n]*?(\r?\n)?$")
    out = list(lines)
    for index, line in enumerate(out):
        if _HEADER.match(line):
            break  # a table has begun: the top-level keys are all above it
        match = pattern.match(line)
        if match:
            out[index] = f"{match.group(1)}{value}{match.group(2) or ''}"
            return out
    raise InputError(f"the season has no top-level {key} line to move", field="season")


def _resize_schedule(lines: list[str], data: dict, days: int) -> list[str]:
    schedule = data.get("tax", {}).get("schedule", {})
    try:
        amounts = {int(day): value for day, value in schedule.items()}
    except ValueError as exc:
        raise InputError("the tax schedule has a day that is not a number", field="tax.schedule") from exc
    if not amounts:
        raise InputError("the season has no tax schedule to stretch", field="tax.schedule")
    last_known = amounts[max(amounts)]
    new = [f"{day} = {_toml_amount(amounts.get(day, last_known))}\n" for day in range(1, days + 1)]
    start = next((i for i, line in enumerate(lines) if _SCHEDULE_HEADER.match(line)), None)
    if start is None:
        raise InputError("the tax schedule is not written as a [tax.schedule] table; write its days in the file "
                         "and load it with `campbank season load`", field="tax.schedule")
    end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    body = lines[start + 1:end]
    keyed = [i for i, line in enumerate(body) if _KEY_LINE.match(line)]
    first = keyed[0] if keyed else 0
    kept = [line for i, line in enumerate(body) if i not in set(keyed)]
    body = kept[:first] + new + kept[first:]
    return lines[:start + 1] + body + lines[end:]


def _toml_amount(value: object) -> str:
    """An amount as the file wrote it: a whole number, or a string such as "12.50" (the loader checks it)."""
    return json.dumps(value) if isinstance(value, str) else str(value)

"""A column pasted from a spreadsheet into the group-entry table: names (or usernames) with amounts.

Each line is one student: a name or username, then (for a value column) the value, separated by a tab,
a comma or a semicolon — what a spreadsheet or a CSV file puts on the clipboard. A name matches a row by
exact username first, then by full name ("Ivanov Kirill" or "Kirill Ivanov"), then by surname and first
initial ("Ivanov K", "Ivanov K."), ignoring case and the difference between ё and е. A name that
matches nobody, or more than one student, is listed, never guessed. Pasted text is hostile: a line with
a control character is refused whole, and what is reported is shown literally by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from campbank.core.text import text_problem

MAX_LINES = 2000  # a camp is a few hundred students: more is not a column of names


@dataclass(frozen=True)
class Candidate:
    key: str  # the username
    label: str  # "Surname First [Middle]"


@dataclass
class PastedColumn:
    values: dict[str, str] = field(default_factory=dict)
    """{username: the value typed beside it} ("" for a name alone), in the order pasted."""
    unknown: list[str] = field(default_factory=list)
    """Names that matched nobody."""
    ambiguous: list[str] = field(default_factory=list)
    """Names that matched more than one student."""
    refused: list[str] = field(default_factory=list)
    """Lines that could not be read, with the reason."""


def fold(text: str) -> str:
    """Case- and ё/е-insensitive form of a name, with single spaces and no trailing dots."""
    return " ".join(text.casefold().replace("ё", "е").replace(".", " ").split())


def read_pasted(text: str, rows: Sequence[Candidate], *, with_values: bool) -> PastedColumn:
    """Match each pasted line to a row; `with_values` reads the last cell of a line as its value."""
    index = _Index(rows)
    result = PastedColumn()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > MAX_LINES:
        result.refused.append(f"{len(lines)} lines pasted; at most {MAX_LINES} are read")
        lines = lines[:MAX_LINES]
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        problem = text_problem(line.replace("\t", " "), name=False)
        if problem:
            result.refused.append(f"line {number} {problem}")
            continue
        cells = _cells(line)
        name = cells[0]
        value = cells[-1] if with_values and len(cells) > 1 else ""
        if with_values and len(cells) == 1:
            name, value = _split_trailing_number(name)
        found = index.find(name)
        if len(found) == 1:
            result.values[found[0]] = value.replace(",", ".")
        elif found:
            result.ambiguous.append(name)
        elif name.replace(".", "").replace(" ", "").replace("-", "").isdigit():
            continue  # a header or a total line of numbers
        else:
            result.unknown.append(name)
    return result


def _cells(line: str) -> list[str]:
    """A line's non-empty cells: split on tabs, else on semicolons, else on commas (where `12,50` at the
    end is one amount written with a decimal comma)."""
    separator = "\t" if "\t" in line else ";" if ";" in line else ","
    cells = [c.strip() for c in line.split(separator)]
    if separator == "," and len(cells) > 2 and re.fullmatch(r"\d+", cells[-2]) and re.fullmatch(r"\d{1,2}", cells[-1]):
        cells[-2:] = [f"{cells[-2]}.{cells[-1]}"]
    return [c for c in cells if c]


def _split_trailing_number(cell: str) -> tuple[str, str]:
    """`Ivanov Kirill 12.50` -> (`Ivanov Kirill`, `12.50`): a name and amount separated by spaces only."""
    match = re.fullmatch(r"(.*?)\s+(-?\d+(?:[.,]\d{1,2})?)", cell)
    return (match.group(1), match.group(2)) if match else (cell, "")


class _Index:
    def __init__(self, rows: Sequence[Candidate]) -> None:
        self.by_username: dict[str, str] = {}
        self.by_name: dict[str, set[str]] = {}
        for row in rows:
            self.by_username[row.key.casefold()] = row.key
            words = fold(row.label).split()
            if not words:
                continue
            surname, first = words[0], words[1] if len(words) > 1 else ""
            forms = {" ".join(words), f"{surname} {first}", f"{first} {surname}"}
            if first:
                forms.update({f"{surname} {first[0]}", f"{first[0]} {surname}"})
            for form in forms:
                self.by_name.setdefault(form.strip(), set()).add(row.key)

    def find(self, name: str) -> list[str]:
        exact = self.by_username.get(name.strip().casefold())
        if exact is not None:
            return [exact]
        return sorted(self.by_name.get(fold(name), set()))


def paste_report(column: str, pasted: PastedColumn, bad_values: Sequence[str], *,
                 with_values: bool) -> tuple[str, bool]:
    """What a paste did, in a few lines, and whether anything needs the person's attention."""
    blank = [key for key, value in pasted.values.items() if not value] if with_values else []
    filled = len(pasted.values) - len(blank)
    lines = [f"{column}: {filled} rows filled from the paste" + (" (check them, then F2 to preview)" if filled else "")]
    for title, names in (("Not on the list", pasted.unknown), ("More than one student", pasted.ambiguous),
                         ("No value beside", blank)):
        if names:
            more = f" and {len(names) - 12} more" if len(names) > 12 else ""
            lines.append(f"{title}: " + ", ".join(names[:12]) + more)
    lines.extend(pasted.refused[:5])
    if bad_values:
        lines.append("Not a value: " + "; ".join(bad_values[:5]))
    return "\n".join(lines), bool(pasted.unknown or pasted.ambiguous or pasted.refused or blank or bad_values)

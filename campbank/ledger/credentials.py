"""Usernames and passwords for new accounts, and the credentials workbook handed to the camp office.

Pure helpers: no database. Usernames come from the surname and the first initial (Cyrillic is
transliterated), passwords from `secrets` over an alphabet without look-alike characters.
"""

from __future__ import annotations

import os
import re
import secrets
import string
import tempfile
import unicodedata
from collections.abc import Collection, Sequence
from pathlib import Path

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
USERNAME_MAX = 32
RESERVED_USERNAMES = frozenset({"bank"})
PASSWORD_MIN = 8

# No 0 O o 1 l I i: they are misread when a password is copied from paper.
_LOOKALIKES = set("0Oo1lIi")
PASSWORD_LETTERS = "".join(c for c in string.ascii_letters if c not in _LOOKALIKES)
PASSWORD_DIGITS = "".join(c for c in string.digits if c not in _LOOKALIKES)
PASSWORD_ALPHABET = PASSWORD_LETTERS + PASSWORD_DIGITS

# Russian (plus the Ukrainian and Belarusian extras) to Latin, in a readable, keyboard-friendly scheme.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}
_NOT_ALLOWED = re.compile(r"[^a-z0-9._-]+")


def transliterate(text: str) -> str:
    """Lower-case Latin spelling of `text`: Cyrillic by table, accents dropped (é -> e), rest kept."""
    out: list[str] = []
    for char in text.lower():
        if char in _CYRILLIC:
            out.append(_CYRILLIC[char])
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


def _slug(text: str) -> str:
    """Transliterate and keep only [a-z0-9._-]; spaces become '-', runs of separators collapse."""
    latin = transliterate(text.strip())
    latin = re.sub(r"\s+", "-", latin)
    latin = _NOT_ALLOWED.sub("", latin)
    latin = re.sub(r"([._-])[._-]+", r"\1", latin)
    return latin.strip("._-")


def username_base(last_name: str, first_name: str) -> str:
    """`Иванов`, `Пётр` -> `ivanov.p`; always a valid username (prefix `u` when it would not start
    with a letter, `user` when nothing usable is left)."""
    # The initial is the whole transliterated first letter: Ж -> zh, Щ -> shch.
    initial = _slug(first_name.strip()[:1]) or _slug(first_name)[:1]
    surname = _slug(last_name)
    if surname and initial:
        surname = surname[: USERNAME_MAX - len(initial) - 1].rstrip("._-")
        base = f"{surname}.{initial}"
    else:
        base = surname or initial or "user"
    if not base[0].isalpha():
        base = "u" + base
    if len(base) < 2:
        base += "u"
    return base[:USERNAME_MAX].rstrip("._-")


def generate_username(last_name: str, first_name: str, taken: Collection[str] = frozenset()) -> str:
    """A username for the person that is not in `taken`: `ivanov.p`, then `ivanov.p2`, `ivanov.p3`…

    `taken` is compared case-insensitively and is not changed; add the result to it yourself when
    generating a batch. Reserved names (`bank`) are never returned.
    """
    taken_lower = {name.lower() for name in taken} | RESERVED_USERNAMES
    base = username_base(last_name, first_name)
    if base not in taken_lower:
        return base
    number = 2
    while True:
        suffix = str(number)
        candidate = base[: USERNAME_MAX - len(suffix)].rstrip("._-") + suffix
        if candidate not in taken_lower:
            return candidate
        number += 1


def is_valid_username(username: str) -> bool:
    """True when `username` has the allowed shape and is not reserved."""
    return bool(USERNAME_RE.match(username)) and username not in RESERVED_USERNAMES


def generate_password(length: int = 10) -> str:
    """A random password of `length` (at least 8) from PASSWORD_ALPHABET, with a letter and a digit."""
    if length < PASSWORD_MIN:
        raise ValueError(f"password length must be at least {PASSWORD_MIN}, not {length}")
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if any(c in PASSWORD_DIGITS for c in password) and any(c in PASSWORD_LETTERS for c in password):
            return password


CREDENTIALS_HEADER = ("Name", "Squad", "Username", "Password")
_FORMULA_START = ("=", "+", "-", "@")


def write_credentials(path: Path, entries: Sequence[tuple[str, str, str, str]]) -> None:
    """Write (full name, squad, username, password) rows to an xlsx readable only by its owner (0600).

    The header is bold and frozen, the columns fitted. Every cell is stored as a plain string, so a
    name such as `=HYPERLINK(...)` is shown as text and never evaluated as a formula. The file is
    written next to `path` and moved into place, so a reader never sees half a workbook.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Credentials"
    bold = Font(bold=True)
    widths = [len(title) for title in CREDENTIALS_HEADER]
    for col, title in enumerate(CREDENTIALS_HEADER, start=1):
        sheet.cell(row=1, column=col, value=title).font = bold
    for row_index, entry in enumerate(entries, start=2):
        if len(entry) != 4:
            raise ValueError(f"credentials entry {row_index - 1} must have 4 fields, not {len(entry)}")
        for col, value in enumerate(entry, start=1):
            text = "" if value is None else str(value)
            if not text:
                continue
            cell = sheet.cell(row=row_index, column=col)
            cell.value = text
            # openpyxl marks text starting with '=' as a formula; force a plain (inline) string, and
            # set Excel's quote prefix so editing the cell in a spreadsheet keeps it text.
            cell.data_type = "s"
            if text.startswith(_FORMULA_START):
                cell.quotePrefix = True
            widths[col - 1] = max(widths[col - 1], len(text))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(ord("A") + col - 1)].width = min(width, 60) + 2
    sheet.freeze_panes = "A2"
    _save_private(workbook, path)


def _save_private(workbook, path: Path) -> None:
    """Save to a 0600 temporary file in the target's directory, then atomically replace `path`."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            workbook.save(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    os.chmod(path, 0o600)

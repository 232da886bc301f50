"""Usernames and passwords for new accounts.

Pure helpers: no database. Usernames come from the surname and the first initial (Cyrillic is
transliterated), passwords from `secrets` over an alphabet without look-alike characters.
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata
from collections.abc import Collection

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

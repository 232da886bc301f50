"""Text a person typed: what is refused at input, how stored text is shown, and how exports keep it inert.

Three rules, one module (docs/security.md):

- `clean_text` / `clean_name` / `check_secret` refuse control characters, terminal escape sequences,
  bidi overrides and lone surrogates at input, with an `InputError` naming the field and the reason.
  Names (people, usernames, files, seasons, labels) also refuse invisible characters such as a
  zero-width space or joiner, so two names that look the same are the same.
- `shown` turns text already stored (an old database may hold anything) into text that is safe to put
  on a terminal: each control character becomes one visible placeholder (ESC -> ␛), so an escape
  sequence can never reach the terminal, and the text keeps its length (styles stay where they were).
- `looks_like_formula` / `neutralise_formula`: the one formula guard of every export.
"""

from __future__ import annotations

import re
import unicodedata

from campbank.core.errors import InputError

# Explicit embeddings, overrides and isolates: they reorder what is shown (U+202E makes "gpj.exe" read
# "exe.jpg"). Right-to-left letters and the plain marks (U+200E, U+200F, U+061C) stay allowed in free text.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_C0_NAMES = ("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF", "CR", "SO", "SI",
             "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US")
# What a terminal may act on, or what reorders text: replaced by `shown`, refused by the input filter.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
REPLACEMENT = "\ufffd"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def describe_char(char: str) -> str:
    """`U+001B ESC`, `U+202E RIGHT-TO-LEFT OVERRIDE`: how a refusal names a character."""
    code = ord(char)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DEL"
    elif 0x80 <= code <= 0x9F:
        name = "C1 control"
    elif 0xD800 <= code <= 0xDFFF:
        name = "lone surrogate"
    else:
        name = unicodedata.name(char, "")
    return f"U+{code:04X} {name}".rstrip()


def _problem(text: str, *, multiline: bool, name: bool) -> str | None:
    """Why `text` cannot be stored, or None. Positions count from 1."""
    if text.isascii() and text.isprintable():
        return None  # most text: nothing below can refuse it

    def where(char: str, position: int) -> str:
        return f"{describe_char(char)} at character {position}"

    for position, char in enumerate(text, 1):
        code = ord(char)
        if char == "\n" or char == "\t":
            if not multiline:
                what = "a line break" if char == "\n" else "a tab"
                return f"is one line: it cannot contain {what} ({where(char, position)})"
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F:
            kind = "an escape character" if code == 0x1B else "a control character"
            return (f"contains {kind} ({where(char, position)}); control characters and escape sequences are not "
                    "allowed")
        if 0xD800 <= code <= 0xDFFF:
            return f"contains text that is not valid Unicode ({where(char, position)})"
        if char in BIDI_CONTROLS:
            return (f"contains a direction override ({where(char, position)}), which can disguise text; "
                    "right-to-left letters are fine, overrides are not")
        category = unicodedata.category(char)
        if category in ("Zl", "Zp"):
            return f"contains a line or paragraph separator ({where(char, position)})" + (
                "; use an ordinary line break" if multiline else "")
        if name and category == "Cf":
            return (f"contains an invisible character ({where(char, position)}); a name may hold only visible "
                    "characters")
    return None


def clean_text(value: object, *, field: str, max_length: int, multiline: bool = False, required: bool = False,
               strip: bool = True) -> str:
    """Free text typed by a person (a description, a comment, a reason, an announcement), checked.

    Refuses control characters and escape sequences (tab and line breaks only when `multiline`; a CRLF is
    read as a line break), direction overrides and lone surrogates; longer than `max_length` or empty
    when `required` is refused too. Returns the text (stripped unless `strip=False`)."""
    if not isinstance(value, str):
        raise InputError("must be text", field=field)
    text = value.replace("\r\n", "\n") if multiline else value
    return _checked(text.strip() if strip else text, field, max_length, required, multiline=multiline, name=False)


def clean_name(value: object, *, field: str, max_length: int, required: bool = True, strip: bool = True) -> str:
    """A name (a person's, a username, a file's, a season's, a label): one line of visible characters."""
    if not isinstance(value, str):
        raise InputError("must be text", field=field)
    return _checked(value.strip() if strip else value, field, max_length, required, multiline=False, name=True)


def _checked(text: str, field: str, max_length: int, required: bool, *, multiline: bool, name: bool) -> str:
    """`text` if it is there when required, not too long, and holds nothing `_problem` refuses."""
    if required and not text:
        raise InputError("is required", field=field)
    if len(text) > max_length:
        raise InputError(f"is {len(text):,} characters long; at most {max_length:,}", field=field)
    problem = _problem(text, multiline=multiline, name=name)
    if problem:
        raise InputError(problem, field=field)
    return text


def text_problem(text: str, *, multiline: bool = False, name: bool = False) -> str | None:
    """Why `text` would be refused by `clean_text` (or `clean_name` with `name=True`), or None."""
    return _problem(text, multiline=multiline, name=name)


def check_secret(value: object, *, field: str = "password") -> None:
    """A password: any visible characters and spaces; control characters are refused. The message never
    repeats the password or any character of it."""
    if not isinstance(value, str):
        raise InputError("must be text", field=field)
    for char in value:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or char in BIDI_CONTROLS:
            raise InputError("contains a control character; use letters, digits, spaces and punctuation",
                             field=field)


def shown(text: object, *, multiline: bool = False) -> str:
    """Stored text made safe for a terminal, one character for one: C0 controls become their pictures
    (ESC -> ␛, BEL -> ␇, a line break -> ␊ unless `multiline`), DEL -> ␡, and C1 controls, separators,
    direction overrides and lone surrogates -> U+FFFD. Text without them is returned as it is."""
    value = text if isinstance(text, str) else str(text)
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE
    if not pattern.search(value):
        return value
    return pattern.sub(_picture, value)


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return REPLACEMENT


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could run `text` as a formula: it starts with =, +, -, @, a tab or a CR,
    also after leading spaces. A plain number such as `-5` or `-5.00` is a number, not a formula."""
    if text[:1] in ("\t", "\r"):
        return True
    first = text.lstrip()[:1]
    return first in FORMULA_START and not _PLAIN_NUMBER.fullmatch(text.strip())


def neutralise_formula(text: str) -> str:
    """The CSV form of a cell: a leading apostrophe when a spreadsheet would run it as a formula."""
    return "'" + text if looks_like_formula(text) else text

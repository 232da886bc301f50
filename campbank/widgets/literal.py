"""The one way the UI and the command line show text a person typed: literally (docs/security.md).

Textual and rich read a plain string as markup: `thanks [/b]` raises a MarkupError that closes the app,
and `[link=…]` or `[bold red]` would change what is shown. Names, descriptions, comments, reasons,
announcements, file names, season names, usernames and error messages (which quote payload values) are
therefore always handed over as `rich.text.Text` built here, never as a string: a Text is never parsed.
Each character a terminal could act on (ESC, BEL, C1 controls, direction overrides) is replaced by a
visible placeholder first (`campbank.core.text.shown`), so text stored before the input filter existed
cannot retitle or clear a terminal either.

Only rich is imported, so the command line can use these without loading Textual.
"""

from __future__ import annotations

from typing import Any, Protocol

from rich.text import Text

from campbank.core.errors import AuthError, CampBankError
from campbank.core.text import shown

Part = str | Text | tuple[str, str]
"""A piece of `assemble`: plain text, a Text, or (text, style)."""


def literal(text: object, style: str = "", *, multiline: bool = False, justify: Any = None) -> Text:
    """`text` exactly as typed (never markup), with terminal controls made visible; `style` applies to all."""
    return Text(shown("" if text is None else text, multiline=multiline), style=style, justify=justify, end="")


def refusal(error: CampBankError, style: str = "") -> Text:
    """A refusal as a person reads it: `field: reason` (the reason may quote what was typed); a failed
    sign-in says only why, never which field."""
    return literal(error.message if isinstance(error, AuthError) else str(error), style, multiline=True)


def assemble(*parts: Part, multiline: bool = True) -> Text:
    """Styled pieces as one Text, none of them read as markup: `assemble(("Menu [/b]", "bold"), "\\n", body)`."""
    out = Text(end="")
    for part in parts:
        if isinstance(part, Text):
            out.append_text(safe(part, multiline=multiline))
        elif isinstance(part, tuple):
            out.append(shown(part[0], multiline=multiline), style=part[1])
        else:
            out.append(shown(part, multiline=multiline))
    return out


def safe(text: Text, *, multiline: bool = False) -> Text:
    """A Text with its terminal controls made visible; its styles stay where they were (one character is
    replaced by one)."""
    plain = text.plain
    cleaned = shown(plain, multiline=multiline)
    if cleaned is plain:
        return text
    copy = text.copy()
    copy.plain = cleaned
    return copy


def cell(value: object) -> object:
    """A table cell shown literally: text becomes a Text, a Text is made safe, anything else stays."""
    if isinstance(value, str):
        return literal(value)
    if isinstance(value, Text):
        return safe(value)
    return value


class Notifier(Protocol):
    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None: ...


def notify(target: Notifier, message: object, *, title: str = "", severity: Any = "information",
           timeout: float | None = None) -> None:
    """A toast whose message and title are shown literally (an app, a screen or a widget notifies)."""
    target.notify(shown(str(message), multiline=True), title=shown(title), severity=severity, timeout=timeout,
                  markup=False)

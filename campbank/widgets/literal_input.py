"""Input fields that never hand a pasted escape sequence to the terminal (docs/security.md).

A person can paste anything into a field, ESC and BEL included. The field keeps exactly what was pasted
(so the ledger can refuse it, naming the field), but draws each control character as its visible
placeholder (ESC as ␛), one for one, so the cursor stays where it belongs. Every Input and TextArea of
the UI is one of these.
"""

from __future__ import annotations

from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import Input, TextArea

from campbank.widgets.literal import safe


class ControlsShown(Highlighter):
    """Draws terminal controls as visible placeholders (a rich highlighter, as Input applies one)."""

    def highlight(self, text: Text) -> None:
        shown_text = safe(text)
        if shown_text is not text:
            text.plain = shown_text.plain


class LiteralInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("highlighter", ControlsShown())
        super().__init__(*args, **kwargs)


class LiteralTextArea(TextArea):
    def get_line(self, line_index: int) -> Text:
        return safe(super().get_line(line_index), multiline=True)

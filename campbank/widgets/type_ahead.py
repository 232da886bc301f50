"""A field that keeps up with keys typed faster than the screen moves focus.

A password manager or a login-card scanner sends "user<Tab>pass<Enter>" in one burst. Textual hands every
key of the burst to the field focused when it arrives, and moves focus for Tab only once the key has
bubbled up to the screen's bindings: by then the password is already inside the username. This field
moves focus itself for Tab and Enter, at once, and passes any key still queued for it afterwards on to
the field that now has focus, in the order typed.
"""

from __future__ import annotations

from textual import events

from campbank.widgets.literal_input import LiteralInput

MOVES_ON = frozenset({"tab", "enter"})


class TypeAheadInput(LiteralInput):
    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not None and focused is not self:
            event.prevent_default()
            event.stop()
            focused.post_message(events.Key(event.key, event.character))
            return
        if event.key in MOVES_ON:
            event.prevent_default()
            event.stop()
            self.screen.focus_next()

"""A field that keeps up with keys typed faster than the screen moves focus.

A password manager or a login-card scanner sends "user<Tab>pass<Enter>" (or "user<Enter>pass<Enter>") in
one burst, and Textual hands every key of it to the field focused when the key arrives. Tab is taken care
of by the app, which moves the focus as Tab arrives (a priority binding). Enter is this field's: it moves
the focus on at once, and the keys that were already queued for the field behind it (the password) are
passed on to the field that now has the focus, in the order typed.
"""

from __future__ import annotations

from textual import events

from campbank.widgets.literal_input import LiteralInput


class TypeAheadInput(LiteralInput):
    _moved_on = False
    """This field moved the focus on: keys still queued for it were typed after, for the next field."""

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if self._moved_on and focused is not None and focused is not self:
            event.prevent_default()
            event.stop()
            focused.post_message(events.Key(event.key, event.character))
            return
        if event.key == "enter":  # Tab never comes here: the app moves the focus for it
            event.prevent_default()
            event.stop()
            self._moved_on = True
            self.screen.focus_next()

    def on_focus(self) -> None:
        self._moved_on = False

"""The line of keys at the bottom of every screen: what the focused part of the screen offers.

It shows what Textual's `Footer` shows (each action once, a disabled one dimmed, the command palette on the
right) and a click on a key presses it. On a line too short for every key, the disabled ones are left
out, then the last ones, but the help's key stays (the help lists them all). It is drawn as one line of
text rather than a widget per key: `Footer` throws its keys away and mounts new ones after each focus move
or closed dialog, a layout pass of the whole screen (30-50 ms) each time, mostly for the very same keys.
This one is painted again only when the keys it shows change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

PALETTE_EDGE = "▏"
KEPT_IN_SIGHT = frozenset({"toggle_help"})
"""Actions whose key stays on a line too short for every key (the help lists the ones dropped)."""


@dataclass(frozen=True)
class ShownKey:
    key: str
    """The key pressed when it is clicked (the binding's first key)."""
    display: str
    description: str
    enabled: bool
    kept: bool = False
    """Shown even when the line is too short for every key (`KEPT_IN_SIGHT`)."""


class KeyFooter(Widget):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[tuple[ShownKey, ...], ShownKey | None] = ((), None)
        self._spans: list[tuple[int, int, ShownKey]] = []
        """Where each key was drawn: first and past-last cell, for clicks."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def keys_shown(self) -> list[ShownKey]:
        """The keys shown, left to right, the command palette's last."""
        keys, palette = self._shown
        return [*keys, *([palette] if palette else [])]

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        shown = self._keys(screen)
        if shown != self._shown:
            self._shown = shown
            self.refresh()

    def _keys(self, screen: Screen[Any]) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
        """What to show for `screen`'s bindings now: the first key of each action, as `Footer` does."""
        by_action: dict[str, ShownKey] = {}
        palette: ShownKey | None = None
        app = self.app
        for key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items():
            shown = ShownKey(key, app.get_key_display(binding), binding.description, enabled,
                             kept=binding.action in KEPT_IN_SIGHT)
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = shown
            elif binding.show and binding.action not in by_action:
                by_action[binding.action] = shown
        return tuple(by_action.values()), palette

    def render(self) -> Text:
        if not self._shown[0] and self._shown[1] is None:
            self._shown = self._keys(self.screen)
        keys, palette = self._shown
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        line = Text(no_wrap=True, overflow="crop")
        self._spans = []
        width = self.size.width
        right = Text(no_wrap=True)
        if palette is not None:
            right.append(PALETTE_EDGE, Style(dim=True))
            right.append(f"{palette.display} ", key_style)
            right.append(f"{palette.description} ", description_style)
        room = width - right.cell_len
        labels = []
        for shown in keys:
            label = Text.assemble((f" {shown.display} ", key_style), (f"{shown.description} ", description_style))
            if not shown.enabled:
                label.stylize(Style(dim=True))
            labels.append((shown, label))
        if sum(label.cell_len for _shown, label in labels) > room:  # a disabled key goes first: it does nothing now
            labels = [(shown, label) for shown, label in labels if shown.enabled or shown.kept]
        still_kept = sum(label.cell_len for shown, label in labels if shown.kept)  # room the kept keys need
        dropping = False
        for shown, label in labels:
            if shown.kept:
                still_kept -= label.cell_len
            elif dropping or line.cell_len + label.cell_len + still_kept > room:
                dropping = True  # the keys come in order of use: once one is left out, so are the rest
                continue
            if line.cell_len + label.cell_len > room:
                break
            self._spans.append((line.cell_len, line.cell_len + label.cell_len, shown))
            line.append_text(label)
        if palette is not None:
            line.append(" " * max(0, room - line.cell_len))
            self._spans.append((line.cell_len + len(PALETTE_EDGE), width, palette))
            line.append_text(right)
        return line

    def on_click(self, event: events.Click) -> None:
        event.stop()
        for start, end, shown in self._spans:
            if start <= event.x < end:
                if shown.enabled:
                    self.app.simulate_key(shown.key)
                else:
                    self.app.bell()
                return

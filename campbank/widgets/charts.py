"""Charts drawn with block characters, sized to the widget: horizontal bars and a column chart.

`BarRows` draws one labelled bar per row (a histogram of balances); `ColumnChart` draws values over
time left to right from a zero baseline (the money supply), with its top and bottom values and the
first and last labels on the axes. Both take plain numbers and labels; neither knows about money.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from campbank.widgets.literal import safe

EIGHTHS_ACROSS = " ▏▎▍▌▋▊▉█"
EIGHTHS_UP = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # the value as shown at the end of the bar
    style: str = ""


def across(value: int, largest: int, width: int) -> str:
    """A bar of `width` cells at most, in eighths of a cell, for value/largest (both non-negative)."""
    if largest <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = max(1, round(value * width * 8 / largest))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS_ACROSS[part] if part else "")


class BarRows(Widget):
    """One row per bar: the label, the bar, the value."""

    DEFAULT_CSS = """
    BarRows { height: auto; width: 1fr; }
    """
    bars: reactive[tuple[Bar, ...]] = reactive((), layout=True)
    """The bars, top to bottom."""

    def render(self) -> RenderableType:
        bars = self.bars
        if not bars:
            return Text("(nothing to show)", style="dim")
        label_width = max(len(b.label) for b in bars)
        text_width = max(len(b.text) for b in bars)
        room = max(4, self.size.width - label_width - text_width - 4)
        largest = max(b.value for b in bars)
        out = Text()
        for i, b in enumerate(bars):
            bar = across(b.value, largest, room)
            out.append(b.label.rjust(label_width) + " │", style="dim")
            out.append(bar, style=b.style or "cyan")
            out.append(" " * (room - len(bar) + 1) + b.text.rjust(text_width))
            if i < len(bars) - 1:
                out.append("\n")
        return safe(out, multiline=True)  # labels may be names (squads)

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.bars))


class ColumnChart(Widget):
    """Values left to right as columns from zero (or from the lowest value, if it is negative)."""

    DEFAULT_CSS = """
    ColumnChart { height: 10; width: 1fr; }
    """
    values: reactive[tuple[int, ...]] = reactive(())
    """The values, oldest first."""
    x_labels: reactive[tuple[str, ...]] = reactive(())
    """One label per value; the first and last shown are written under the chart."""

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 value_format: Callable[[int], str] = str) -> None:
        super().__init__(id=id, classes=classes)
        self.value_format = value_format
        """How a value is written on the y axis."""

    def set_data(self, values: Sequence[int], x_labels: Sequence[str]) -> None:
        self.x_labels = tuple(x_labels)
        self.values = tuple(values)

    def render(self) -> RenderableType:
        values, labels = self.values, self.x_labels
        if not values:
            return Text("(nothing to show)", style="dim")
        low, high = min(0, min(values)), max(0, max(values))
        top_label, bottom_label = self.value_format(high), self.value_format(low)
        axis = max(len(top_label), len(bottom_label))
        room = max(1, self.size.width - axis - 2)
        if len(values) > room:  # too many to draw: the newest that fit
            values, labels = values[-room:], labels[-room:]
        first, last = (labels[0], labels[-1]) if labels else ("", "")
        rows = max(2, self.size.height - 1)
        column = max(1, min(8, room // len(values)))
        gap = 1 if column >= 3 else 0
        extent = (high - low) or 1
        heights = [round((v - low) * rows * 8 / extent) for v in values]
        out = Text()
        for r in reversed(range(rows)):
            label = top_label if r == rows - 1 else bottom_label if r == 0 else ""
            out.append(label.rjust(axis) + " ┤" if label else " " * axis + " │", style="dim")
            for h, v in zip(heights, values, strict=False):
                filled = h - r * 8
                cell = "█" if filled >= 8 else EIGHTHS_UP[filled] if filled > 0 else " "
                out.append(cell * (column - gap), style="red" if v < 0 else "green")
                out.append(" " * gap)
            out.append("\n")
        width = len(values) * column
        out.append(" " * (axis + 2) + first + " " * max(1, width - len(first) - len(last)) + last, style="dim")
        return safe(out, multiline=True)

"""A table that shows one page of a long list and paints only the lines on screen.

Textual's DataTable renders every visible cell through Rich on each change, about 0.1 ms a cell: 25-30 ms
for a full screen, every time a page, a sort or a filter arrives. `PageTable` builds each row's line once
(one Rich render per row, when the page arrives) and paints lines with the line API, so a new page is on
screen in a few milliseconds however the camp grows.

It has the keys of the other tables (`VimTable`): arrows and j/k, g/G, page up/down, Enter opens the row.
Moving past the last row (or above the first) posts `Edge`, so the owner can fetch the next page. A click
on a header posts `HeaderSelected` (to sort); a click on a row moves the cursor there, a click on the row
under the cursor opens it. A column without a width takes the room left; left and right scroll a table
wider than its window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from campbank.widgets.literal import literal, safe

GAP = 2  # spaces between columns (one padding cell on each side)
MIN_FLEX = 20


@dataclass(frozen=True)
class PageColumn:
    key: str
    title: str
    width: int | None = None  # None: the room left (at least MIN_FLEX)
    right: bool = False  # justified right (numbers)


Cell = Text | str


class PageTable(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False, id="table-up"),
        Binding("down,j", "move(1)", "Down", show=False, id="table-down"),
        Binding("pageup", "move_screen(-1)", "Page up", show=False),
        Binding("pagedown", "move_screen(1)", "Page down", show=False),
        Binding("home,g", "first", "Top", show=False, id="table-top"),
        Binding("end,G", "last", "Bottom", show=False, id="table-bottom"),
        Binding("enter", "select", "Open", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
    ]
    COMPONENT_CLASSES = {"page-table--header", "page-table--cursor", "page-table--even-row"}
    DEFAULT_CSS = """
    PageTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow: scroll scroll;  /* always there: new rows or widths never change the layout (`_resize`) */
        &:focus {
            background-tint: $foreground 5%;
            & > .page-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .page-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .page-table--even-row { background: $surface-lighten-1 50%; }
        &:dark > .page-table--even-row { background: $surface-darken-1 40%; }
        & > .page-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)  # see the watcher

    class Edge(Message):
        """The cursor tried to leave the rows: `step` is +1 (past the last) or -1 (above the first)."""

        def __init__(self, table: PageTable, step: int) -> None:
            super().__init__()
            self.table = table
            self.step = step

        @property
        def control(self) -> PageTable:
            return self.table

    class RowSelected(Message):
        """Enter (or a click) on a row: `key` is the row's key."""

        def __init__(self, table: PageTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> PageTable:
            return self.table

    class HeaderSelected(Message):
        """A click on a column's title."""

        def __init__(self, table: PageTable, column_key: str) -> None:
            super().__init__()
            self.table = table
            self.column_key = column_key

        @property
        def control(self) -> PageTable:
            return self.table

    def __init__(self, columns: Sequence[PageColumn], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self._keys: list[str] = []
        self._rows: list[Sequence[Cell]] = []
        self._marks: dict[str, str] = {}
        self._lines: dict[int, Strip] = {}  # row index -> its line, unstyled, at the current widths
        self._widths: list[int] = []
        self._paint_key: tuple[bool, str] | None = None
        self._paint: tuple[Style, Style, Style, Style]

    # -- what the owner calls ---------------------------------------------------------------------

    def show_rows(self, rows: Sequence[tuple[str, Sequence[Cell]]], cursor: int = 0) -> None:
        """Replace the rows (key, cells) and put the cursor on row `cursor` (-1: the last)."""
        self._keys = [key for key, _ in rows]
        self._rows = [cells for _, cells in rows]
        self._lines.clear()
        self._resize()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.move_cursor(len(self._rows) - 1 if cursor < 0 else cursor)
        self.refresh()

    def mark_column(self, key: str | None, mark: str) -> None:
        """Show `mark` (an arrow) after one column's title, and none after the others."""
        self._marks = {key: mark} if key else {}
        self.refresh()

    def move_cursor(self, row: int) -> None:
        self.cursor_row = max(0, min(row, len(self._rows) - 1))

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def row_keys(self) -> list[str]:
        return list(self._keys)

    def column_text(self, key: str) -> list[str]:
        """The plain text of one column, row by row."""
        index = [c.key for c in self.columns].index(key)
        return [str(cells[index]) for cells in self._rows]

    def column_x(self, key: str) -> int:
        """Where a column starts, in cells from the table's left edge."""
        index = [c.key for c in self.columns].index(key)
        return sum(width + GAP for width in self._column_widths()[:index])

    # -- keys and mouse ---------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        target = self.cursor_row + step
        if self._rows and not 0 <= target < len(self._rows):
            self.post_message(self.Edge(self, 1 if step > 0 else -1))
            return
        self.move_cursor(target)

    def action_move_screen(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step * max(1, self._visible_rows() - 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def action_select(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self._keys[self.cursor_row]))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        if event.y == 0:
            x = event.x + int(self.scroll_x)
            for column in self.columns:
                start = self.column_x(column.key)
                if start <= x < start + self._column_widths()[self.columns.index(column)] + GAP:
                    self.post_message(self.HeaderSelected(self, column.key))
                    return
            return
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < len(self._rows):
            if row == self.cursor_row:
                self.action_select()
            else:
                self.move_cursor(row)

    def watch_cursor_row(self, old: int, new: int) -> None:
        top, visible = int(self.scroll_y), self._visible_rows()
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False, immediate=True)
        else:  # nothing scrolled: only the two rows the cursor left and reached are painted again
            for row in {old, new}:
                self.refresh_line(row + 1)  # row r is line r + 1 of the table, under its title
            return
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._lines.clear()
        self._resize()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- painting ---------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x = int(self.scroll_x)
        plain, header_style, cursor, even = self._paints()
        if y == 0:
            titles = [literal(c.title + self._marks.get(c.key, "")) for c in self.columns]
            header = self._line(titles).apply_style(header_style)
            return header.crop_extend(scroll_x, scroll_x + width, plain)
        row = int(self.scroll_y) + y - 1
        if row >= len(self._rows):
            return Strip.blank(width, plain)
        strip = self._lines.get(row)
        if strip is None:
            strip = self._lines[row] = self._line(self._rows[row])
        style = cursor if row == self.cursor_row else even if row % 2 else plain
        return strip.apply_style(style).crop_extend(scroll_x, scroll_x + width, style)

    def _paints(self) -> tuple[Style, Style, Style, Style]:
        """The table's own style, its header's, the cursor's and an even row's: worked out from the CSS once
        for each focus state and theme rather than for every line painted."""
        key = (self.has_focus, self.app.theme)
        if self._paint_key != key:
            plain = self.rich_style
            self._paint = (plain, self.get_component_rich_style("page-table--header"),
                           self.get_component_rich_style("page-table--cursor"),
                           plain + self.get_component_rich_style("page-table--even-row"))
            self._paint_key = key
        return self._paint

    def _line(self, cells: Sequence[Cell]) -> Strip:
        """One row as a line: each cell clipped or padded to its column, GAP cells apart."""
        segments: list[Segment] = []
        console = self.app.console
        for column, width, cell in zip(self.columns, self._column_widths(), cells, strict=False):
            # Shown literally, with terminal controls made visible (docs/security.md).
            text = safe(cell).copy() if isinstance(cell, Text) else literal(str(cell))
            text.no_wrap = True
            text.truncate(width, overflow="ellipsis")
            pad = Segment(" " * (width - text.cell_len))
            body = list(text.render(console))
            segments.append(Segment(" "))
            segments.extend([pad, *body] if column.right else [*body, pad])
            segments.append(Segment(" "))
        return Strip(segments, self._line_width())

    def _column_widths(self) -> list[int]:
        if not self._widths:
            fixed = sum((c.width or 0) + GAP for c in self.columns) + sum(GAP for c in self.columns if not c.width)
            room = max(MIN_FLEX, self.size.width - fixed)
            # a title and its sort arrow always fit
            self._widths = [max(c.width or room, len(c.title) + 2) for c in self.columns]
        return self._widths

    def _line_width(self) -> int:
        """A row's width: every column with its gap."""
        return sum(width + GAP for width in self._column_widths())

    def _resize(self) -> None:
        self._widths = []
        size = Size(self._line_width(), len(self._rows) + 1)
        if self.size.width:
            # Both scrollbars are always shown, so new rows or column widths move nothing around the table.
            # Updating the scrollbars in place spares the screen a layout pass (a frame of its own, and most
            # of the time a new page takes to show).
            self.set_reactive(PageTable.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
        else:
            self.virtual_size = size

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        # Each layout hands a scroll view its window as its virtual size, which never equals the rows' (kept
        # by `_resize`): ScrollView then updates the scrollbars again, after the frame has taken what to
        # draw, and they cost a frame of their own. Only the table's own size or its container's count here.
        return super()._size_updated(size, self.virtual_size, container_size, layout)

    def _visible_rows(self) -> int:
        return max(1, self.size.height - 1)


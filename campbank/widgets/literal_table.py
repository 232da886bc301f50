"""A DataTable that shows every cell and column title literally (docs/security.md).

DataTable reads a string cell as markup, so a name or a comment such as `thanks [/b]` would close the app.
Every table of the UI is a `LiteralTable` (or a `VimTable`, which is one): a string becomes a
`rich.text.Text` on its way in and a Text has its terminal controls made visible, in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from campbank.widgets.literal import cell, literal, safe


class LiteralTable(DataTable[Any]):
    _place: tuple[Any, int, int, float, float] | None = None

    def keep_place(self) -> None:
        """Keep the cursor (on the same row, by key) and the scroll position when the table is next
        cleared and filled again (a reload after a change made elsewhere)."""
        self._keep_next_clear = True

    def clear(self, columns: bool = False) -> Any:
        if getattr(self, "_keep_next_clear", False) and not columns:
            self._keep_next_clear = False
            key = None
            if self.row_count:
                key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
            row, column = self.cursor_coordinate
            if self._place is None:  # a second fill before the first was drawn keeps the first place
                self._place = (key, row, column, self.scroll_x, self.scroll_y)
                self.call_after_refresh(self._back_in_place)
        return super().clear(columns)

    def forget_place(self) -> None:
        """Drop the place kept for this fill: the caller puts the cursor somewhere on purpose."""
        self._keep_next_clear = False
        self._place = None

    def _back_in_place(self) -> None:
        place, self._place = self._place, None
        if place is None or not self.row_count:
            return
        key, row, column, scroll_x, scroll_y = place
        if key is not None and key in self.rows:
            row = self.get_row_index(key)
        self.move_cursor(row=min(row, self.row_count - 1), column=column, scroll=False)
        self.scroll_to(scroll_x, scroll_y, animate=False, immediate=True)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Textual's, then forget the lines drawn before the new rows were measured. DataTable measures new
        rows when it is next idle, and keys the lines it has drawn by a counter that measuring does not
        move: a frame drawn between a fill and that moment (a section shown as its data arrives) would keep
        its cells cut to the widths of the column titles."""
        super()._update_dimensions(new_rows)
        self._clear_caches()
        self.refresh()

    def add_row(self, *cells: Any, height: int | None = 1, key: str | None = None,
                label: Any = None) -> RowKey:
        shown_label = None if label is None else safe(label) if isinstance(label, Text) else literal(label)
        return super().add_row(*(cell(value) for value in cells), height=height, key=key, label=shown_label)

    def add_column(self, label: Any, *, width: int | None = None, key: str | None = None,
                   default: Any = None) -> ColumnKey:
        title = safe(label) if isinstance(label, Text) else literal(label)
        return super().add_column(title, width=width, key=key, default=None if default is None else cell(default))

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: Any, *,
                    update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, cell(value), update_width=update_width)

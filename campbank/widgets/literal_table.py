"""A DataTable that shows every cell and column title literally (docs/security.md).

DataTable reads a string cell as markup, so a name or a comment such as `thanks [/b]` would close the app.
Every table of the UI is a `LiteralTable` (or a `VimTable`, which is one): a string becomes a
`rich.text.Text` on its way in and a Text has its terminal controls made visible, in one place.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from campbank.widgets.literal import cell, literal, safe


class LiteralTable(DataTable[Any]):
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

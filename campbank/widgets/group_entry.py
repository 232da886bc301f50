"""The group-entry table: one row per student (squad, then surname), a value typed per row, fast.

Type a number and press Enter (or ↓) to go to the next row; space ticks a tick column and moves on;
Backspace edits, Delete clears; ←/→ change column; letters jump to the student whose surname (or
username) starts with them; Ctrl+D gives the current row's value to the blank rows of its squad. The
first key typed in a cell replaces its value, the next ones add to it, as in a spreadsheet.

The same table serves any list of keyed rows — the seminar's marks are one row per criterion.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from time import monotonic

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.events import Key
from textual.message import Message
from textual.widgets import DataTable

from campbank.core.errors import InputError
from campbank.core.money import format_amount, parse_amount
from campbank.widgets.literal import literal
from campbank.widgets.literal_table import LiteralTable

KINDS = ("amount", "tick", "number", "integer", "place")
MOVES = {"enter": (1, 0), "down": (1, 0), "up": (-1, 0), "left": (0, -1), "right": (0, 1)}
TYPED = {"amount": "0123456789.", "number": "0123456789", "integer": "-0123456789", "place": "1234"}
JUMP_SECONDS = 1.2


@dataclass(frozen=True)
class EntryRow:
    key: str  # the payload key: a username, a criterion
    group: str  # shown on the first row of each group (the squad)
    label: str  # the full name
    note: str = ""  # the username, or the allowed values
    allowed: tuple[int, ...] = ()  # for "integer" columns: the values accepted (empty: any)


@dataclass(frozen=True)
class EntryColumn:
    name: str  # the payload field
    kind: str  # one of KINDS
    label: str


Value = str | bool


class GroupEntry(LiteralTable):
    """A DataTable whose value columns are typed into from the keyboard."""

    BINDINGS = [
        Binding("enter", "next_row", "Next row", id="group-next", show=False),
        Binding("delete", "clear_cell", "Clear", id="group-clear", show=False),
        Binding("ctrl+d", "fill_group", "Fill squad's blanks", id="group-fill"),
    ]
    DEFAULT_CSS = """
    GroupEntry { height: 1fr; min-height: 6; }
    GroupEntry > .datatable--cursor { text-style: bold reverse; }
    """

    class Changed(Message):
        """A value changed (or several, after a fill)."""

        def __init__(self, entry: GroupEntry, column: str) -> None:
            super().__init__()
            self.entry = entry
            self.column = column

        @property
        def control(self) -> GroupEntry:
            return self.entry

    def __init__(self, rows: Sequence[EntryRow], columns: Sequence[EntryColumn], *, id: str | None = None,
                 label_header: str = "Name", note_label: str = "Username", show_note: bool = True) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=False)
        self.rows_spec = list(rows)
        self.columns_spec = list(columns)
        self.note_label = note_label
        self.label_header = label_header
        self.show_group = any(row.group for row in self.rows_spec)
        self.show_note = show_note
        self.fixed = 1 + self.show_group + self.show_note
        """How many read-only columns come before the value columns."""
        self.values_by_column: dict[str, dict[str, Value]] = {c.name: {} for c in columns}
        self._fresh = True
        self._moved_to: Coordinate | None = None
        self._jump = ""
        self._jump_at = 0.0

    def on_mount(self) -> None:
        if self.show_group:
            self.add_column("Squad", key="group")
        self.add_column(self.label_header, key="label")
        if self.show_note:
            self.add_column(self.note_label, key="note")
        for column in self.columns_spec:
            self.add_column(column.label, key=column.name, width=max(6, len(column.label)))
        previous = None
        for row in self.rows_spec:
            fixed = [Text(row.label)]
            if self.show_group:
                fixed.insert(0, Text(row.group if row.group != previous else "", style="bold"))
            if self.show_note:
                fixed.append(Text(row.note, style="dim"))
            previous = row.group
            self.add_row(*fixed, *(self._cell_text(c, row) for c in self.columns_spec), key=row.key)
        if self.columns_spec:
            self._go(Coordinate(0, self.fixed))

    # -- values ---------------------------------------------------------------------------------

    def values(self, column: str) -> dict[str, Value]:
        """{row key: value} of one column, rows in table order, blanks and unticked left out."""
        held = self.values_by_column[column]
        return {row.key: held[row.key] for row in self.rows_spec if held.get(row.key) not in (None, "", False)}

    def set_values(self, column: str, values: Mapping[str, object] | Iterable[str]) -> None:
        """Fill a column: a {key: value} map, or for a tick column the keys to tick. Unknown keys are kept
        out of the table (the caller reports them)."""
        spec = self._column(column)
        known = {row.key for row in self.rows_spec}
        held = self.values_by_column[column]
        held.clear()
        if isinstance(values, Mapping):
            items = {str(k): v for k, v in values.items()}
        else:
            items = {str(k): True for k in values}
        for key, value in items.items():
            if key in known:
                held[key] = bool(value) if spec.kind == "tick" else str(value)
        if self.is_mounted and self.row_count:
            for row in self.rows_spec:
                self._refresh_cell(row, spec)
        self.post_message(self.Changed(self, column))

    def problems(self) -> list[str]:
        """Cells whose text is not a value of their column's kind."""
        found = []
        for spec in self.columns_spec:
            for row in self.rows_spec:
                value = self.values_by_column[spec.name].get(row.key)
                if isinstance(value, str) and value and not self._valid(spec, row, value):
                    found.append(f"{spec.label} for {row.label}: {value!r}")
        return found

    def total(self, column: str) -> int:
        """The sum of an amount column's valid cells, in cents."""
        cents = 0
        for value in self.values(column).values():
            with contextlib.suppress(InputError):
                cents += parse_amount(value, limit=None)
        return cents

    # -- keys -----------------------------------------------------------------------------------

    def on_key(self, event: Key) -> None:
        """Every key that edits or moves is handled here, at once: bindings run later, and keys typed
        fast (or pasted) must land in the row the cursor is on when each one arrives."""
        spec, row = self._current()
        if spec is None or row is None:
            return
        char = event.character or ""
        if event.key in MOVES:
            event.stop()
            event.prevent_default()
            rows, columns = MOVES[event.key]
            self._move(rows, columns)
        elif event.key == "delete":
            event.stop()
            event.prevent_default()
            self.action_clear_cell()
        elif event.key == "space":
            event.stop()
            event.prevent_default()
            if spec.kind == "tick":
                held = self.values_by_column[spec.name]
                held[row.key] = not held.get(row.key, False)
                self._changed(row, spec)
            self.action_next_row()
        elif event.key == "backspace":
            event.stop()
            event.prevent_default()
            held = self.values_by_column[spec.name]
            value = held.get(row.key)
            if isinstance(value, str) and value:
                held[row.key] = value[:-1]
            elif value is True:
                held[row.key] = False
            self._fresh = False
            self._changed(row, spec)
        elif spec.kind in TYPED and len(char) == 1 and char in TYPED[spec.kind]:
            event.stop()
            event.prevent_default()
            held = self.values_by_column[spec.name]
            old = held.get(row.key)
            held[row.key] = char if self._fresh or not isinstance(old, str) else old + char
            self._fresh = False
            self._changed(row, spec)
        elif len(char) == 1 and char.isalpha():
            event.stop()
            event.prevent_default()
            self._jump_to(char)

    def action_next_row(self) -> None:
        self._move(1, 0)

    def _move(self, rows: int, columns: int) -> None:
        """Move the cursor now (not when the highlight message arrives) and start a fresh cell."""
        row = min(max(self.cursor_row + rows, 0), self.row_count - 1)
        column = min(max(self.cursor_column + columns, self.fixed), self.fixed + len(self.columns_spec) - 1)
        self._go(Coordinate(row, column))

    def _go(self, where: Coordinate) -> None:
        self._moved_to = where
        self.cursor_coordinate = where
        self._fresh = True

    def action_clear_cell(self) -> None:
        spec, row = self._current()
        if spec is not None and row is not None:
            self.values_by_column[spec.name].pop(row.key, None)
            self._changed(row, spec)

    def action_fill_group(self) -> None:
        """Give the current row's value to every blank row of its group (typed values stay)."""
        spec, row = self._current()
        if spec is None or row is None:
            return
        held = self.values_by_column[spec.name]
        value = held.get(row.key)
        if value in (None, "", False):
            return
        for other in self.rows_spec:
            if other.group == row.group and held.get(other.key) in (None, "", False):
                held[other.key] = value
                self._refresh_cell(other, spec)
        self.post_message(self.Changed(self, spec.name))

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if event.coordinate.column < self.fixed and self.columns_spec:
            self._go(Coordinate(event.coordinate.row, self.fixed))
        elif event.coordinate != self._moved_to:  # moved by the mouse or a page key, not by typing
            self._moved_to = event.coordinate
            self._fresh = True

    def _jump_to(self, char: str) -> None:
        now = monotonic()
        self._jump = (self._jump if now - self._jump_at < JUMP_SECONDS else "") + char.casefold()
        self._jump_at = now
        self.border_subtitle = literal(f"jump: {self._jump}")
        starts = [i for i, r in enumerate(self.rows_spec)
                  if r.label.casefold().startswith(self._jump) or r.key.casefold().startswith(self._jump)]
        contains = [i for i, r in enumerate(self.rows_spec) if self._jump in r.label.casefold()]
        matches = starts or contains
        if matches:
            self._go(Coordinate(matches[0], self.cursor_column))
        else:
            self.border_subtitle = literal(f"jump: {self._jump} (no match)")

    # -- drawing --------------------------------------------------------------------------------

    def _current(self) -> tuple[EntryColumn | None, EntryRow | None]:
        if not self.row_count or not self.columns_spec:
            return None, None
        column = self.cursor_column - self.fixed
        if not 0 <= column < len(self.columns_spec):
            return None, None
        return self.columns_spec[column], self.rows_spec[self.cursor_row]

    def _column(self, name: str) -> EntryColumn:
        for spec in self.columns_spec:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def _changed(self, row: EntryRow, spec: EntryColumn) -> None:
        self._refresh_cell(row, spec)
        self.post_message(self.Changed(self, spec.name))

    def _refresh_cell(self, row: EntryRow, spec: EntryColumn) -> None:
        self.update_cell(row.key, spec.name, self._cell_text(spec, row))

    def _cell_text(self, spec: EntryColumn, row: EntryRow) -> Text:
        value = self.values_by_column[spec.name].get(row.key)
        if spec.kind == "tick":
            return Text("✔", style="bold green") if value else Text("·", style="dim")
        if not value:
            return Text("·", style="dim")
        assert isinstance(value, str)
        if not self._valid(spec, row, value):
            return Text(f"{value}!", style="bold red")
        if spec.kind == "amount":
            return Text(format_amount(parse_amount(value, limit=None), sign=""), style="bold", justify="right")
        return Text(value, style="bold", justify="right")

    @staticmethod
    def _valid(spec: EntryColumn, row: EntryRow, value: str) -> bool:
        if spec.kind == "amount":
            try:
                parse_amount(value, limit=None)
            except InputError:
                return False
            return True
        try:
            number = int(value)
        except ValueError:
            return False
        if spec.kind == "place":
            return 1 <= number <= 4
        if spec.kind == "number":
            return number >= 0
        return not row.allowed or number in row.allowed

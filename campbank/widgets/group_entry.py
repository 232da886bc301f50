"""The group-entry table: one row per student (squad, then surname), a value typed per row, fast.

Type a number and press Enter (or ↓) to go to the next row; space ticks a tick column and moves on;
Backspace edits, Delete clears; ←/→ change column; Home/End go to the first/last row; letters jump to
the student whose surname (or username) starts with them; Ctrl+D gives the current row's value to the
blank rows of its squad; Ctrl+A ticks (or unticks) every row shown; Ctrl+F shows one squad after the
other, then everyone. The first key typed in a cell replaces its value, the next ones add to it, as in a
spreadsheet. A key that cannot be part of the cell's value (a minus in an amount, a letter in the middle
of a number) is refused with a message naming the cell, never dropped silently. A pasted column of names
with values fills the matching rows (widgets/pasted_column.py). Tick columns of one row exclude each
other: a lecture's attendee is not also an absentee.

The same table serves any list of keyed rows — the seminar's marks are one row per criterion.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from time import monotonic

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.events import Key, Paste
from textual.message import Message
from textual.widgets import DataTable

from campbank.core.errors import InputError
from campbank.core.money import parse_amount
from campbank.widgets.entry_cells import (
    KINDS,
    TYPED,
    EntryColumn,
    EntryRow,
    Value,
    cell_text,
    letters,
    refusal,
    valid,
)
from campbank.widgets.literal import literal, notify
from campbank.widgets.literal_table import LiteralTable
from campbank.widgets.pasted_column import Candidate, PastedColumn, paste_report, read_pasted

__all__ = ["KINDS", "EntryColumn", "EntryRow", "GroupEntry", "letters"]

MOVES = {"enter": (1, 0), "down": (1, 0), "up": (-1, 0), "left": (0, -1), "right": (0, 1)}
EDGES = {"home": 0, "end": -1, "ctrl+home": 0, "ctrl+end": -1}
JUMP_SECONDS = 1.2


class GroupEntry(LiteralTable):
    """A DataTable whose value columns are typed into from the keyboard."""

    BINDINGS = [
        Binding("enter", "next_row", "Next row", id="group-next", show=False),
        Binding("delete", "clear_cell", "Clear", id="group-clear", show=False),
        Binding("ctrl+d", "fill_group", "Fill squad's blanks", id="group-fill"),
        Binding("ctrl+a", "tick_all", "Tick all shown", id="group-tick-all"),
        Binding("ctrl+f", "next_group", "Next squad", id="group-next-squad"),
        # Handled in `on_key`; bound here so that the help panel lists them.
        Binding("space", "help_only('space')", "Tick and go down", id="group-space", show=False),
        Binding("a", "help_only('jump')", "Letters: jump to a name", id="group-jump", key_display="a–z",
                show=False),
        Binding("home", "help_only('home')", "First row", id="group-home", show=False),
        Binding("end", "help_only('end')", "Last row", id="group-end", show=False),
    ]
    DEFAULT_CSS = """
    GroupEntry { height: 1fr; min-height: 6; }
    GroupEntry > .datatable--cursor { text-style: bold reverse; }
    GroupEntry.one-group { border-top: hkey $accent; border-title-color: $accent; }
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
        self.shown_rows: list[EntryRow] = list(self.rows_spec)
        """The rows on screen, in order: all of them, or one group's (Ctrl+F)."""
        self.group_shown: str | None = None
        """The group the table is narrowed to, or None for every row."""
        self.marked: dict[str, str] = {}
        """Rows to point out (a clash): {row key: why}; their names are drawn in red."""
        self._fresh = True
        self._moved_to: Coordinate | None = None
        self._jump = ""
        self._jump_at = 0.0
        self._shown_keys: set[str] = set()

    def on_mount(self) -> None:
        if self.show_group:
            self.add_column("Squad", key="group")
        self.add_column(self.label_header, key="label")
        if self.show_note:
            self.add_column(self.note_label, key="note")
        for column in self.columns_spec:
            self.add_column(column.label, key=column.name, width=max(6, len(column.label)))
        self._fill_rows()
        if self.columns_spec:
            self._go(Coordinate(0, self.fixed))

    def _fill_rows(self) -> None:
        previous = None
        for row in self.shown_rows:
            label = Text(row.label, style="bold red" if row.key in self.marked else "")
            fixed = [label]
            if self.show_group:
                fixed.insert(0, Text(row.group if row.group != previous else "", style="bold"))
            if self.show_note:
                fixed.append(Text(row.note, style="dim"))
            previous = row.group
            self.add_row(*fixed, *(self._cell_text(c, row) for c in self.columns_spec), key=row.key)
        self._shown_keys = {row.key for row in self.shown_rows}

    def _redraw_rows(self, keep: str | None = None) -> None:
        """Draw `shown_rows` again (a filter or marks changed), keeping the cursor on row `keep` if shown."""
        column = self.cursor_column
        self.clear()
        self._fill_rows()
        keys = [row.key for row in self.shown_rows]
        row = keys.index(keep) if keep in keys else 0
        if self.row_count:
            self._go(Coordinate(row, max(column, self.fixed)))

    # -- what is shown --------------------------------------------------------------------------

    def groups(self) -> list[str]:
        """The groups (squads), in table order."""
        return list(dict.fromkeys(row.group for row in self.rows_spec if row.group))

    def show_only(self, group: str | None) -> None:
        """Show one group's rows (None: all of them); values typed in hidden rows stay."""
        _spec, current = self._current()
        self.group_shown = group
        self.shown_rows = [row for row in self.rows_spec if group is None or row.group == group]
        self.border_title = literal(f"{group} only (Ctrl+F: next)") if group is not None else None
        self.set_class(group is not None, "one-group")  # the border that carries the title
        if self.is_mounted:
            self._redraw_rows(current.key if current is not None else None)

    def action_next_group(self) -> None:
        groups = self.groups()
        if not groups:
            return
        if self.group_shown is None:
            self.show_only(groups[0])
        else:
            position = groups.index(self.group_shown) + 1 if self.group_shown in groups else len(groups)
            self.show_only(groups[position] if position < len(groups) else None)

    def mark(self, reasons: Mapping[str, str]) -> None:
        """Point out rows (by key) with a reason each, in red; an empty map takes every mark away."""
        if dict(reasons) == self.marked:
            return
        self.marked = dict(reasons)
        if self.is_mounted and self.columns_spec:
            _spec, current = self._current()
            self._redraw_rows(current.key if current is not None else None)
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

    def tick(self, column: str, keys: Iterable[str], ticked: bool = True) -> None:
        """Tick (or untick) the given rows of a tick column; ticks in the row's other columns go."""
        spec = self._column(column)
        rows = {row.key: row for row in self.rows_spec}
        for key in keys:
            if key in rows:
                self._set_tick(rows[key], spec, ticked)
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
        if not char.isalpha():  # a name is typed in one go: a space, digit or move ends it
            self._jump, self._jump_at = "", 0.0
        if event.key in MOVES:
            event.stop()
            event.prevent_default()
            rows, columns = MOVES[event.key]
            self._move(rows, columns)
        elif event.key in EDGES:
            event.stop()
            event.prevent_default()
            self._go(Coordinate(EDGES[event.key] % self.row_count, self.cursor_column))
        elif event.key == "delete":
            event.stop()
            event.prevent_default()
            self.action_clear_cell()
        elif event.key == "space":
            event.stop()
            event.prevent_default()
            if spec.kind == "tick":
                self._set_tick(row, spec, not self.values_by_column[spec.name].get(row.key, False))
                self.post_message(self.Changed(self, spec.name))
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
        elif spec.kind in TYPED and len(char) == 1 and (char in TYPED[spec.kind] or
                                                        (spec.kind == "amount" and char == ",")):
            event.stop()
            event.prevent_default()
            held = self.values_by_column[spec.name]
            old = held.get(row.key)
            char = "." if char == "," else char  # a decimal comma, as typed in much of Europe
            held[row.key] = char if self._fresh or not isinstance(old, str) else old + char
            self._fresh = False
            self._changed(row, spec)
        elif len(char) == 1 and char.isalpha() and (self._fresh or spec.kind == "tick"):
            event.stop()
            event.prevent_default()
            self._jump_to(char)
        elif spec.kind in TYPED and len(char) == 1 and char.isprintable() and not char.isspace():
            event.stop()
            event.prevent_default()
            self._refuse_key(spec, row, char)

    def _refuse_key(self, spec: EntryColumn, row: EntryRow, char: str) -> None:
        """Say why a key typed into a cell was not taken, naming the cell; the cursor stays on it."""
        self.app.bell()
        typed = self.values_by_column[spec.name].get(row.key)
        notify(self, refusal(spec, row, char, typed if isinstance(typed, str) else ""), title="Key not taken",
               severity="warning", timeout=6)

    def action_help_only(self, key: str) -> None:
        """Keys handled in `on_key`: their bindings exist only to be listed in the help panel."""

    def action_tick_all(self) -> None:
        """Tick every row shown in a tick column, or untick them all when they all are ticked."""
        spec, _row = self._current()
        if spec is None or spec.kind != "tick":
            notify(self, "Ctrl+A ticks a whole column: move to a tick column first", severity="warning")
            return
        held = self.values_by_column[spec.name]
        ticked = not all(held.get(row.key) for row in self.shown_rows)
        for row in self.shown_rows:
            self._set_tick(row, spec, ticked)
        self.post_message(self.Changed(self, spec.name))

    def _set_tick(self, row: EntryRow, spec: EntryColumn, ticked: bool) -> None:
        self.values_by_column[spec.name][row.key] = ticked
        self._refresh_cell(row, spec)
        if ticked:  # one row's tick columns exclude each other (attended / missed)
            for other in self.columns_spec:
                if other is not spec and other.kind == "tick" and self.values_by_column[other.name].get(row.key):
                    self.values_by_column[other.name][row.key] = False
                    self._refresh_cell(row, other)
                    self.post_message(self.Changed(self, other.name))

    def on_paste(self, event: Paste) -> None:
        """A column pasted from a spreadsheet: names (or usernames), with values for a value column."""
        spec, _row = self._current()
        if spec is None:
            return
        event.stop()
        event.prevent_default()
        rows = [Candidate(row.key, row.label) for row in self.rows_spec]
        pasted = read_pasted(event.text, rows, with_values=spec.kind != "tick")
        if spec.kind == "tick":
            self.tick(spec.name, pasted.values)
        else:
            held = self.values_by_column[spec.name]
            for key, value in pasted.values.items():
                if value:
                    held[key] = value
            for row in self.rows_spec:
                self._refresh_cell(row, spec)
            self.post_message(self.Changed(self, spec.name))
        self._report_paste(spec, pasted)

    def _report_paste(self, spec: EntryColumn, pasted: PastedColumn) -> None:
        bad = [p for p in self.problems() if p.startswith(f"{spec.label} for ")]
        text, trouble = paste_report(spec.label, pasted, bad, with_values=spec.kind != "tick")
        notify(self, text, title="Pasted", severity="warning" if trouble else "information",
               timeout=15 if trouble else 5)

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
                if spec.kind == "tick":
                    self._set_tick(other, spec, True)
                    continue
                held[other.key] = value
                self._refresh_cell(other, spec)
        self.post_message(self.Changed(self, spec.name))

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if event.coordinate.column < self.fixed and self.columns_spec:  # (a stale event after a redraw
            self._go(Coordinate(self.cursor_row, max(self.cursor_column, self.fixed)))  # carries row 0)
        elif event.coordinate != self._moved_to:  # moved by the mouse or a page key, not by typing
            self._moved_to = event.coordinate
            self._fresh = True

    def _jump_to(self, char: str) -> None:
        now = monotonic()
        self._jump = (self._jump if now - self._jump_at < JUMP_SECONDS else "") + letters(char)
        self._jump_at = now
        self.border_subtitle = literal(f"jump: {self._jump}")
        starts = [i for i, r in enumerate(self.shown_rows)  # "pavlovae": Pavlova Eva, spaces left out
                  if letters(r.label).startswith(self._jump) or letters(r.key).startswith(self._jump)]
        contains = [i for i, r in enumerate(self.shown_rows) if self._jump in r.label.casefold()]
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
        if self.cursor_row >= len(self.shown_rows):
            return None, None
        return self.columns_spec[column], self.shown_rows[self.cursor_row]

    def _column(self, name: str) -> EntryColumn:
        for spec in self.columns_spec:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def _changed(self, row: EntryRow, spec: EntryColumn) -> None:
        self._refresh_cell(row, spec)
        self.post_message(self.Changed(self, spec.name))

    def _refresh_cell(self, row: EntryRow, spec: EntryColumn) -> None:
        if row.key in self._shown_keys:  # a row hidden by a filter is drawn when it is shown again
            self.update_cell(row.key, spec.name, self._cell_text(spec, row))

    def _cell_text(self, spec: EntryColumn, row: EntryRow) -> Text:
        return cell_text(spec, row, self.values_by_column[spec.name].get(row.key))

    _valid = staticmethod(valid)

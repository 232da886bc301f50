"""A transaction type's form, built from `rule.fields(season)`: widgets in, payload out, payload back in.

Simple fields (choice, block, student, amount, text, partners, then date and description) sit in a grid
at the top; every per-student field becomes one column of a single group-entry table (a lecture's
attendees and absentees side by side), and the seminar's marks get a small table of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select
from textual.widgets._select import SelectOverlay

from campbank.core.season import Season
from campbank.core.text import shown
from campbank.ledger.views.accounts import BalanceRow
from campbank.rules.base import FieldKind, FormField, Rule
from campbank.widgets.group_entry import EntryColumn, EntryRow, GroupEntry
from campbank.widgets.literal import literal, notify
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.student_picker import Choice, StudentPicker

PER_STUDENT = {"per_student_amount": "amount", "per_student_tick": "tick", "per_student_number": "number",
               "per_student_place": "place"}
SIMPLE = ("choice", "block", "student", "amount", "text", "date", "partners")
DATE = FormField("date", FieldKind.DATE, "Date", required=False, help="Defaults to today")
DESCRIPTION = FormField("description", FieldKind.TEXT, "Description", required=False)


class FieldBox(Horizontal):
    """A label and its widget on one line."""

    DEFAULT_CSS = """
    FieldBox { height: auto; width: 1fr; padding: 0 1 0 0; }
    FieldBox > Label { width: 14; color: $text-muted; }
    FieldBox > Label.required { color: $text; }
    FieldBox > Input, FieldBox > Select, FieldBox > StudentPicker, FieldBox > Vertical { width: 1fr; }
    FieldBox > Vertical { height: auto; }
    FieldBox .partner { height: auto; width: 1fr; }
    FieldBox .partner StudentPicker { width: 1fr; }
    FieldBox .partner Input { width: 12; margin: 0 0 0 1; }
    """


class CheckedInput(LiteralInput):
    """A field that takes only some characters and says so, naming the field, when another is typed
    (a plain restricted Input drops it without a word)."""

    def __init__(self, *, label: str, expects: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.expects = expects

    def restricted(self) -> None:
        self.app.bell()
        notify(self, f"{self.label}: {self.expects}", title="Key not taken", severity="warning", timeout=6)


class ChoiceSelect(Select[str]):
    """A dropdown that opens on its first real option while nothing is chosen (not on the blank prompt,
    which Enter would "choose" without choosing anything)."""

    def action_show_overlay(self) -> None:
        super().action_show_overlay()
        overlay = self.query_one(SelectOverlay)
        if self.is_blank() and overlay.highlighted == 0 and overlay.option_count > 1:
            overlay.highlighted = 1


def allowed_hint(values: Sequence[int]) -> str:
    ordered = sorted(values)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{ordered[0]}..{ordered[-1]}".replace("-", "−")
    return ", ".join(str(v) for v in ordered).replace("-", "−")


class TransactionForm:
    """The widgets of one type's form and the mapping between them and a payload."""

    def __init__(self, rule: Rule, season: Season, students: Sequence[BalanceRow], *, wide: bool = True,
                 manager: bool = False) -> None:
        self.rule = rule
        self.season = season
        self.fields = tuple(self._offered(f, manager) for f in rule.fields(season))
        self.choices = [Choice(s.username, s.full_name, s.squad) for s in students]
        self.widgets: dict[str, Widget] = {}
        self.simple: list[FieldBox] = []
        per_student = [f for f in self.fields if f.kind in PER_STUDENT]
        marks = [f for f in self.fields if f.kind == "marks"]
        for field in [f for f in self.fields if f.kind in SIMPLE and f.name != "date"] + self._common():
            widget = self._widget(field)
            self.widgets[field.name] = widget
            label = Label(literal(field.label), classes="required" if field.required else "")
            self.simple.append(FieldBox(label, widget, id=f"box-{field.name}"))
        self.table: GroupEntry | None = None
        if per_student:
            rows = [EntryRow(s.username, s.squad or "", s.full_name, s.username) for s in students]
            columns = [EntryColumn(f.name, PER_STUDENT[f.kind], f.label) for f in per_student]
            self.table = GroupEntry(rows, columns, id="students-table", show_note=wide)
        self.marks: GroupEntry | None = None
        self.marks_field = marks[0] if marks else None
        if self.marks_field is not None:
            criteria = self.season.seminar_criteria
            rows = [EntryRow(name, "", name.replace("_", " "), allowed_hint(values), tuple(values))
                    for name, values in criteria.items() if name in self.marks_field.choices]
            self.marks = GroupEntry(rows, [EntryColumn("marks", "integer", "Mark")], id="marks-table",
                                    label_header="Criterion", note_label="Allowed")

    def _offered(self, field: FormField, manager: bool) -> FormField:
        """Money types of the `technical` group (the initial grant) are the bank's own: a manager may still
        choose one to put a mistake right, staff are not offered them."""
        if manager or field.kind != "choice" or not any(c in self.season.money_types for c in field.choices):
            return field
        return replace(field, choices=tuple(c for c in field.choices if self.season.group_of(c) != "technical"))

    def _common(self) -> list[FormField]:
        names = {f.name for f in self.fields}
        common = [next((f for f in self.fields if f.name == "date"), DATE)]
        if "description" not in names:
            common.append(DESCRIPTION)
        return common

    def _widget(self, field: FormField) -> Widget:
        wid = f"field-{field.name}"
        if field.kind in ("choice", "block"):
            labels = [(literal(self._choice_label(c)), c) for c in field.choices]  # season labels: typed text
            return ChoiceSelect(labels, prompt=f"choose {field.label.lower()}", id=wid, compact=True)
        if field.kind == "student":
            return StudentPicker(self.choices, id=wid)
        if field.kind == "partners":
            return Vertical(
                *(Horizontal(StudentPicker(self.choices, id=f"partner-{i}"),
                             self._amount_box(f"Amount of partner {i}", f"partner-{i}-amount", "amount"),
                             classes="partner")
                  for i in (1, 2)),
                id=wid,
            )
        if field.kind == "date":
            return CheckedInput(label=field.label, expects="type the date as digits and dashes, e.g. 2026-07-14",
                                placeholder="YYYY-MM-DD (today)", id=wid, compact=True, restrict=r"[0-9-]*",
                                max_length=10)
        if field.kind == "amount":
            return self._amount_box(field.label, wid, "12.50")
        return LiteralInput(placeholder=field.help or "", id=wid, compact=True, max_length=500)

    @staticmethod
    def _amount_box(label: str, wid: str, placeholder: str) -> CheckedInput:
        return CheckedInput(label=label, expects="an amount is digits with an optional point, such as 12.50, and "
                                                 "never negative", placeholder=placeholder, id=wid, compact=True,
                            restrict=r"[0-9.]*")

    def _choice_label(self, code: str) -> str:
        known = self.season.money_types.get(code)
        if known is not None and known.label and known.label != code:
            return f"{known.label} ({code})"
        block = self.season.time_blocks.get(code)
        if block is not None:
            return f"{code} {block.start:%H:%M}–{block.end:%H:%M}"
        return code.replace("_", " ")

    # -- payload out ----------------------------------------------------------------------------

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"type": self.rule.type}
        for name, widget in self.widgets.items():
            value = self._read(widget)
            if value not in (None, "", [], {}):
                payload[name] = value
        if self.table is not None:
            for spec in self.table.columns_spec:
                values = self.table.values(spec.name)
                if spec.kind == "tick":
                    payload[spec.name] = list(values)
                elif values:
                    payload[spec.name] = values if spec.kind == "amount" else {k: _int(v) for k, v in values.items()}
            for field in self.fields:  # an optional list left empty stays out; a required one says why
                if payload.get(field.name) == [] and not field.required:
                    del payload[field.name]
        if self.marks is not None and self.marks_field is not None:
            marks = self.marks.values("marks")
            if marks:
                payload[self.marks_field.name] = {k: _int(v) for k, v in marks.items()}
        return payload

    def _read(self, widget: Widget) -> Any:
        if isinstance(widget, Select):
            return None if widget.is_blank() else widget.value
        if isinstance(widget, StudentPicker):
            return widget.value
        if isinstance(widget, Input):
            return widget.value.strip()
        partners = []
        for i in (1, 2):
            username = widget.query_one(f"#partner-{i}", StudentPicker).value
            amount = widget.query_one(f"#partner-{i}-amount", Input).value.strip()
            if username or amount:
                partners.append({"username": username or "", "amount": amount})
        return partners

    def problems(self) -> list[str]:
        found = []
        for table in (self.table, self.marks):
            if table is not None:
                found.extend(table.problems())
        return found

    def recipients(self) -> int:
        """How many students the tables name (before the rule has had its say)."""
        if self.table is None:
            return 0
        named: set[str] = set()
        for spec in self.table.columns_spec:
            named.update(self.table.values(spec.name))
        return len(named)

    # -- payload in -----------------------------------------------------------------------------

    def fill(self, payload: Mapping[str, Any]) -> list[str]:
        """Pre-fill from a payload (template, alter); returns what could not be shown."""
        known = {c.username for c in self.choices}
        left_out: set[str] = set()
        fields = {f.name: f for f in (*self.fields, DATE, DESCRIPTION)}
        for name, widget in self.widgets.items():
            value = payload.get(name)
            if value is None:
                continue
            if isinstance(widget, Select):
                if value in fields[name].choices:
                    widget.value = value
            elif isinstance(widget, StudentPicker):
                widget.pick(str(value))
            elif isinstance(widget, Input):
                widget.value = shown(str(value))
            elif isinstance(value, list):
                for i, partner in enumerate(value[:2], start=1):
                    if isinstance(partner, Mapping):
                        widget.query_one(f"#partner-{i}", StudentPicker).pick(str(partner.get("username", "")))
                        widget.query_one(f"#partner-{i}-amount", Input).value = str(partner.get("amount", ""))
        if self.table is not None:
            for spec in self.table.columns_spec:
                value = payload.get(spec.name)
                if isinstance(value, Mapping | list):
                    left_out.update(str(k) for k in value if str(k) not in known)
                    self.table.set_values(spec.name, value)
        if self.marks is not None and self.marks_field is not None:
            marks = payload.get(self.marks_field.name)
            if isinstance(marks, Mapping):
                self.marks.set_values("marks", marks)
        return [f"{username} is not on the list of active students and was left out" for username in sorted(left_out)]

    def first_to_fill(self) -> Widget | None:
        """The first required field still empty (in the rule's order), else the students' table."""
        for field in self.fields:
            if not field.required:
                continue
            widget = self.widgets.get(field.name)
            if widget is not None and self._read(widget) in (None, "", []):
                return widget
            if field.kind in PER_STUDENT and self.table is not None and not self.table.values(field.name):
                return self.table
            if field.kind == "marks" and self.marks is not None and not self.marks.values("marks"):
                return self.marks
        return None

    def initial_focus(self) -> Widget | None:
        """Where the cursor starts: the first field to fill, else the students' table, else the first field."""
        return self.first_to_fill() or self.table or self.marks or (self.simple[0].children[1] if self.simple
                                                                     else None)


def _int(value: object) -> object:
    """A typed whole number as int; anything else is passed on for the rule to refuse by name."""
    try:
        return int(str(value))
    except ValueError:
        return value

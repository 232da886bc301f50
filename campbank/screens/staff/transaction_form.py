"""One transaction's form: fill it, watch the live summary, preview every recipient's entries, post.

Opened blank (new), pre-filled from an old payload (template: a new transaction; alter: replaces the old
one through `posting.alter`). Each form carries one idempotency key, so a double submit never posts twice.
Returns the `Posted` result with `dismiss`, or None when left without posting.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Header, Input, Select, Static

from campbank.core.errors import CampBankError
from campbank.core.money import format_amount
from campbank.ledger import clock
from campbank.ledger.actions import posting
from campbank.ledger.actions.clashes import TimeBlockClash
from campbank.ledger.actions.posting import Posted
from campbank.ledger.actions.preview import Preview, preview
from campbank.ledger.views.accounts import BalanceRow
from campbank.ledger.views.students import student_list
from campbank.rules import rule_for
from campbank.screens.staff.form_fields import TransactionForm
from campbank.screens.staff.preview_table import preview_body, preview_title
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.group_entry import GroupEntry
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import assemble, literal, notify
from campbank.widgets.student_picker import StudentPicker

SUMMARY_DELAY = 0.15
"""Seconds of quiet typing before the ledger is asked for the exact summary; the count of students marked
is shown at once, from the table itself."""


def focus_into(widget: Widget) -> None:
    """Focus a widget, or the first focusable one inside it (a field made of several)."""
    if widget.focusable or isinstance(widget, StudentPicker):
        widget.focus()
        return
    inner = next((w for w in widget.query("*") if w.focusable), None)
    if inner is not None:
        inner.focus()


class TransactionFormScreen(LedgerWork, Screen["Posted | None"]):
    BINDINGS = [
        Binding("f2,ctrl+s", "preview", "Preview & post", id="form-preview", priority=True),
        Binding("escape", "leave", "Back", id="form-back"),
    ]
    DEFAULT_CSS = """
    TransactionFormScreen #form-title { text-style: bold; color: $accent; padding: 0 1; height: 1; }
    TransactionFormScreen #form-fields {
        grid-size: 2; grid-rows: auto; grid-gutter: 0 2; height: auto; padding: 0 1; margin: 0 0 1 0;
    }
    TransactionFormScreen #form-fields.narrow { grid-size: 1; }
    TransactionFormScreen #form-tables { height: 1fr; padding: 0 1; }
    TransactionFormScreen #marks-table { width: 34; margin: 0 1 0 0; }
    TransactionFormScreen #form-summary {
        height: auto; min-height: 1; padding: 0 1; background: $boost; color: $text;
    }
    TransactionFormScreen #form-summary.refused { color: $warning; }
    TransactionFormScreen #form-loading { padding: 1 2; color: $text-muted; }
    """

    def __init__(self, rule_type: str, *, payload: dict[str, Any] | None = None, alter_of: int | None = None,
                 template_of: int | None = None) -> None:
        super().__init__()
        self.rule = rule_for(rule_type)
        self.initial = dict(payload or {})
        self.alter_of = alter_of
        self.template_of = template_of
        self.idempotency_key = f"ui-{uuid.uuid4().hex}"
        """One key per form: a repeated submit of this form returns the first post, never a second one."""
        self.form: TransactionForm | None = None
        self.posting = False
        self.pristine: dict[str, Any] | None = None
        """The payload as the form opened, to tell whether leaving loses anything."""
        self._summary_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        if self.alter_of is not None:
            title = f"Alter #{self.alter_of}: {self.rule.label} (the old one is replaced when you post)"
        elif self.template_of is not None:
            title = f"New {self.rule.label.lower()} from template #{self.template_of}"
        else:
            title = f"New {self.rule.label.lower()}"
        yield Static(literal(title), id="form-title")
        with Vertical(id="form-body"):
            yield Static("Loading the students…", id="form-loading")
        yield Static("", id="form-summary")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.fetch(lambda: student_list(self.db, self.actor), lambda students: self.call_later(self._build, students))

    def on_resize(self) -> None:
        for grid in self.query("#form-fields"):
            grid.set_class(self.size.width < 100, "narrow")

    async def _build(self, students: list[BalanceRow]) -> None:
        form = TransactionForm(self.rule, self.campbank.season, students, wide=self.size.width >= 100,
                               manager=self.actor.role == "manager")
        body = self.query_one("#form-body", Vertical)
        await body.remove_children()
        grid = Grid(*form.simple, id="form-fields", classes="narrow" if self.size.width < 100 else "")
        tables = [t for t in (form.marks, form.table) if t is not None]
        await body.mount(grid)
        if tables:
            await body.mount(Horizontal(*tables, id="form-tables"))
        self.form = form
        date_box = form.widgets["date"]
        assert isinstance(date_box, Input)
        date_box.value = clock.today().isoformat()
        if self.initial:
            warnings = form.fill(self.initial)
            if self.alter_of is None and "date" in self.initial:  # a template is for a new day
                date_box.value = clock.today().isoformat()
            for warning in warnings:
                notify(self, warning, severity="warning", timeout=8)
        self.call_after_refresh(self._remember_pristine)
        target = form.initial_focus()
        if target is not None:
            self.call_after_refresh(focus_into, target)
        self._schedule_summary()

    # -- live summary ---------------------------------------------------------------------------

    def on_group_entry_changed(self, _event: GroupEntry.Changed) -> None:
        self._changed()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._changed()
        if not event.select.is_blank():
            self._advance_from(event.select)

    def on_student_picker_picked(self, event: StudentPicker.Picked) -> None:
        self._changed()
        partner = any(w.has_class("partner") for w in event.picker.ancestors)
        if event.chosen and not partner:  # a partner's picker moves on to that partner's amount by itself
            self._advance_from(event.picker, chosen=True)

    def _advance_from(self, widget: Widget, *, chosen: bool = False) -> None:
        """After a choice made from the keyboard, go on to the next field that still needs filling."""
        focused = self.focused
        by_hand = chosen or (focused is not None and (focused is widget or widget in focused.ancestors))
        if self.form is None or not by_hand:
            return
        target = self.form.first_to_fill()
        if target is not None and target is not widget and widget not in target.ancestors:
            # After the app's own queue: a Select queues focusing itself there when a choice closes it.
            self.app.call_later(focus_into, target)

    def _remember_pristine(self) -> None:
        if self.form is not None:
            self.pristine = self.form.payload()

    def _changed(self) -> None:
        if self.form is not None:
            self._show_count()
            self._schedule_summary()

    def _show_count(self) -> None:
        """What the table says right now, before the ledger has checked it: the status line never lags."""
        assert self.form is not None
        summary = self.query_one("#form-summary", Static)
        summary.remove_class("refused")
        summary.update(assemble("Students marked: ", (str(self.form.recipients()), "bold"), ("   checking…", "dim")))

    def _schedule_summary(self) -> None:
        if self._summary_timer is not None:
            self._summary_timer.stop()
        self._summary_timer = self.set_timer(SUMMARY_DELAY, self._refresh_summary)

    def _refresh_summary(self) -> None:
        if self.form is None:
            return
        payload = self._payload()
        named = self.form.recipients()
        self.fetch(lambda: preview(self.db, self.actor, payload, alter_of=self.alter_of),
                   self._show_summary, group="summary",
                   on_error=lambda error: self._show_summary_refusal(named, error))

    def _show_summary(self, result: Preview) -> None:
        self._mark_clash(None)
        sign = self.campbank.season.currency_sign
        summary = self.query_one("#form-summary", Static)
        summary.remove_class("refused")
        summary.update(assemble("Recipients: ", (str(result.recipients), "bold"), "   Total: ",
                                (format_amount(result.total, sign), "bold"),
                                f"   Date: {result.day}   — F2 to preview and post"))

    def _show_summary_refusal(self, named: int, error: CampBankError) -> None:
        summary = self.query_one("#form-summary", Static)
        summary.add_class("refused")
        reason = self._mark_clash(error) or str(error)
        text = f"Students marked: {named}   Not ready: {reason}" if named else f"Not ready: {reason}"
        summary.update(literal(text, multiline=True))

    def _mark_clash(self, error: CampBankError | None) -> str | None:
        """Mark the rows of the students in a time-block clash (or take the marks away); a short message."""
        table = self.form.table if self.form is not None else None
        if not isinstance(error, TimeBlockClash):
            if table is not None:
                table.mark({})
            return None
        if table is not None:
            table.mark({username: "clash" for username in error.usernames})
        count = len(error.usernames)
        who = "student" if count == 1 else "students"
        return (f"time-block clash: {count} {who} (in red) already have an overlapping block that day "
                "— untick them, or change the block or the date")

    # -- preview and post -----------------------------------------------------------------------

    def _payload(self) -> dict[str, Any]:
        assert self.form is not None
        payload = self.form.payload()
        if self.alter_of is None:
            payload["idempotency_key"] = self.idempotency_key
        return payload

    def action_preview(self) -> None:
        if self.form is None or self.posting:
            return
        problems = self.form.problems()
        if problems:
            notify(self, "Fix these cells first: " + "; ".join(problems[:5]), title="Not posted", severity="error")
            return
        payload = self._payload()
        self.fetch(lambda: preview(self.db, self.actor, payload, alter_of=self.alter_of),
                   lambda result: self._confirm(result, payload), group="preview", on_error=self._refused_preview)

    def _refused_preview(self, error: CampBankError) -> None:
        clash = self._mark_clash(error)
        if clash is None:
            self.show_refusal(error)
            return
        self._show_summary_refusal(self.form.recipients() if self.form is not None else 0, error)
        notify(self, clash[0].upper() + clash[1:], title="Not posted", severity="error", timeout=8)

    def _confirm(self, result: Preview, payload: dict[str, Any]) -> None:
        self._mark_clash(None)  # the ledger took every row: none is in a clash any more
        verb = "Replace" if self.alter_of is not None else "Post"
        body = preview_body(result, self.campbank.season, narrow=self.app.size.width < 100)
        dialog = ConfirmDialog(preview_title(result), body, confirm=verb, wide=True)

        def answered(yes: bool | None) -> None:
            if yes:
                self._post(payload)

        self.app.push_screen(dialog, answered)

    def _post(self, payload: dict[str, Any]) -> None:
        if self.posting:
            return
        self.posting = True
        alter_of, db, actor = self.alter_of, self.db, self.actor

        def call() -> Posted:
            if alter_of is not None:
                return posting.alter(db, actor, alter_of, payload)
            return posting.post(db, actor, payload)

        self.submit(call, self._posted, on_error=self._refused)

    def _posted(self, posted: Posted) -> None:
        self.posting = False
        sign = self.campbank.season.currency_sign
        if posted.duplicate:
            notify(self, f"Already posted as #{posted.id}: nothing new", severity="warning")
        elif posted.waits:  # four eyes: say why, plainly (names in the reasons are typed text, never markup)
            notify(self, f"#{posted.id} {posted.summary(sign)}", title="Waits for a second manager",
                   severity="warning", timeout=20)
        elif self.alter_of is not None:
            notify(self, f"Posted #{posted.id}, replacing #{self.alter_of}: {posted.summary(sign)}", title="Altered")
        else:
            notify(self, f"Posted #{posted.id}: {posted.summary(sign)}", title="Posted")
        self.dismiss(posted)

    def _refused(self, error: CampBankError) -> None:
        self.posting = False
        self._refused_preview(error)

    def action_leave(self) -> None:
        self.leave_guarded(lambda: self.dismiss(None))

    def leave_guarded(self, leave: Callable[[], object]) -> None:
        """Leave (Esc, and the app's quit and log out): at once when nothing was typed, else after asking."""
        if self.form is None or self.form.payload() == self.pristine:
            leave()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                leave()

        self.app.push_screen(ConfirmDialog("Leave this form? What you typed is lost.", confirm="Leave",
                                           cancel="Stay", danger=True), answered)

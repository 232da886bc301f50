"""The study-fines panel of the charges section: preview a stage's fines per student, then charge them.

Each student's fine for a stage is its own transaction keyed `sys:study_fine:STAGE:ID`, so charging twice
changes nothing the second time (the preview shows who was charged, and in which transaction).
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Label, Select, Static

from campbank.core.errors import CampBankError
from campbank.core.money import format_amount
from campbank.ledger import clock
from campbank.ledger.actions import study_fines
from campbank.ledger.actions.study_fines import StudentFine
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, notify
from campbank.widgets.literal_table import LiteralTable


def _ratio(have: int, target: int) -> Text:
    return Text(f"{have}/{target}", justify="right", style="yellow" if have < target else "")


class FinesPanel(LedgerWork, Vertical):
    DEFAULT_CSS = """
    FinesPanel { height: 1fr; }
    FinesPanel .form-row { height: 1; margin: 0 0 1 0; }
    FinesPanel .form-row Label { padding: 0 1 0 0; }
    FinesPanel .form-row Select { width: 14; margin: 0 2 0 0; }
    FinesPanel .form-row Button { margin: 0 2 0 0; }
    FinesPanel #fines-message { height: auto; padding: 0 0 1 0; }
    FinesPanel #fines-table { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown_stage: str | None = None
        """The stage whose preview is on screen (None before the first preview)."""
        self.charge_message = ("", "")
        """(stage, what the last charge did): said above that stage's figures until the next charge, so a
        reload after a change made elsewhere does not wipe it."""

    def compose(self) -> ComposeResult:
        stages = [("final", "final")] + ([("equator", "equator")] if self.campbank.season.equator else [])
        with Horizontal(classes="form-row"):
            yield Label("Stage")
            yield Select(stages, value="final", allow_blank=False, id="fines-stage", compact=True)
            yield Button("Preview", id="fines-preview", variant="primary", compact=True)
            yield Button("Charge", id="fines-charge", variant="warning", compact=True)
        yield Static("Preview: each active student's progress and the fine a charge would make.",
                     id="fines-message")
        table = LiteralTable(id="fines-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Student", "Squad", "Grade", "Visits", "Labs", "Fac passes", "Seminars given", "Fine",
                          "Charged")
        yield table

    @property
    def stage(self) -> str:
        return str(self.query_one("#fines-stage", Select).value)

    def reload(self) -> None:
        if self.shown_stage is not None:
            self.preview(self.shown_stage)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "fines-preview":
            self.preview(self.stage)
        elif event.button.id == "fines-charge":
            self.ask_charge(self.stage)

    def preview(self, stage: str) -> None:
        self._say(f"Reading the {stage} stage…")
        self.fetch(lambda: study_fines.preview(self.db, self.actor, stage), lambda rows: self._show(stage, rows),
                   on_error=self._refused)

    def _show(self, stage: str, rows: list[StudentFine]) -> None:
        self.shown_stage = stage
        sign = self.campbank.season.currency_sign
        table = self.query_one("#fines-table", DataTable)
        table.clear()
        for row in rows:
            p = row.progress
            fine = format_amount(row.fine, sign) if row.fine else ""
            table.add_row(Text(f"{row.full_name} ({row.username})"), row.squad or "", row.grade or "",
                          _ratio(p.visits, p.visits_target), _ratio(p.labs, p.labs_target),
                          _ratio(p.fac_passes, p.fac_passes_target), _ratio(p.seminars_given, p.seminars_target),
                          Text(fine, justify="right", style="red" if row.fine and not row.charged_in else "dim"),
                          f"#{row.charged_in}" if row.charged_in else "", key=row.username)
        due = [r for r in rows if r.charged_in is None and r.fine > 0]
        done = [r for r in rows if r.charged_in is not None]
        summary = (f"{stage.capitalize()} stage: {len(due)} students would be charged "
                   f"{format_amount(sum(r.fine for r in due), sign)} in all; {len(done)} already charged; "
                   f"{len(rows) - len(due) - len(done)} owe nothing.")
        said_stage, said = self.charge_message
        self._say(f"{said}\n{summary}" if said and said_stage == stage else summary)

    def ask_charge(self, stage: str) -> None:
        """Read what the charge would do (head-count, total, the stage's day) and ask with those figures."""
        self.charge_message = ("", "")
        self._say(f"Reading the {stage} stage…")

        def read() -> tuple[list[StudentFine], date]:
            return study_fines.preview(self.db, self.actor, stage), study_fines.due_day(self.db, stage)

        self.fetch(read, lambda found: self._ask(stage, *found), on_error=self._refused)

    def _ask(self, stage: str, rows: list[StudentFine], due: date) -> None:
        sign = self.campbank.season.currency_sign
        owing = [r for r in rows if r.charged_in is None and r.fine > 0]
        early = clock.today() < due

        def answered(yes: bool | None) -> None:
            if yes:
                self._say(f"Charging the {stage} stage…")
                self.submit(lambda: study_fines.charge(self.db, self.actor, stage, force=early),
                            lambda charged: self._charged(stage, charged), on_error=self._refused)

        if not owing:
            self.charge_message = (stage, f"Nothing charged: nobody owes a {stage} fine that is not charged yet.")
            self._say(self.charge_message[1])
            return
        question = Text(f"Charge {len(owing)} students {format_amount(sum(r.fine for r in owing), sign)} in all "
                        f"for the {stage} stage? Students already charged for it are skipped.")
        if early:
            question.append(f"\n\nThe {stage} stage falls due on {due}: this charges it early.", style="bold red")
        self.app.push_screen(ConfirmDialog("Charge study fines", question,
                                           confirm="Charge early" if early else "Charge"), answered)

    def _charged(self, stage: str, charged: list[StudentFine]) -> None:
        sign = self.campbank.season.currency_sign
        total = format_amount(sum(r.fine for r in charged), sign)
        message = (f"Charged {len(charged)} students {total} in all." if charged
                   else "Nothing charged: nothing due, or this stage was already charged.")
        notify(self.app, message, title="Study fines")
        self.charge_message = (stage, message)
        self.preview(stage)

    def _refused(self, error: CampBankError) -> None:
        self._say(f"Refused: {error}")
        self.show_refusal(error)

    def _say(self, text: str) -> None:
        self.query_one("#fines-message", Static).update(literal(text, multiline=True))

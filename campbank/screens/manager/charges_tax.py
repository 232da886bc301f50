"""The tax panel of the charges section: preview, run (a backup first) or void a day's tax.

`tax.run` charges each date once (keyed `sys:tax:DATE`), so running a day twice, or while the scheduler
runs it, changes nothing the second time and says so.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Static

from campbank.core.errors import CampBankError, InputError
from campbank.core.money import format_amount
from campbank.ledger import clock
from campbank.ledger.actions import tax as tax_ledger
from campbank.ledger.actions.states import Changed
from campbank.ledger.store.backup import backup
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, notify
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.literal_table import LiteralTable

OUTCOME_STYLE = {"charged": "green", "would charge": "yellow", "already taxed": "dim", "voided": "dim",
                 "outside schedule": "dim", "no tax": "dim"}


def parse_day(text: str, field: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date written YYYY-MM-DD", field=field) from None


class TaxPanel(LedgerWork, Vertical):
    DEFAULT_CSS = """
    TaxPanel { height: 1fr; }
    TaxPanel .form-row { height: 1; margin: 0 0 1 0; }
    TaxPanel .form-row Label { padding: 0 1 0 0; }
    TaxPanel .form-row Input { width: 14; margin: 0 2 0 0; }
    TaxPanel .form-row Button { margin: 0 2 0 0; }
    TaxPanel #tax-message { height: auto; padding: 0 0 1 0; }
    TaxPanel #tax-results { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("Date")
            yield LiteralInput(clock.today().isoformat(), placeholder="YYYY-MM-DD", id="tax-date", compact=True)
            yield Label("through")
            yield LiteralInput(placeholder="optional", id="tax-through", compact=True)
        with Horizontal(classes="form-row"):
            yield Button("Preview", id="tax-preview", variant="primary", compact=True)
            yield Button("Run tax", id="tax-run", variant="warning", compact=True)
            yield Button("Void this day", id="tax-void", variant="error", compact=True)
        yield Static(f"A run backs up the database first (the last {tax_ledger.BACKUPS_KEPT} kept) and charges "
                     "each date once; Preview writes nothing.",
                     id="tax-message")
        table = LiteralTable(id="tax-results", cursor_type="row", zebra_stripes=True)
        table.add_columns("Date", "Day", "Outcome", "Each", "Students", "Total", "Txn")
        yield table

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        try:
            day = parse_day(self.query_one("#tax-date", Input).value, "date")
            through = parse_day(self.query_one("#tax-through", Input).value, "through")
        except InputError as error:
            self.show_refusal(error)
            return
        if event.button.id == "tax-preview":
            self.preview(day, through)
        elif event.button.id == "tax-run":
            self.ask_run(day, through)
        elif event.button.id == "tax-void":
            self.ask_void(day)

    def preview(self, day: date | None, through: date | None) -> None:
        self._say("Previewing…")
        self.fetch(lambda: tax_ledger.run(self.db, self.actor, day=day, through=through, dry_run=True),
                   lambda days: self._show(days, dry_run=True), on_error=self._refused)

    def ask_run(self, day: date | None, through: date | None) -> None:
        span = f"{day or clock.today()}" + (f" through {through}" if through else "")

        def answered(yes: bool | None) -> None:
            if yes:
                self._say("Backing up, then charging…")
                self.submit(lambda: self._charge(day, through), lambda days: self._show(days, dry_run=False),
                            on_error=self._refused)

        question = Text(f"Charge the tax for {span} to every active student? Dates already taxed are skipped. "
                        "The database is backed up first.")
        self.app.push_screen(ConfirmDialog("Run the tax", question, confirm="Run tax"), answered)

    def _charge(self, day: date | None, through: date | None) -> list[tax_ledger.TaxDay]:
        actor = self.actor
        return tax_ledger.run(self.db, actor, day=day, through=through,
                              backup=lambda: backup(self.db, reason="tax", keep=tax_ledger.BACKUPS_KEPT,
                                                    actor_id=actor.id))

    def ask_void(self, day: date | None) -> None:
        day = day or clock.today()

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: tax_ledger.void(self.db, self.actor, day, reason=reason), self._voided,
                            on_error=self._refused)

        self.app.push_screen(ConfirmReason(f"Void the tax of {day}? Its charges stop counting and every student "
                                           "gets the money back. The audit log keeps who and why.",
                                           title=f"Void the tax of {day}", yes="Void"), answered)

    def _voided(self, changed: Changed) -> None:
        self._say(f"Tax #{changed.id} voided: {changed.old_state} → {changed.state}.")
        notify(self.app, f"Tax #{changed.id} voided", title="Tax")

    def _show(self, days: list[tax_ledger.TaxDay], *, dry_run: bool) -> None:
        sign = self.campbank.season.currency_sign
        table = self.query_one("#tax-results", DataTable)
        table.clear()
        for d in days:
            money = d.outcome in ("charged", "would charge")
            table.add_row(str(d.day), d.season_day, Text(d.outcome, style=OUTCOME_STYLE.get(d.outcome, "")),
                          Text(format_amount(d.amount, sign) if money else "", justify="right"),
                          Text(str(d.students) if money else "", justify="right"),
                          Text(format_amount(d.total, sign) if money else "", justify="right"),
                          f"#{d.transaction_id}" if d.transaction_id else "")
        charged = [d for d in days if d.outcome == ("would charge" if dry_run else "charged")]
        total = sum(d.total for d in charged)
        if dry_run:
            self._say(f"Preview: {len(charged)} of {len(days)} dates would be charged, "
                      f"{format_amount(total, sign)} in all. Nothing was written.")
        else:
            self._say(f"Charged {len(charged)} of {len(days)} dates, {format_amount(total, sign)} in all.")
            if charged:
                notify(self.app, f"Charged {format_amount(total, sign)}", title="Tax")

    def _refused(self, error: CampBankError) -> None:
        self._say(f"Refused: {error}")
        self.show_refusal(error)

    def _say(self, text: str) -> None:
        self.query_one("#tax-message", Static).update(literal(text, multiline=True))

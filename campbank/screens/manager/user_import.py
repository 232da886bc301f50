"""Importing a roster (managers): type the file's path, preview what would change (a dry run), import.

A file with any bad row imports nothing; every problem is listed here in full, with its line. New
people without a password in the file get generated ones, written only to the credentials .xlsx the
manager names. Returns the plan that was imported, or None.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Static

from campbank.core.errors import CampBankError
from campbank.formats.roster_import import import_roster
from campbank.ledger.actions.users import ImportPlan
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, notify
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.literal_table import LiteralTable


class ImportRosterScreen(LedgerWork, ModalScreen[ImportPlan | None]):
    BINDINGS = [Binding("escape", "back", "Close", id="import-close")]
    DEFAULT_CSS = """
    ImportRosterScreen { align: center middle; }
    ImportRosterScreen > Vertical {
        width: 110; max-width: 100%; height: 90%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    ImportRosterScreen .dialog-title { text-style: bold; padding: 0 0 1 0; }
    ImportRosterScreen Grid { grid-size: 2; grid-columns: 13 1fr; grid-rows: 1; grid-gutter: 1 0; height: auto; }
    ImportRosterScreen #import-summary { height: auto; padding: 1 0; }
    ImportRosterScreen #import-problems { height: 1fr; display: none; border: round $error; }
    ImportRosterScreen #import-problems.shown { display: block; }
    ImportRosterScreen #import-plan { height: 1fr; }
    ImportRosterScreen .dialog-buttons { height: auto; align-horizontal: right; padding: 1 0 0 0; }
    ImportRosterScreen .dialog-buttons Button { margin: 0 0 0 2; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.previewed: tuple[Path, Path | None] | None = None
        """The paths the last good dry run was made with; Import needs it to match the inputs."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Import a roster (.csv or .xlsx)", classes="dialog-title")
            with Grid():
                yield Label("Roster file")
                yield LiteralInput(placeholder="/path/to/roster.csv", id="roster-path", compact=True)
                yield Label("Credentials")
                yield LiteralInput(placeholder="/path/to/credentials.xlsx (new people's passwords go here)",
                            id="credentials-path", compact=True)
            yield Static("Enter or Preview runs a dry run: nothing is written until you press Import.",
                         id="import-summary")
            with VerticalScroll(id="import-problems"):
                yield Static("", id="import-problem-text")
            table = LiteralTable(id="import-plan", cursor_type="row", zebra_stripes=True)
            table.add_columns("Line", "Username", "Name", "Squad", "Grade", "Role", "Change")
            yield table
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close", compact=True)
                yield Button("Preview", id="preview", variant="primary", compact=True)
                yield Button("Import", id="import", variant="warning", disabled=True, compact=True)

    def on_mount(self) -> None:
        self.query_one("#roster-path", Input).focus()

    def paths(self) -> tuple[Path, Path | None]:
        roster = self.query_one("#roster-path", Input).value.strip()
        credentials = self.query_one("#credentials-path", Input).value.strip()
        return Path(roster).expanduser(), Path(credentials).expanduser() if credentials else None

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#import", Button).disabled = self.previewed != self.paths()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.preview()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "preview":
            self.preview()
        elif event.button.id == "import":
            self.run_import()
        else:
            self.dismiss(None)

    def preview(self) -> None:
        roster, credentials = self.paths()
        if not str(roster).strip() or str(roster) == ".":
            self._say("Type the path of the roster file first.")
            return
        self.previewed = None
        self.query_one("#import", Button).disabled = True
        self._say(f"Checking {roster}…")
        self.fetch(lambda: import_roster(self.db, self.actor, roster, credentials_out=credentials, dry_run=True),
                   lambda plan: self._show_plan(plan, roster, credentials), on_error=self._refused)

    def _show_plan(self, plan: ImportPlan, roster: Path, credentials: Path | None) -> None:
        self._problems("")
        table = self.query_one("#import-plan", DataTable)
        table.clear()
        for row in plan.create:
            table.add_row(row.line, plan.usernames[row.line], Text(row.full_name), row.squad or "",
                          row.grade or "", row.role, Text("new", style="green"))
        for row, username, changed in plan.update:
            table.add_row(row.line, username, Text(row.full_name), row.squad or "", row.grade or "", row.role,
                          Text(", ".join(changed), style="yellow"))
        summary = (f"{roster.name}: would add {len(plan.create)}, update {len(plan.update)}, "
                   f"leave {len(plan.unchanged)} unchanged.")
        ready = bool(plan.create or plan.update)
        if plan.generated_passwords:
            if credentials is None:
                summary += (f" {len(plan.generated_passwords)} new people need generated passwords: name a "
                            "credentials .xlsx to write them to.")
                ready = False
            else:
                summary += f" Their {len(plan.generated_passwords)} generated passwords go to {credentials}."
        if not (plan.create or plan.update):
            summary += " Nothing to import."
        self._say(summary)
        if ready:
            self.previewed = (roster, credentials)
            self.query_one("#import", Button).disabled = False

    def run_import(self) -> None:
        if self.previewed is None or self.previewed != self.paths():
            self._say("Preview the file again first: the paths changed.")
            return
        roster, credentials = self.previewed
        self.query_one("#import", Button).disabled = True
        self._say(f"Importing {roster.name}…")
        self.submit(lambda: import_roster(self.db, self.actor, roster, credentials_out=credentials),
                    lambda plan: self._imported(plan, credentials), on_error=self._refused)

    def _imported(self, plan: ImportPlan, credentials: Path | None) -> None:
        where = f"; passwords are in {credentials}" if plan.generated_passwords and credentials else ""
        notify(self.app, f"Added {len(plan.create)}, updated {len(plan.update)}{where}.", title="Roster imported",
                        timeout=10)
        self.dismiss(plan)

    def _refused(self, error: CampBankError) -> None:
        self.previewed = None
        self.query_one("#import", Button).disabled = True
        self.query_one("#import-plan", DataTable).clear()
        self._say("Refused: nothing was imported.")
        self._problems(str(error))

    def _say(self, text: str) -> None:
        self.query_one("#import-summary", Static).update(literal(text, multiline=True))

    def _problems(self, text: str) -> None:
        self.query_one("#import-problem-text", Static).update(literal(text, multiline=True))
        self.query_one("#import-problems").set_class(bool(text), "shown")
        self.query_one("#import-plan").display = not text

    def action_back(self) -> None:
        self.dismiss(None)

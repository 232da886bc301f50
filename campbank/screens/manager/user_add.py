"""The add-a-person form (managers). It adds through `users.add_user` itself, so a refused field keeps
the form open with the reason; on success it returns the new person's credentials (password shown once).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from campbank.core.errors import CampBankError
from campbank.ledger.actions.users import Credential, add_user
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, refusal
from campbank.widgets.literal_input import LiteralInput

ROLES = ("student", "staff", "manager")


class AddUserDialog(LedgerWork, ModalScreen[Credential | None]):
    BINDINGS = [Binding("escape", "back", "Cancel", id="add-user-cancel")]
    DEFAULT_CSS = """
    AddUserDialog { align: center middle; }
    AddUserDialog > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $accent; background: $panel; padding: 0 1;
    }
    AddUserDialog .dialog-title { text-style: bold; padding: 0 0 1 0; }
    AddUserDialog Grid { grid-size: 2; grid-columns: 13 1fr; grid-rows: 1; grid-gutter: 1 0; height: auto; }
    AddUserDialog #add-user-error { color: $error; height: auto; padding: 1 0 0 0; }
    AddUserDialog .dialog-buttons { height: auto; align-horizontal: right; padding: 1 0 0 0; }
    AddUserDialog .dialog-buttons Button { margin: 0 0 0 2; }
    """

    def compose(self) -> ComposeResult:
        season = self.campbank.season
        with Vertical():
            yield Static("Add a person", classes="dialog-title")
            with Grid():
                yield Label("Last name")
                yield LiteralInput(id="u-last", compact=True)
                yield Label("First name")
                yield LiteralInput(id="u-first", compact=True)
                yield Label("Middle name")
                yield LiteralInput(placeholder="optional", id="u-middle", compact=True)
                yield Label("Role")
                yield Select([(r, r) for r in ROLES], value="student", allow_blank=False, id="u-role", compact=True)
                yield Label("Squad")
                yield Select([(literal(s), s) for s in season.squads], prompt="none", id="u-squad", compact=True)
                yield Label("Grade")
                yield Select([(str(g), g) for g in season.grades], prompt="none", id="u-grade", compact=True)
                yield Label("Username")
                yield LiteralInput(placeholder="optional: made from the name", id="u-username", compact=True)
            yield Static("", id="add-user-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Add", id="add", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#u-last", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.add()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add":
            self.add()
        else:
            self.dismiss(None)

    def add(self) -> None:
        def text(name: str) -> str:
            return self.query_one(f"#u-{name}", Input).value.strip()

        def choice(name: str) -> object:
            value = self.query_one(f"#u-{name}", Select).value
            return None if value is Select.NULL else value

        fields = {"last_name": text("last"), "first_name": text("first"), "middle_name": text("middle"),
                  "role": str(choice("role")), "squad": choice("squad"), "grade": choice("grade"),
                  "username": text("username") or None}
        self.query_one("#add-user-error", Static).update("Adding…")
        self.query_one("#add", Button).disabled = True
        self.submit(lambda: add_user(self.db, self.actor, **fields), self.dismiss,  # type: ignore[arg-type]
                    on_error=self._refused)

    def _refused(self, error: CampBankError) -> None:
        self.query_one("#add-user-error", Static).update(refusal(error))
        self.query_one("#add", Button).disabled = False

    def action_back(self) -> None:
        self.dismiss(None)

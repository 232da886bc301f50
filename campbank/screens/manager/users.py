"""Users (managers): everyone with role, squad, grade and state; add, import a roster, deactivate, reset.

The list is short (a camp has hundreds of people, not thousands), so it is read whole and filtered
here as you type. Every change goes through `campbank.ledger.actions.users`, which checks the permission.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from campbank.core.money import format_amount
from campbank.ledger import clock
from campbank.ledger.actions.users import (
    Credential,
    ImportPlan,
    deactivate,
    set_password,
)
from campbank.ledger.views.oversight import UserLine, list_users
from campbank.screens.manager.user_add import AddUserDialog
from campbank.screens.manager.user_import import ImportRosterScreen
from campbank.widgets.ask import Told
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.literal import literal, notify
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable

ROLE_STYLE = {"manager": "bold magenta", "staff": "cyan", "student": ""}


class UsersPane(Pane):

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="users-filter"),
        Binding("a", "add", "Add", id="users-add"),
        Binding("i", "import_roster", "Import roster", id="users-import"),
        Binding("p", "reset_password", "Reset password", id="users-password"),
        Binding("d", "deactivate", "Deactivate", id="users-deactivate"),
    ]
    DEFAULT_CSS = """
    UsersPane #users-filter { display: none; }
    UsersPane #users-filter.shown { display: block; }
    UsersPane #users-status { height: 1; color: $text-muted; }
    UsersPane #users-table { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.users: tuple[UserLine, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(self.section_title, classes="pane-title")
        yield LiteralInput(placeholder="filter: part of a name, username, role or squad; Enter to go to the list",
                    id="users-filter")
        yield Static("Loading…", id="users-status")
        table = VimTable(id="users-table")
        table.add_columns("Username", "Name", "Role", "Squad", "Grade", "State", "Balance")
        yield table

    def reload(self) -> None:
        self.fetch(lambda: list_users(self.db, self.actor), self._show)

    def _show(self, users: tuple[UserLine, ...]) -> None:
        self.users = users
        self._refill()

    def _refill(self) -> None:
        sign = self.campbank.season.currency_sign
        needle = self.query_one("#users-filter", Input).value.strip().casefold()
        table = self.query_one("#users-table", VimTable)
        current = self.selected()
        table.clear()
        now = clock.now().replace(tzinfo=None)
        shown = 0
        for u in self.users:
            if needle and needle not in f"{u.username} {u.full_name} {u.role} {u.squad or ''}".casefold():
                continue
            state = "active" if u.active else "inactive"
            if u.locked_until is not None and u.locked_until.replace(tzinfo=None) > now:
                state += ", locked"
            dim = "" if u.active else "dim"
            table.add_row(Text(u.username, style=dim), Text(u.full_name, style=dim),
                          Text(u.role, style=ROLE_STYLE.get(u.role, "")), u.squad or "",
                          str(u.grade) if u.grade else "", Text(state, style="" if u.active else "red"),
                          Text(format_amount(u.balance, sign), justify="right"), key=u.username)
            shown += 1
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))
        active = sum(1 for u in self.users if u.active)
        status = f"{len(self.users)} people, {active} active"
        if needle:
            status += f" · {shown} match “{needle}”"
        self.query_one("#users-status", Static).update(literal(status))

    def selected(self) -> str | None:
        table = self.query_one("#users-table", VimTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key or None

    def selected_user(self) -> UserLine | None:
        name = self.selected()
        return next((u for u in self.users if u.username == name), None)

    # -- filter -----------------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#users-filter", Input)
        box.add_class("shown")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "users-filter":
            self._refill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "users-filter":
            event.stop()
            if not event.value.strip():
                event.input.remove_class("shown")
            self.query_one("#users-table", VimTable).focus()

    # -- changes ----------------------------------------------------------------------------------

    def action_add(self) -> None:
        def added(made: Credential | None) -> None:
            if made is None:
                return
            self.reload()
            self.app.push_screen(Told(f"{made.full_name} was added as {made.username}.",
                                      title="User added", secret=f"Password: {made.password}",
                                      after="It is shown only now: write it down or hand it over."))

        self.app.push_screen(AddUserDialog(), added)

    def action_import_roster(self) -> None:
        def imported(plan: ImportPlan | None) -> None:
            if plan is not None:
                self.reload()

        self.app.push_screen(ImportRosterScreen(), imported)

    def action_reset_password(self) -> None:
        user = self.selected_user()
        if user is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.submit(lambda: set_password(self.db, self.actor, user.username), self._password_reset(user))

        question = Text(f"Give {user.full_name} ({user.username}) a new generated password? The old one stops "
                        "working and any lockout is lifted.")
        self.app.push_screen(ConfirmDialog("Reset password", question, confirm="Reset"), answered)

    def _password_reset(self, user: UserLine):
        def show(password: str) -> None:
            self.app.push_screen(Told(f"New password for {user.full_name} ({user.username}):",
                                      title="Password reset", secret=password,
                                      after="It is shown only now: write it down or hand it over."))
            self.reload()

        return show

    def action_deactivate(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        if not user.active:
            notify(self.app, f"{user.username} is already deactivated", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.submit(lambda: deactivate(self.db, self.actor, user.username), lambda _: self._deactivated(user))

        question = Text(f"Deactivate {user.full_name} ({user.username}, {user.role})? They can no longer sign in "
                        "or be paid; their history and balance stay.")
        self.app.push_screen(ConfirmDialog("Deactivate", question, confirm="Deactivate", danger=True), answered)

    def _deactivated(self, user: UserLine) -> None:
        notify(self.app, f"{user.username} is deactivated", title="Users")
        self.reload()

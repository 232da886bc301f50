"""Office section "Files": the shared files (read them in place) and adding one from a path."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from campbank.core.errors import CampBankError, InputError
from campbank.ledger.actions.files import MAX_SIZE, SharedFile, add_path, human_size, remove_file
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.file_browser import FileBrowser
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import notify, refusal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.pane import Pane


class AddFileDialog(LedgerWork, ModalScreen["SharedFile | None"]):
    """Asks for a path on this computer and, optionally, the name to share it as, and adds the file. A path
    that cannot be read is said inside the dialog, which stays open with what was typed."""

    BINDINGS = [Binding("escape", "dismiss_none", "Back", id="add-file-back")]
    DEFAULT_CSS = """
    AddFileDialog { align: center middle; }
    AddFileDialog > Vertical { width: 80%; max-width: 90; height: auto; border: thick $accent;
                               background: $surface; padding: 1 2; }
    AddFileDialog Label { margin: 1 0 0 0; }
    AddFileDialog #add-file-buttons { height: auto; align-horizontal: right; margin: 1 0 0 0; }
    AddFileDialog Button { margin: 0 0 0 2; }
    AddFileDialog #add-file-message { height: auto; margin: 1 0 0 0; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]Add a shared file[/b] (up to {human_size(MAX_SIZE)}; adding a name again keeps "
                         "the old version in history)")
            yield Label("Path of the file on this computer")
            # no select-on-focus: a path refused is corrected in place, not typed again
            yield LiteralInput(placeholder="/home/office/menu.md", id="add-file-path", select_on_focus=False)
            yield Label("Share it as (optional; e.g. menus/monday.md)")
            yield LiteralInput(placeholder="the file's own name", id="add-file-name")
            yield Static("", id="add-file-message")
            with Horizontal(id="add-file-buttons"):
                yield Button("Back", id="add-file-cancel")
                yield Button("Add", variant="primary", id="add-file-ok")

    def on_mount(self) -> None:
        self.query_one("#add-file-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "add-file-path":
            self.query_one("#add-file-name", Input).focus()
        else:
            self._done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add-file-ok":
            self._done()
        else:
            self.dismiss(None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def _done(self) -> None:
        path = self.query_one("#add-file-path", Input).value.strip()
        if not path:
            self._refused(InputError("type the path of the file to add", field="path"))
            return
        name = self.query_one("#add-file-name", Input).value.strip()
        self.query_one("#add-file-message", Static).update("Adding…")
        self.submit(lambda: add_path(self.db, self.actor, path, name=name or None), self.dismiss,
                    on_error=self._refused)

    def _refused(self, error: CampBankError) -> None:
        self.query_one("#add-file-message", Static).update(refusal(error, "red"))
        field = "#add-file-name" if error.field == "name" else "#add-file-path"
        self.query_one(field, Input).focus()


class FilesPane(Pane):

    BINDINGS = [
        Binding("a", "add_file", "Add a file", id="files-add"),
        Binding("delete,x", "remove_file", "Remove file", id="files-remove"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Shared files", classes="pane-title")
        yield FileBrowser()

    def reload(self) -> None:
        self.query_one(FileBrowser).reload()

    def action_add_file(self) -> None:
        def added(file: SharedFile | None) -> None:
            if file is not None:
                self._added(file)

        self.app.push_screen(AddFileDialog(), added)

    def action_remove_file(self) -> None:
        browser = self.query_one(FileBrowser)
        name = browser.highlighted_name()
        if name is None:
            return

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: remove_file(self.db, self.actor, name, reason=reason), self._removed(name))

        self.app.push_screen(ConfirmReason(f"Take {name} out of the shared files? Its versions are kept in the "
                                           "database and the audit log says who removed it and why.",
                                           title=f"Remove {name}", yes="Remove"), answered)

    def _removed(self, name: str) -> Callable[[int], None]:
        def done(versions: int) -> None:
            notify(self, f"Removed {name} ({versions} version{'s' if versions != 1 else ''} kept)",
                   title="File removed")
            self.query_one(FileBrowser).reload()

        return done

    def _added(self, added: SharedFile) -> None:
        again = f" (version {added.version}; the older ones are kept)" if added.version > 1 else ""
        notify(self, f"Added {added.name}, {human_size(added.size)}{again}", title="File added")
        self.query_one(FileBrowser).reload(select=added.name)

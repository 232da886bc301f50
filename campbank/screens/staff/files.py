"""Office section "Files": the shared files (read them in place) and adding one from a path."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from campbank.ledger.actions.files import MAX_SIZE, SharedFile, add_path, human_size
from campbank.widgets.file_browser import FileBrowser
from campbank.widgets.literal import notify
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.pane import Pane


class AddFileDialog(ModalScreen["tuple[str, str] | None"]):
    """Asks for a path on this computer and, optionally, the name to share it as."""

    BINDINGS = [Binding("escape", "dismiss_none", "Back", id="add-file-back")]
    DEFAULT_CSS = """
    AddFileDialog { align: center middle; }
    AddFileDialog > Vertical { width: 80%; max-width: 90; height: auto; border: thick $accent;
                               background: $surface; padding: 1 2; }
    AddFileDialog Label { margin: 1 0 0 0; }
    AddFileDialog #add-file-buttons { height: auto; align-horizontal: right; margin: 1 0 0 0; }
    AddFileDialog Button { margin: 0 0 0 2; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"[b]Add a shared file[/b] (up to {human_size(MAX_SIZE)}; adding a name again keeps "
                         "the old version in history)")
            yield Label("Path of the file on this computer")
            yield LiteralInput(placeholder="/home/office/menu.md", id="add-file-path")
            yield Label("Share it as (optional; e.g. menus/monday.md)")
            yield LiteralInput(placeholder="the file's own name", id="add-file-name")
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
            notify(self, "Type the path of the file to add.", severity="warning")
            self.query_one("#add-file-path", Input).focus()
            return
        self.dismiss((path, self.query_one("#add-file-name", Input).value.strip()))


class FilesPane(Pane):
    SECTION_ID = "files"
    SECTION_TITLE = "Files"

    BINDINGS = [Binding("a", "add_file", "Add a file", id="files-add")]

    def compose(self) -> ComposeResult:
        yield Static("Shared files", classes="pane-title")
        yield FileBrowser()

    def reload(self) -> None:
        self.query_one(FileBrowser).reload()

    def action_add_file(self) -> None:
        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            path, name = answer
            self.submit(lambda: add_path(self.db, self.actor, path, name=name or None), self._added)

        self.app.push_screen(AddFileDialog(), chosen)

    def _added(self, added: SharedFile) -> None:
        again = f" (version {added.version}; the older ones are kept)" if added.version > 1 else ""
        notify(self, f"Added {added.name}, {human_size(added.size)}{again}", title="File added")
        self.query_one(FileBrowser).reload(select=added.name)

"""Office section "Announcements": the notices shown on the login screen and the student home; `n` posts
one, `e` edits the highlighted one and `w` withdraws it (its author, or a manager)."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from campbank.core.errors import InputError
from campbank.core.text import clean_text
from campbank.ledger import clock
from campbank.ledger.actions import notices
from campbank.ledger.actions.notices import MAX_TEXT, MAX_TITLE, Announcement
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.literal import notify, safe
from campbank.widgets.literal_input import LiteralInput, LiteralTextArea
from campbank.widgets.pane import Pane
from campbank.widgets.type_ahead import TypeAheadInput

DEFAULT_DAYS = 2


class AnnouncementDialog(ModalScreen["dict[str, object] | None"]):
    """Title, text and the last day to show it; returns them, or None. Given an announcement, edits it."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Back", id="announce-back"),
        Binding("ctrl+s", "done", "Post", id="announce-post"),
    ]
    DEFAULT_CSS = """
    AnnouncementDialog { align: center middle; }
    AnnouncementDialog > Vertical { width: 80%; max-width: 90; height: auto; max-height: 95%;
                                    border: thick $accent; background: $surface; padding: 0 2; }
    AnnouncementDialog TextArea { height: 6; }
    AnnouncementDialog #announce-buttons { height: auto; align-horizontal: right; }
    AnnouncementDialog Button { margin: 0 0 0 2; }
    """

    def __init__(self, editing: Announcement | None = None) -> None:
        super().__init__()
        self.editing = editing

    def compose(self) -> ComposeResult:
        was = self.editing
        until = was.until if was else clock.today() + timedelta(days=DEFAULT_DAYS)
        with Vertical():
            yield Static(f"[b]Edit announcement #{was.id}[/b]" if was
                         else "[b]New announcement[/b] (login screen and students' home)")
            yield Label("Title")
            # typed at speed, "title<Enter>text" must not run the text into the title
            yield TypeAheadInput(was.title if was else "", id="announce-title", max_length=MAX_TITLE)
            yield Label("Text")
            yield LiteralTextArea(was.text if was else "", id="announce-text")
            yield Label("Show until (YYYY-MM-DD)")
            yield LiteralInput(until.isoformat(), id="announce-until", restrict=r"[0-9-]*", max_length=10)
            with Horizontal(id="announce-buttons"):
                yield Button("Back", id="announce-cancel")
                yield Button("Save (Ctrl+S)" if was else "Post (Ctrl+S)", variant="primary", id="announce-ok")

    def on_mount(self) -> None:
        self.query_one("#announce-title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "announce-title":
            self.query_one("#announce-text", TextArea).focus()
        else:
            self.action_done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "announce-ok":
            self.action_done()
        else:
            self.dismiss(None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def action_done(self) -> None:
        until_text = self.query_one("#announce-until", Input).value.strip()
        try:  # the ledger's own checks, so the dialog stays open with what was typed
            title = clean_text(self.query_one("#announce-title", Input).value, field="title", max_length=MAX_TITLE,
                               required=True)
            text = clean_text(self.query_one("#announce-text", TextArea).text, field="text", max_length=MAX_TEXT,
                              multiline=True)
        except InputError as error:
            notify(self, str(error), title="Not posted", severity="error")
            return
        try:
            until = date.fromisoformat(until_text)
        except ValueError:
            notify(self, f"until: {until_text!r} is not a date written YYYY-MM-DD", severity="error")
            return
        self.dismiss({"title": title, "text": text, "until": until})


class AnnouncementsPane(Pane):

    BINDINGS = [
        Binding("n", "announce", "New announcement", id="announce-new"),
        Binding("e", "edit", "Edit", id="announce-edit"),
        Binding("w", "withdraw", "Withdraw", id="announce-withdraw"),
    ]
    DEFAULT_CSS = """
    AnnouncementsPane #announce-list { height: 1fr; }
    AnnouncementsPane #announce-empty { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Announcement] = []

    def compose(self) -> ComposeResult:
        yield Static("Announcements shown now (n new, e edit, w withdraw)", classes="pane-title")
        yield Static("No announcements are shown now.", id="announce-empty")
        yield OptionList(id="announce-list")

    def reload(self) -> None:
        self.fetch(lambda: notices.current(self.db), self._show)

    def _show(self, items: list[Announcement]) -> None:
        self.items = items
        box = self.query_one("#announce-list", OptionList)
        keep = box.highlighted
        box.clear_options()
        for item in items:
            text = Text()
            text.append(item.title, style="bold").append(f"   until {item.until} · {item.author}\n", style="dim")
            text.append(item.text + "\n")
            box.add_option(Option(safe(text, multiline=True), id=str(item.id)))
        if items:
            box.highlighted = min(keep or 0, len(items) - 1)
        self.query_one("#announce-empty", Static).display = not items

    def selected(self) -> Announcement | None:
        index = self.query_one("#announce-list", OptionList).highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    def action_edit(self) -> None:
        item = self.selected()
        if item is None:
            return

        def answered(values: dict[str, object] | None) -> None:
            if values is not None:
                self.submit(lambda: notices.edit(self.db, self.actor, item.id, title=str(values["title"]),
                                                 text=str(values["text"]), until=values["until"]),  # type: ignore[arg-type]
                            self._posted)

        self.app.push_screen(AnnouncementDialog(item), answered)

    def action_withdraw(self) -> None:
        item = self.selected()
        if item is None:
            return

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: notices.withdraw(self.db, self.actor, item.id, reason=reason), self._withdrawn)

        self.app.push_screen(ConfirmReason(f"Stop showing “{item.title}” on the login screen and the students' "
                                           "home now?", title="Withdraw announcement", yes="Withdraw"), answered)

    def _withdrawn(self, item: Announcement) -> None:
        notify(self, f"Withdrew “{item.title}”", title="Announcement")
        self.reload()

    def action_announce(self) -> None:
        def answered(values: dict[str, object] | None) -> None:
            if values is None:
                return
            self.submit(lambda: notices.announce(self.db, self.actor, title=str(values["title"]),
                                                 text=str(values["text"]), until=values["until"]),  # type: ignore[arg-type]
                        self._posted)

        self.app.push_screen(AnnouncementDialog(), answered)

    def _posted(self, item: Announcement) -> None:
        notify(self, f"Announced “{item.title}” until {item.until}", title="Announcement")
        self.reload()

"""The audit log (managers): who did what and when, newest first, filtered by the start of the action.

Actions read like `txn.declined`, `user.add`, `tax.charged`, `export.money`, `login.failed`: typing
`txn.` shows every state change of a transaction, `user` every change to people. `m` reads more rows.
"""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from campbank.ledger.store.audit import AuditEntry
from campbank.ledger.views.oversight import audit_log
from campbank.widgets.ask import Told
from campbank.widgets.literal import literal
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable
from campbank.widgets.when import SECONDS, SHORT_SECONDS, when

PAGE = 500


class AuditPane(Pane):

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="audit-filter"),
        Binding("m", "more", "More", id="audit-more"),
    ]
    DEFAULT_CSS = """
    AuditPane #audit-prefix { width: 1fr; margin: 0 0 1 0; }
    AuditPane #audit-status { height: 1; color: $text-muted; }
    AuditPane #audit-table { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.limit = PAGE
        """How many of the newest rows to read."""
        self.entries: tuple[AuditEntry, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(self.section_title, classes="pane-title")
        yield LiteralInput(placeholder="/ action starts with… (txn. user. tax. fines. export. login.)",
                    id="audit-prefix", compact=True)
        yield Static("Loading…", id="audit-status")
        table = VimTable(id="audit-table", edges=True)
        table.add_columns("#", "When", "Who", "Action", "Target", "Detail")
        yield table

    @property
    def prefix(self) -> str:
        return self.query_one("#audit-prefix", Input).value.strip()

    def reload(self) -> None:
        prefix, limit = self.prefix, self.limit

        self.fetch(lambda: audit_log(self.db, self.actor, action_prefix=prefix, limit=limit), self._show)

    def _show(self, entries: tuple[AuditEntry, ...]) -> None:
        self.entries = entries
        table = self.query_one("#audit-table", VimTable)
        keep = table.cursor_row
        table.clear()
        for e in entries:
            detail = ", ".join(f"{k}={_short(v)}" for k, v in e.detail.items())
            style = "red" if "fail" in e.action or "lock" in e.action or "declined" in e.action else ""
            table.add_row(Text(str(e.id), justify="right"), when(e.at, SHORT_SECONDS), e.actor,
                          Text(e.action, style=style), Text(e.target), Text(detail[:120]), key=str(e.id))
        if entries:
            table.move_cursor(row=min(keep, len(entries) - 1))
        more = " · m: older" if len(entries) >= self.limit else ""
        what = f" “{self.prefix}…”" if self.prefix else ""
        self.query_one("#audit-status", Static).update(literal(f"{len(entries)} newest{what}{more} · Enter: detail"))

    def action_filter(self) -> None:
        self.query_one("#audit-prefix", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "audit-prefix":
            event.stop()
            self.limit = PAGE
            self.reload()
            self.query_one("#audit-table", VimTable).focus()

    def action_more(self) -> None:
        if len(self.entries) >= self.limit:
            self.limit += PAGE
            self.reload()

    def on_vim_table_edge(self, event: VimTable.Edge) -> None:
        event.stop()
        if event.step > 0:
            self.action_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        entry = next((e for e in self.entries if str(e.id) == event.row_key.value), None)
        if entry is None:
            return
        body = json.dumps(entry.detail, indent=2, ensure_ascii=False, default=str)
        self.app.push_screen(Told(f"{when(entry.at, SECONDS)} by {entry.actor}\n"
                                  f"{entry.action} {entry.target}\n\n{body}", title=f"Audit #{entry.id}"))


def _short(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"

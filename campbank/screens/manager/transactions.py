"""The table of all transactions (managers): one page at a time from SQL, sorted, filtered, drill-down.

Only one page of rows is ever read (`transactions_page`: LIMIT/OFFSET over the sorted, filtered ids),
so a season of 200,000 transactions opens as fast as a week's. j/k past the last or first row turn the
page; 1-8 (or a click on a header) sort by a column, again to flip; `/` filters; Enter opens one.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from campbank.core.errors import CampBankError
from campbank.core.money import format_amount
from campbank.ledger.views.oversight import creators, transaction_types
from campbank.ledger.views.transactions import (
    TransactionFilter,
    TransactionLine,
    TransactionPage,
    transactions_page,
)
from campbank.screens.manager.transaction_detail import (
    STATE_STYLE,
    TransactionDetailScreen,
)
from campbank.screens.manager.transaction_filter import (
    TransactionFilterForm,
    describe,
)
from campbank.widgets.literal import literal
from campbank.widgets.page_table import PageColumn, PageTable
from campbank.widgets.pane import Pane
from campbank.widgets.when import when

PAGE = 50
# column key (a sort of transactions_page), title, newest/largest first when first chosen
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("id", "#", True),
    ("created", "Created", True),
    ("type", "Type", False),
    ("amount", "Amount", True),
    ("creator", "Creator", False),
    ("state", "State", False),
    ("recipients", "Recipients", True),
    ("description", "Description", False),
)
WIDTHS = {"id": 6, "created": 11, "type": 14, "amount": 11, "creator": 11, "state": 11, "recipients": 22}
RIGHT = {"id", "amount"}
SORT_KEYS = tuple(key for key, _, _ in COLUMNS)


class TransactionsPane(Pane):

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="tx-filter"),
        Binding("escape", "clear_filter", "Clear filter", id="tx-clear-filter"),
        Binding("right_square_bracket,ctrl+pagedown", "page(1)", "Next page", id="tx-next-page"),
        Binding("left_square_bracket,ctrl+pageup", "page(-1)", "Prev page", id="tx-prev-page"),
        *(Binding(str(n), f"sort('{key}')", f"Sort by {title}", show=False, id=f"tx-sort-{key}")
          for n, (key, title, _) in enumerate(COLUMNS, 1)),
        Binding("s", "next_sort", "Sort", id="tx-sort"),
    ]
    DEFAULT_CSS = """
    TransactionsPane { layers: below above; }
    TransactionsPane #tx-status { height: 1; color: $text-muted; }
    TransactionsPane #tx-table { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort = "created"
        """The column the table is sorted by (a key of COLUMNS)."""
        self.descending = True
        """Newest (largest, last in the alphabet) first."""
        self.where = TransactionFilter()
        """What the table is filtered by; an empty filter shows everything."""
        self.first_row = 0
        """The first row of the page shown, counted in the whole sorted, filtered table."""
        self.page: TransactionPage | None = None
        self.total: int | None = None
        """How many transactions match the filter, once counted."""
        self._cursor_after_load: int | None = None
        self._choices: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._form_closes_with_page = False
        """The filter form waits for the page its filter finds, to close with it."""
        self._page_read: Worker[TransactionPage] | None = None
        self._keys_for_rows: list[events.Key] = []
        """Keys typed while the form waited for its rows: the table takes them once the rows are in."""

    def compose(self) -> ComposeResult:
        yield Static(self.section_title, classes="pane-title")
        yield Static("Loading…", id="tx-status")
        yield TransactionFilterForm(id="tx-filter-form")
        yield PageTable([PageColumn(key, title, WIDTHS.get(key), key in RIGHT) for key, title, _ in COLUMNS],
                        id="tx-table")

    def on_mount(self) -> None:
        self._mark_sort()

    # -- reading ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the page shown and count what matches (the filter or the ledger changed)."""
        self._read_page(counted=True)

    def _read_page(self, *, counted: bool = False) -> None:
        """Read the page shown; `counted=False` keeps the count (a page turned or a sort changed: the same
        rows). Counting in the same read costs a scan of every description under a text filter, but the rows
        and their count then come in one frame rather than the count in a later one."""
        sort, descending, where, offset = self.sort, self.descending, self.where, self.first_row

        def read() -> TransactionPage:
            return transactions_page(self.db, self.actor, where=where, sort=sort, descending=descending,
                                     offset=offset, limit=PAGE, counted=counted)

        self._page_read = self.fetch(read, self._show, on_error=self._not_read)

    def _not_read(self, error: CampBankError) -> None:
        if self._form_closes_with_page:  # its rows are not coming
            self._close_filter_form()
        self.show_refusal(error)

    def _show(self, page: TransactionPage) -> None:
        if page.total is not None:
            self.total = page.total
            if page.offset and page.offset >= page.total:  # the table shrank under us: show its last page
                self.first_row = max(0, (page.total - 1) // PAGE * PAGE)
                self._read_page()
                return
        self.page = page
        table = self.query_one("#tx-table", PageTable)
        sign = self.campbank.season.currency_sign
        wanted = self._cursor_after_load if self._cursor_after_load is not None else table.cursor_row
        table.show_rows([(str(line.id), self._cells(line, sign)) for line in page.lines], cursor=wanted)
        self._cursor_after_load = None
        self._show_status()
        if self._form_closes_with_page:
            self._close_filter_form()

    @staticmethod
    def _cells(line: TransactionLine, sign: str) -> list[Text | str]:
        amount = format_amount(line.amount, sign)
        return [
            str(line.id),
            when(line.created_at),
            line.type,
            Text(amount, style="red" if line.amount < 0 else ""),
            line.creator,
            Text(line.state, style=STATE_STYLE.get(line.state, "")),
            _clip(line.recipients_text, 60),
            _clip(line.description, 200),
        ]

    def _show_status(self) -> None:
        page = self.page
        if page is None:
            return
        total = "…" if self.total is None else f"{self.total:,}"
        shown = f"{page.offset + 1}–{page.offset + len(page.lines)} of {total}" if page.lines \
            else f"none of {total}" if self.total != 0 else "no transactions"
        title = {k: t for k, t, _ in COLUMNS}[self.sort]
        parts = [shown, f"sorted by {title} {'↓' if self.descending else '↑'}"]
        if (what := describe(self.where)):
            parts.append(f"filter: {what} (Esc clears)")
        # the filter is typed text; one line of a fixed height, so no layout pass is needed
        self.query_one("#tx-status", Static).update(literal(" · ".join(parts)), layout=False)

    def _mark_sort(self) -> None:
        self.query_one("#tx-table", PageTable).mark_column(self.sort, " ↓" if self.descending else " ↑")

    # -- paging, sorting, filtering ---------------------------------------------------------------

    def on_page_table_edge(self, event: PageTable.Edge) -> None:
        event.stop()
        self.action_page(event.step, cursor=0 if event.step > 0 else -1)

    def action_page(self, step: int, cursor: int | None = None) -> None:
        page = self.page
        if page is None:
            return
        offset = self.first_row + step * PAGE
        # before the count is in, a full page may have a next one
        end = self.total if self.total is not None else page.offset + len(page.lines) + (len(page.lines) == PAGE)
        if offset < 0 or offset >= end:
            self.app.bell()
            return
        self.first_row = offset
        self._cursor_after_load = cursor if cursor is not None else 0
        self._read_page()

    def action_sort(self, key: str) -> None:
        if key == self.sort:
            self.descending = not self.descending
        else:
            self.sort = key
            self.descending = {k: d for k, _, d in COLUMNS}[key]
        self.first_row = 0
        self._cursor_after_load = 0
        self._mark_sort()
        self._read_page()

    def action_next_sort(self) -> None:
        self.action_sort(SORT_KEYS[(SORT_KEYS.index(self.sort) + 1) % len(SORT_KEYS)])

    def on_page_table_header_selected(self, event: PageTable.HeaderSelected) -> None:
        event.stop()
        if event.column_key in SORT_KEYS:
            self.action_sort(event.column_key)

    def action_filter(self) -> None:
        if self._choices is None:
            def read() -> tuple[tuple[str, ...], tuple[str, ...]]:
                return transaction_types(), creators(self.db, self.actor)

            self.fetch(read, self._open_filter, group="choices")
            return
        self._open_filter(self._choices)

    def _open_filter(self, choices: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
        self._choices = choices
        types, people = choices
        self.query_one(TransactionFilterForm).open(self.where, types=types, creators=people)

    def on_transaction_filter_form_chosen(self, event: TransactionFilterForm.Chosen) -> None:
        event.stop()
        if event.where is None or event.where == self.where:
            self._close_filter_form()
        else:
            # Nothing changes on screen until the rows come: one frame then shows the form gone, the table
            # focused and the rows it asked for (a frame of its own for the focus would delay them).
            self._form_closes_with_page = True
            self._filtered(event.where)

    def on_transaction_filter_form_key_for_table(self, event: TransactionFilterForm.KeyForTable) -> None:
        """A key typed after the form was done: the table takes it once the form closes (a new filter: once
        its rows are in, for the key is meant for them: Enter opens the row found), at once when no rows are
        awaited or the read failed and they never will come."""
        event.stop()
        self._keys_for_rows.append(event.key)
        rows_failed = self._page_read is not None and self._page_read.state is WorkerState.ERROR
        if not self._form_closes_with_page or rows_failed:
            self._close_filter_form()

    def _close_filter_form(self) -> None:
        self._form_closes_with_page = False
        form = self.query_one(TransactionFilterForm)
        form.waiting = False
        form.display = False
        # At once rather than `focus()`'s next turn: the focus moving is drawn in the frame of the rows
        self.screen.set_focus(self.query_one("#tx-table", PageTable))
        keys, self._keys_for_rows = self._keys_for_rows, []
        for key in keys:
            self.app.call_later(self._press, key)

    def _press(self, key: events.Key) -> None:
        """Press `key` again, as typed: made by the app, whose keys reach every binding (a key made here
        would stop at this pane on its way back up from the table)."""
        self.app.post_message(events.Key(key.key, key.character))

    def _filtered(self, where: TransactionFilter | None) -> None:
        if where is None or where == self.where:
            return
        self.where = where
        self.total = None  # counted again for the new filter
        self.first_row = 0
        self._cursor_after_load = 0
        self.reload()

    def action_clear_filter(self) -> None:
        if self.where != TransactionFilter():
            self._filtered(TransactionFilter())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return self.where != TransactionFilter()
        return True

    # -- drilling down ----------------------------------------------------------------------------

    def on_page_table_row_selected(self, event: PageTable.RowSelected) -> None:
        event.stop()
        self.app.push_screen(TransactionDetailScreen(int(event.key)), self._back_from_detail)

    def _back_from_detail(self, changed: bool | None) -> None:
        if changed:
            self.reload()


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

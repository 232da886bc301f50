"""The table of all transactions (managers): one page at a time from SQL, sorted, filtered, drill-down.

Only one page of rows is ever read (`transactions_page`: LIMIT/OFFSET over the sorted, filtered ids),
so a season of 200,000 transactions opens as fast as a week's. j/k past the last or first row turn the
page; 1-8 (or a click on a header) sort by a column, again to flip; `/` filters; Enter opens one.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from campbank.ledger.money import format_amount
from campbank.ledger.oversight import creators, transaction_types
from campbank.ledger.reports.transactions import TransactionFilter, TransactionLine, TransactionPage, transactions_page
from campbank.screens.manager.transaction_detail import STATE_STYLE, TransactionDetailScreen
from campbank.screens.manager.transaction_filter import TransactionFilterDialog, describe
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable

PAGE = 100
# column key (a sort of transactions_page), title, newest/largest first when first chosen
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("id", "#", True),
    ("created", "Created UTC", True),
    ("type", "Type", False),
    ("amount", "Amount", True),
    ("creator", "Creator", False),
    ("state", "State", False),
    ("recipients", "Recipients", True),
    ("description", "Description", False),
)
SORT_KEYS = tuple(key for key, _, _ in COLUMNS)


class TransactionsPane(Pane):
    SECTION_ID = "transactions"
    SECTION_TITLE = "All transactions"
    ROLES = frozenset({"manager"})

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
        self._cursor_after_load: int | None = None
        self._choices: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.SECTION_TITLE, classes="pane-title")
        yield Static("Loading…", id="tx-status")
        yield VimTable(id="tx-table", edges=True)

    def on_mount(self) -> None:
        self._build_columns()

    # -- reading ----------------------------------------------------------------------------------

    def reload(self) -> None:
        sort, descending, where, offset = self.sort, self.descending, self.where, self.first_row

        def read() -> TransactionPage:
            with self.db.session() as session:
                return transactions_page(session, self.actor, where=where, sort=sort, descending=descending,
                                         offset=offset, limit=PAGE)

        self.fetch(read, self._show)

    def _show(self, page: TransactionPage) -> None:
        if page.offset and page.offset >= page.total:  # the filter shrank the table under us
            self.first_row = max(0, (page.total - 1) // PAGE * PAGE)
            self.reload()
            return
        self.page = page
        table = self.query_one("#tx-table", VimTable)
        keep = table.cursor_row
        table.clear()
        sign = self.campbank.season.currency_sign
        for line in page.lines:
            table.add_row(*self._cells(line, sign), key=str(line.id))
        if page.lines:
            wanted = self._cursor_after_load if self._cursor_after_load is not None else keep
            row = len(page.lines) - 1 if wanted < 0 else min(wanted, len(page.lines) - 1)
            table.move_cursor(row=row, scroll=True)
        self._cursor_after_load = None
        self._show_status()

    @staticmethod
    def _cells(line: TransactionLine, sign: str) -> list[object]:
        amount = format_amount(line.amount, sign)
        return [
            Text(str(line.id), justify="right"),
            f"{line.created_at:%m-%d %H:%M}",
            line.type,
            Text(amount, justify="right", style="red" if line.amount < 0 else ""),
            line.creator,
            Text(line.state, style=STATE_STYLE.get(line.state, "")),
            Text(_clip(line.recipients_text, 24)),
            Text(_clip(line.description, 70)),
        ]

    def _show_status(self) -> None:
        page = self.page
        if page is None:
            return
        shown = f"{page.offset + 1}–{page.offset + len(page.lines)} of {page.total:,}" if page.lines \
            else f"none of {page.total:,}" if page.total else "no transactions"
        title = {k: t for k, t, _ in COLUMNS}[self.sort]
        parts = [shown, f"sorted by {title} {'↓' if self.descending else '↑'}"]
        if (what := describe(self.where)):
            parts.append(f"filter: {what} (Esc clears)")
        self.query_one("#tx-status", Static).update(" · ".join(parts))

    def _build_columns(self) -> None:
        table = self.query_one("#tx-table", VimTable)
        table.clear(columns=True)
        for key, title, _ in COLUMNS:
            mark = (" ↓" if self.descending else " ↑") if key == self.sort else ""
            table.add_column(title + mark, key=key)

    # -- paging, sorting, filtering ---------------------------------------------------------------

    def on_vim_table_edge(self, event: VimTable.Edge) -> None:
        event.stop()
        self.action_page(event.step, cursor=0 if event.step > 0 else -1)

    def action_page(self, step: int, cursor: int | None = None) -> None:
        page = self.page
        if page is None:
            return
        offset = self.first_row + step * PAGE
        if offset < 0 or offset >= page.total:
            self.app.bell()
            return
        self.first_row = offset
        self._cursor_after_load = cursor if cursor is not None else 0
        self.reload()

    def action_sort(self, key: str) -> None:
        if key == self.sort:
            self.descending = not self.descending
        else:
            self.sort = key
            self.descending = {k: d for k, _, d in COLUMNS}[key]
        self.first_row = 0
        self._cursor_after_load = 0
        self._build_columns()
        self.reload()

    def action_next_sort(self) -> None:
        self.action_sort(SORT_KEYS[(SORT_KEYS.index(self.sort) + 1) % len(SORT_KEYS)])

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        if event.column_key.value in SORT_KEYS:
            self.action_sort(event.column_key.value)

    def action_filter(self) -> None:
        if self._choices is None:
            def read() -> tuple[tuple[str, ...], tuple[str, ...]]:
                with self.db.session() as session:
                    return transaction_types(), creators(session, self.actor)

            self.fetch(read, self._open_filter, group="choices")
            return
        self._open_filter(self._choices)

    def _open_filter(self, choices: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
        self._choices = choices
        types, people = choices
        self.app.push_screen(TransactionFilterDialog(self.where, types=types, creators=people), self._filtered)

    def _filtered(self, where: TransactionFilter | None) -> None:
        if where is None or where == self.where:
            return
        self.where = where
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

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is None:
            return
        self.app.push_screen(TransactionDetailScreen(int(event.row_key.value)), self._back_from_detail)

    def _back_from_detail(self, changed: bool | None) -> None:
        if changed:
            self.reload()


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

"""Office section "Policy dry-run" (managers): name a candidate season file, see what its tax and study fines
would have charged this camp so far and by the last day, per squad and per student, and who would fall into
danger. Nothing is written (`ledger.views.policy_try`)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Input, Static

from campbank.core.errors import CampBankError
from campbank.core.money import format_amount
from campbank.ledger.actions.setup import season_source
from campbank.ledger.season.load import read_season_file
from campbank.ledger.views.policy_try import DryRun, try_season
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable


class PolicyTryPane(Pane):

    DEFAULT_CSS = """
    PolicyTryPane #try-file { width: 1fr; max-width: 80; }
    PolicyTryPane #try-summary { height: auto; padding: 1 0 0 0; }
    PolicyTryPane #try-students { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.run: DryRun | None = None
        """The last dry-run shown."""

    def compose(self) -> ComposeResult:
        yield Static("Policy dry-run: a candidate season against this camp (writes nothing)", classes="pane-title")
        yield LiteralInput(placeholder="season file path, or classic / flat-tax / savings; Enter", id="try-file")
        yield Static("", id="try-summary")
        yield VimTable(id="try-students")

    def on_mount(self) -> None:
        table = self.query_one("#try-students", DataTable)
        for label in ("Student", "Squad", "Balance", "Charged", "Candidate", "Had it been", "End", "End cand.", ""):
            table.add_column(label, key=label)

    def reload(self) -> None:
        """Nothing to fetch until a file is named."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "try-file" or not event.value.strip():
            return
        event.stop()
        name = event.value.strip()

        def read() -> DryRun:
            text, source = read_season_file(season_source(name))
            return try_season(self.db, self.actor, text, source)

        self.query_one("#try-summary", Static).update("Computing…")
        self.fetch(read, self._show, on_error=self._refused)

    def _refused(self, error: CampBankError) -> None:
        self.query_one("#try-summary", Static).update(Text(str(error), style="red"))

    def _show(self, run: DryRun) -> None:
        self.run = run
        sign = run.currency_sign

        def money(cents: int) -> str:
            return format_amount(cents, sign)

        head = Text()
        head.append(run.candidate, style="bold").append(f" against {run.season}: {run.days_so_far} of "
                                                         f"{run.season_days} days so far. ")
        head.append(f"{len(run.falling)} would fall into danger.", style="bold red" if run.falling else "green")
        # Amounts never wrap nor shrink to "…": on a narrow terminal the words beside them wrap instead.
        parts = Table(box=None, padding=(0, 1), show_edge=False)
        longest_word = max((len(word) for c in run.components for word in c.name.split()), default=0)
        for title in ("", "So far", "Candidate", "By the end", "Candidate"):
            parts.add_column(title, justify="right" if title else "left", no_wrap=bool(title),
                             min_width=None if title else longest_word)  # a name wraps, never "intere…"
        for c in run.components:
            parts.add_row(c.name, money(c.charged), money(c.would_charge), money(c.charged_by_end),
                          money(c.would_charge_by_end))
        # Each number and count pair ("33 → 15") on one line, its heading on two short ones, one space
        # between columns: at 80 columns the squad's name still has room to wrap in.
        squads = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False, collapse_padding=True)
        squad_word = max((len(word) for sq in run.squads for word in (sq.squad or "No squad").split()), default=5)
        for title in ("Squad", "Students", "Difference", "Danger now\n→ cand.", "At the end\n→ cand.", "Fall"):
            squads.add_column(title, justify="left" if title == "Squad" else "right", no_wrap=title != "Squad",
                              min_width=max(5, squad_word) if title == "Squad" else None)
        for sq in run.squads:
            squads.add_row(Text(sq.squad or "No squad"), str(sq.students), money(sq.difference),
                           f"{sq.danger_now} → {sq.danger_now_candidate}",
                           f"{sq.danger_at_end} → {sq.danger_at_end_candidate}",
                           Text(str(sq.falling), style="bold red" if sq.falling else ""))
        notes = Text("\n".join(run.notes), style="dim")
        self.query_one("#try-summary", Static).update(Group(head, parts, squads, notes))
        table = self.query_one("#try-students", DataTable)
        table.clear()
        for s in sorted(run.students, key=lambda s: not s.falls_into_danger):  # who falls first, then the rest
            table.add_row(Text(s.full_name), Text(s.squad or "-"), money(s.balance), money(s.charged),
                          money(s.would_charge), money(s.balance_candidate), money(s.end_balance),
                          money(s.end_balance_candidate),
                          Text("falls into danger", style="bold red") if s.falls_into_danger else "",
                          key=s.username)

"""One student, drilled down from the list: balance (with its pockets), an open loan, certificates, programme,
fines to expect, history; `l` grants a loan where the season has loans."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from campbank.core.counters import COUNTS
from campbank.core.errors import CampBankError
from campbank.core.money import format_amount
from campbank.ledger import clock
from campbank.ledger.actions.posting import Posted
from campbank.ledger.views.accounts import HistoryLine
from campbank.ledger.views.savings import SavingsCard, savings_card
from campbank.ledger.views.students import StudentCard, older_history, student_card
from campbank.rules.savings import OFF
from campbank.rules.study_fine import Progress
from campbank.screens.staff.loan_grant import LoanGrantDialog
from campbank.screens.staff.print_statement import PrintStatementDialog
from campbank.widgets.confirm import ConfirmDialog
from campbank.widgets.key_footer import KeyFooter
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import literal, notify, safe
from campbank.widgets.live import LiveLedger
from campbank.widgets.vim_table import VimTable

if TYPE_CHECKING:
    from campbank.formats.statements.writer import WrittenStatements

GOALS = (("visits", "visits_target", "Seminars + facultatives"), ("labs", "labs_target", "Labs passed"),
         ("fac_passes", "fac_passes_target", "Facultatives passed"),
         ("seminars_given", "seminars_target", "Seminars given"))


def progress_table(card: StudentCard, sign: str) -> Table:
    """Each goal's count against the final (and equator) targets, and the fine to expect."""
    stages: list[tuple[str, Progress]] = [("Final", card.study.final)]
    if card.study.equator is not None:
        stages.insert(0, ("Equator", card.study.equator))
    table = Table(show_edge=False, pad_edge=False, header_style="bold", expand=True)
    table.add_column("Programme")
    for name, _ in stages:
        table.add_column(name, justify="right")
    for attribute, target, label in GOALS:
        cells = []
        for _, stage in stages:
            have, need = getattr(stage, attribute), getattr(stage, target)
            cells.append(Text(f"{have} / {need}", style="green" if have >= need else "yellow"))
        table.add_row(label, *cells)
    table.add_row(Text("Expected fine", style="bold"),
                  *(Text(format_amount(stage.expected_fine, sign), style="bold red" if stage.expected_fine else "green")
                    for _, stage in stages))
    return table


def savings_facts(saved: SavingsCard, sign: str) -> Text:
    """The pockets (the split of the balance) and the open loan (or one waiting for a second manager), a line
    each; goal names literally."""
    text = literal("Pockets " + "  ".join(f"{p.name} {format_amount(p.balance, sign)}" for p in saved.pockets))
    loan = saved.open_loan
    if loan is not None:
        upcoming = loan.next_due
        text.append(f"\nLoan #{loan.loan.id}: ").append(format_amount(loan.loan.outstanding, sign), style="bold")
        text.append(" outstanding" + (f", next {format_amount(upcoming.left, sign)} on {upcoming.due}"
                                      if upcoming else ""))
    for waiting in (card for card in saved.loans if card.status == "waiting"):
        text.append(f"\nLoan #{waiting.loan.id}: ").append(format_amount(waiting.loan.principal, sign), style="bold")
        text.append(" waits for a second manager", style="yellow")
    return text


class StudentDetailScreen(LiveLedger, LedgerWork, Screen[None]):
    BINDINGS = [
        Binding("escape,left", "app.pop_screen", "Back", id="detail-back"),
        Binding("m", "more", "Older history", id="detail-more"),
        Binding("f5", "reload", "Refresh", id="detail-refresh"),
        Binding("l", "grant_loan", "Grant a loan", id="detail-grant-loan"),
        Binding("p", "print_statement", "Statement (PDF)", id="detail-print"),
    ]
    DEFAULT_CSS = """
    StudentDetailScreen #detail-top { height: auto; padding: 0 1; }
    StudentDetailScreen #detail-facts { width: 1fr; height: auto; padding: 0 2 0 0; }
    StudentDetailScreen #detail-study { width: 1fr; height: auto; }
    StudentDetailScreen #detail-history { height: 1fr; margin: 1 1 0 1; }
    StudentDetailScreen #detail-more { height: 1; padding: 0 1; color: $text-muted; }
    StudentDetailScreen.narrow #detail-top { layout: vertical; }
    """

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username
        self.lines: list[HistoryLine] = []
        self.has_more = False
        self.wanted = 0
        """How many history lines the person has had shown (older pages asked for with `m` stay on a reload)."""
        self._print_again: Callable[[str | None, bool], None] = lambda path, force: None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="detail-top"):
            yield Static("Loading…", id="detail-facts")
            yield Static("", id="detail-study")
        yield VimTable(id="detail-history", edges=True)
        yield Static("", id="detail-more")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = self.username
        table = self.query_one("#detail-history", DataTable)
        for label in ("Date", "Txn", "Type", "What", "Amount", "Balance"):
            table.add_column(label, key=label.lower())
        self.action_reload()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "narrow")

    def action_reload(self) -> None:
        wanted = self.wanted

        def read() -> tuple[StudentCard, SavingsCard | None]:
            card = student_card(self.db, self.actor, self.username, limit=wanted or None)
            if not any(getattr(self.campbank.season, part).enabled for part in OFF):
                return card, None
            return card, savings_card(self.db, self.actor, self.username)

        self.fetch(read, lambda cards: self._show(*cards))

    def action_grant_loan(self) -> None:
        if not self.campbank.season.loans.enabled:
            self.notify(OFF["loans"], severity="warning")
            return
        self.app.push_screen(LoanGrantDialog(self.username), self._granted)

    def _granted(self, posted: Posted | None) -> None:
        if posted is None:
            return
        if posted.waits:  # four eyes: say why it waits (the page shows it as waiting)
            sign = self.campbank.season.currency_sign
            notify(self.app, f"#{posted.id} {posted.summary(sign)}", title="Waits for a second manager",
                   severity="warning", timeout=20)
        self.action_reload()

    def _show(self, card: StudentCard, saved: SavingsCard | None = None) -> None:
        season = self.campbank.season
        sign = season.currency_sign
        row = card.row
        style = "bold red" if row.balance <= season.balance_danger else (
            "bold yellow" if row.balance < season.balance_warning else "bold green")
        facts = Text()
        facts.append(f"{row.full_name}", style="bold").append(f"  {row.username}\n", style="dim")
        facts.append(f"{row.squad or '-'}, grade {row.grade or '-'}" + ("" if row.active else "  (deactivated)") + "\n")
        facts.append("Balance ").append(format_amount(row.balance, sign), style=style)
        facts.append("   Certificates ").append(format_amount(row.certificates, sign), style="bold")
        facts.append("\nNext lecture-miss fine ").append(format_amount(card.study.next_lecture_fine, sign),
                                                          style="bold")
        if saved is not None:
            facts.append("\n").append(savings_facts(saved, sign))
        counters = [f"{name.replace('_', ' ')} {row.counters[name]}" for name in COUNTS if row.counters.get(name)]
        if counters:
            facts.append("\n" + " · ".join(counters), style="dim")
        self.query_one("#detail-facts", Static).update(safe(facts, multiline=True))
        self.query_one("#detail-study", Static).update(progress_table(card, sign))
        self.lines = []
        self.query_one("#detail-history", DataTable).clear()
        self._add(card.history, card.more)
        if card.more and len(self.lines) < self.wanted:  # older lines came in while this was read
            self.action_reload()

    def _add(self, lines: list[HistoryLine], more: bool) -> None:
        table = self.query_one("#detail-history", DataTable)
        sign = self.campbank.season.currency_sign
        types = self.campbank.season.money_types
        for line in lines:
            what = types[line.money_type].label if line.money_type in types else line.money_type
            if line.description and line.description.casefold() != what.casefold():
                what += f" — {line.description}"
            if line.reverses:
                what = f"reversed: {what}"
            table.add_row(
                str(line.day), f"#{line.transaction_id}", line.type, Text(what, style="dim" if line.reverses else ""),
                Text(format_amount(line.amount, sign), style="green" if line.amount > 0 else "red", justify="right"),
                Text(format_amount(line.balance_after, sign), justify="right"),
                key=str(line.journal_id),
            )
        self.lines.extend(lines)
        self.wanted = max(self.wanted, len(self.lines))
        self.has_more = more
        note = f"{len(self.lines)} movements, newest first"
        self.query_one("#detail-more", Static).update(note + (" — m for older ones" if more else " — that is all"))

    def on_vim_table_edge(self, event: VimTable.Edge) -> None:
        if event.step > 0 and self.has_more:
            self.action_more()

    def action_more(self) -> None:
        if not self.has_more or not self.lines:
            notify(self, "No older history.")
            return
        before = self.lines[-1].journal_id
        self.fetch(lambda: older_history(self.db, self.actor, self.username, before),
                   lambda page: self._add(*page), group="more")

    def action_print_statement(self) -> None:
        """Write this student's statement to a PDF the person names (`print_statement`)."""
        suggested = Path.home() / f"statement-{self.username}-{clock.today()}.pdf"

        def chosen(path: str | None, force: bool = False) -> None:
            if path is None:
                return
            target = Path(path).expanduser()

            def write() -> WrittenStatements:
                # the PDF and QR libraries load when a statement is printed (in the worker), not with the
                # office: each browser session is a process of its own
                from campbank.formats.statements.writer import write_statements

                return write_statements(self.db, self.actor, [self.username], target, force=force)

            self.submit(write,
                        self._printed, on_error=lambda error: self._print_refused(error, path, force))

        self._print_again = chosen
        self.app.push_screen(PrintStatementDialog(self.username, suggested), chosen)

    def _print_refused(self, error: CampBankError, path: str, force: bool) -> None:
        if not force and "already exists" in error.message:
            def answered(yes: bool | None) -> None:
                if yes:
                    self._print_again(path, True)

            self.app.push_screen(ConfirmDialog(f"Replace {path}?", "A file of that name exists.", confirm="Replace",
                                               cancel="Keep it", danger=True), answered)
            return
        self.show_refusal(error)

    def _printed(self, written: WrittenStatements) -> None:
        code = written.codes[0][1] if written.codes else ""
        self.notify(f"Wrote {written.path} ({written.pages} page{'s' if written.pages != 1 else ''}); "
                    f"verification code {code}", title="Statement", timeout=15, markup=False)

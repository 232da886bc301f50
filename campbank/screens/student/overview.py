"""The student's balance (large), certificates, study programme and the fines to expect."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Digits, ProgressBar, Static

from campbank.core.money import format_amount
from campbank.core.text import shown
from campbank.ledger.actions import notices
from campbank.ledger.views.accounts import BalanceRow
from campbank.ledger.views.study import StudyStatus, balance_and_study
from campbank.widgets.ledger_work import LedgerWork
from campbank.widgets.literal import assemble, literal
from campbank.widgets.live import LiveLedger


@dataclass(frozen=True)
class Snapshot:
    row: BalanceRow
    study: StudyStatus
    news: list[notices.Announcement]


class Overview(LiveLedger, LedgerWork, VerticalScroll):
    DEFAULT_CSS = """
    Overview { padding: 0 1; }
    Overview #balance { width: auto; }
    Overview #balance.danger { color: $error; }
    Overview #balance.warning { color: $warning; }
    Overview .row { height: auto; }
    Overview .goal { height: 1; }
    Overview .goal > Static { width: 34; }
    Overview .goal ProgressBar { width: 1fr; }
    Overview .heading { text-style: bold; color: $accent; margin: 1 0 0 0; }
    Overview .announcement { border-left: thick $accent; padding: 0 1; }
    """

    GOALS = (("visits", "Seminars + facultatives"), ("labs", "Labs"), ("fac_passes", "Facultatives passed"),
             ("seminars_given", "Seminars given"))

    def compose(self) -> ComposeResult:
        yield Static("Balance", classes="heading")
        yield Digits("", id="balance")
        yield Static("", id="balance-split")
        yield Static("", id="certificates")
        yield Static("Study programme (end of session)", classes="heading")
        for key, label in self.GOALS:
            with Horizontal(classes="goal"):
                yield Static(label, id=f"label-{key}")
                yield ProgressBar(id=f"goal-{key}", show_eta=False)
        yield Static("", id="fines")
        yield Static("Announcements", classes="heading")
        yield VerticalScroll(id="news")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.fetch(self._snapshot, self._show)

    def _snapshot(self) -> Snapshot:
        row, study = balance_and_study(self.db, self.actor, self.actor.username)
        return Snapshot(row, study, notices.current(self.db))

    def _show(self, snap: Snapshot) -> None:
        season = self.campbank.season
        sign = season.currency_sign
        balance = self.query_one("#balance", Digits)
        balance.update(shown(format_amount(snap.row.balance, sign)))
        balance.set_class(snap.row.balance <= season.balance_danger, "danger")
        balance.set_class(season.balance_danger < snap.row.balance < season.balance_warning, "warning")
        split = self.query_one("#balance-split", Static)
        split.display = bool(snap.row.saved)
        split.update(literal(f"main pocket {format_amount(snap.row.main, sign)} + other pockets "
                             f"{format_amount(snap.row.saved, sign)} (the Pockets tab shows each)"))
        self.query_one("#certificates", Static).update(
            assemble("Book certificates: ", (format_amount(snap.row.certificates, sign), "bold")))
        final = snap.study.final
        values = {"visits": (final.visits, final.visits_target), "labs": (final.labs, final.labs_target),
                  "fac_passes": (final.fac_passes, final.fac_passes_target),
                  "seminars_given": (final.seminars_given, final.seminars_target)}
        for key, label in self.GOALS:
            done, target = values[key]
            self.query_one(f"#label-{key}", Static).update(literal(f"{label}: {done}/{target}"))
            self.query_one(f"#goal-{key}", ProgressBar).update(total=max(target, 1), progress=min(done, target)
                                                                 if target else 1)
        fines = assemble("Expected end-of-session fine: ", (format_amount(final.expected_fine, sign), "bold"),
                         "    Next lecture miss: ", (format_amount(snap.study.next_lecture_fine, sign), "bold"))
        if snap.study.equator_charged is not None:
            charged = format_amount(snap.study.equator_charged, sign)
            fines.append(literal(f"\nMid-session (equator) fine charged: {charged}", multiline=True))
        elif snap.study.equator is not None:
            equator = format_amount(snap.study.equator.expected_fine, sign)
            fines.append(literal(f"\nMid-session (equator) fine if checked now: {equator}", multiline=True))
        self.query_one("#fines", Static).update(fines)
        news = self.query_one("#news", VerticalScroll)
        news.remove_children()
        for item in snap.news:
            news.mount(Static(assemble((item.title, "bold"), "\n", item.text), classes="announcement"))
        if not snap.news:
            news.mount(Static("No announcements.", classes="muted"))

"""Funds and savings circles (office). Funds: every fund with its total against the target; open one,
`s` spends one that reached its target (say what it buys), `x` cancels one (every contribution refunded).
Circles: every circle and its rounds held; managers set one up and `v` voids one (every round reversed)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static, TabbedContent, TabPane

from campbank.core.money import format_amount
from campbank.ledger.actions import circles, funds
from campbank.ledger.views.savings import CircleCard, FundLine, funds_and_circles
from campbank.widgets.ask import ConfirmReason
from campbank.widgets.literal import literal, notify
from campbank.widgets.literal_input import LiteralInput
from campbank.widgets.pane import Pane
from campbank.widgets.vim_table import VimTable


class FundsCirclesPane(Pane):
    BINDINGS = [
        Binding("s", "spend", "Spend fund", id="fund-spend"),
        Binding("x", "cancel_fund", "Cancel fund", id="fund-cancel"),
        Binding("v", "void_circle", "Void circle", id="circle-void"),
    ]
    DEFAULT_CSS = """
    FundsCirclesPane VimTable { height: 1fr; min-height: 4; }
    FundsCirclesPane .form-row { height: auto; margin: 1 0 0 0; }
    FundsCirclesPane .form-row Input { width: 16; margin: 0 1 0 0; }
    FundsCirclesPane #fund-name, FundsCirclesPane #circle-members { width: 26; }
    FundsCirclesPane .note { color: $text-muted; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.funds: tuple[FundLine, ...] = ()
        self.circles: tuple[CircleCard, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(self.section_title, classes="pane-title")
        with TabbedContent(id="funds-circles-tabs"):
            with TabPane("Funds", id="tab-funds-office"):
                table = VimTable(id="funds-office-table")
                table.add_columns("Fund", "Name", "Target", "Total", "Deadline", "Squad", "Givers", "State")
                yield table
                with Horizontal(classes="form-row"):
                    yield LiteralInput(placeholder="new fund's name", id="fund-name", compact=True)
                    yield LiteralInput(placeholder="target", id="fund-target", compact=True)
                    yield LiteralInput(placeholder="deadline YYYY-MM-DD", id="fund-deadline", compact=True)
                    yield LiteralInput(placeholder="squad (optional)", id="fund-squad", compact=True)
                    yield Button("Open fund", id="fund-open", compact=True)
                yield Static("s spend (at the target) · x cancel (refund everyone)", classes="note")
            with TabPane("Circles", id="tab-circles-office"):
                table = VimTable(id="circles-office-table")
                table.add_columns("Circle", "Name", "Pays", "Start", "Members in order", "Held", "State")
                yield table
                with Horizontal(classes="form-row", id="circle-form"):
                    yield LiteralInput(placeholder="circle's name", id="circle-name", compact=True)
                    yield LiteralInput(placeholder="usernames, in order", id="circle-members", compact=True)
                    yield LiteralInput(placeholder="contribution", id="circle-contribution", compact=True)
                    yield LiteralInput(placeholder="start YYYY-MM-DD", id="circle-start", compact=True)
                    yield Button("Set up", id="circle-create", compact=True)
                yield Static("", id="circles-note", classes="note")

    def reload(self) -> None:
        self.fetch(lambda: funds_and_circles(self.db, self.actor), self._show)

    def _show(self, data: tuple[tuple[FundLine, ...], tuple[CircleCard, ...]]) -> None:
        self.funds, self.circles = data
        sign = self.campbank.season.currency_sign

        def money(cents: int) -> Text:
            return literal(format_amount(cents, sign), justify="right")

        table = self.query_one("#funds-office-table", VimTable)
        table.clear()
        for line in self.funds:
            fund = line.fund
            table.add_row(f"#{fund.id}", fund.name, money(fund.target), money(fund.total), str(fund.deadline),
                          fund.squad or "everyone", str(line.contributors), fund.state, key=str(fund.id))
        table = self.query_one("#circles-office-table", VimTable)
        table.clear()
        for card in self.circles:
            circle = card.circle
            state = "void" if card.voided else ("finished" if card.held == len(circle.members) else "running")
            table.add_row(f"#{circle.id}", circle.name, money(circle.contribution), str(circle.start),
                          ", ".join(circle.members), f"{card.held}/{len(circle.members)}", state, key=str(circle.id))
        manager = self.actor.role == "manager"
        self.query_one("#circle-form").display = manager
        self.query_one("#circles-note", Static).update(
            "v void (every round reversed)" if manager else "Managers set circles up and void them.")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "fund-open":
            self._open_fund()
        elif event.button.id == "circle-create":
            self._create_circle()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id and event.input.id.startswith("fund-"):
            self._open_fund()
        elif event.input.id and event.input.id.startswith("circle-"):
            self._create_circle()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _open_fund(self) -> None:
        name, target, deadline = self._value("fund-name"), self._value("fund-target"), self._value("fund-deadline")
        squad = self._value("fund-squad") or None
        self.submit(lambda: funds.open_fund(self.db, self.actor, name, target, deadline, squad=squad),
                    self._fund_opened)

    def _fund_opened(self, fund_id: int) -> None:
        for widget_id in ("fund-name", "fund-target", "fund-deadline", "fund-squad"):
            self.query_one(f"#{widget_id}", Input).value = ""
        notify(self.app, f"Fund #{fund_id} opened.")
        self.reload()

    def _create_circle(self) -> None:
        members = [name.strip() for name in self._value("circle-members").replace(";", ",").split(",") if name.strip()]
        name, contribution, start = self._value("circle-name"), self._value("circle-contribution"), \
            self._value("circle-start")
        self.submit(lambda: circles.create(self.db, self.actor, name, members, contribution, start),
                    self._circle_created)

    def _circle_created(self, circle_id: int) -> None:
        for widget_id in ("circle-name", "circle-members", "circle-contribution", "circle-start"):
            self.query_one(f"#{widget_id}", Input).value = ""
        notify(self.app, f"Circle #{circle_id} set up.")
        self.reload()

    def _chosen_fund(self) -> FundLine | None:
        table = self.query_one("#funds-office-table", VimTable)
        if not self.funds or not 0 <= table.cursor_row < len(self.funds):
            notify(self.app, "Choose a fund in the table first.", severity="warning")
            return None
        return self.funds[table.cursor_row]

    def action_spend(self) -> None:
        line = self._chosen_fund()
        if line is None:
            return
        fund = line.fund
        sign = self.campbank.season.currency_sign
        question = f"Spend fund #{fund.id} ({fund.name}): {format_amount(fund.total, sign)} goes to the bank."

        def answer(what: str | None) -> None:
            if what is not None:
                self.submit(lambda: funds.spend(self.db, self.actor, fund.id, what),
                            lambda closed: self._after(f"Fund #{closed.fund_id} spent."))

        self.app.push_screen(ConfirmReason(question, title="Spend a fund", yes="Spend it", no="Back",
                                           placeholder="what the money buys (required)"), answer)

    def action_cancel_fund(self) -> None:
        line = self._chosen_fund()
        if line is None:
            return
        question = f"Cancel fund #{line.fund.id} ({line.fund.name})? Every contribution is refunded exactly."

        def answer(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: funds.cancel(self.db, self.actor, line.fund.id, reason=reason),
                            lambda closed: self._after(f"Fund #{closed.fund_id} cancelled and refunded."))

        self.app.push_screen(ConfirmReason(question, title="Cancel a fund", yes="Cancel and refund"), answer)

    def action_void_circle(self) -> None:
        table = self.query_one("#circles-office-table", VimTable)
        if not self.circles or not 0 <= table.cursor_row < len(self.circles):
            notify(self.app, "Choose a circle in the Circles tab first.", severity="warning")
            return
        card = self.circles[table.cursor_row]
        question = f"Void circle #{card.circle.id} ({card.circle.name})? Its {card.held} rounds held are reversed."

        def answer(reason: str | None) -> None:
            if reason is not None:
                self.submit(lambda: circles.void(self.db, self.actor, card.circle.id, reason=reason),
                            lambda n: self._after(f"Circle void: {n} rounds reversed."))

        self.app.push_screen(ConfirmReason(question, title="Void a circle", yes="Void it"), answer)

    def _after(self, message: str) -> None:
        notify(self.app, message)
        self.reload()

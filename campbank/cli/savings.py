"""`campbank pockets|loans|funds|circles …`: savings and credit from the command line (docs/savings.md).

Students move money and repay with `campbank post` (pocket_move, loan_repay, fund_contribution); these
commands are for what people do besides: open and close pockets, grant, cancel and write off loans,
open, spend and cancel funds, set up and void circles, and list them all. Names people typed are
printed literally.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from campbank.cli.common import (
    AS_HELP,
    console,
    currency_sign,
    fail_on_error,
    sign_in_as,
    signed_in,
    state,
    title,
)
from campbank.core.money import format_amount
from campbank.widgets.literal import literal

pockets_app = typer.Typer(help="A student's pockets: list, open a savings or goal pocket, close an empty one.")
loans_app = typer.Typer(help="Loans: list, grant, cancel before the first instalment, write off.")
funds_app = typer.Typer(help="Funds: list, open, spend at the target, cancel (every contribution refunded).")
circles_app = typer.Typer(help="Savings circles: list, set up (managers), void (managers).")
AsUser = Annotated[str, typer.Option("--as", help=AS_HELP)]
ViewAs = Annotated[str | None, typer.Option("--as", help=AS_HELP)]
Reason = Annotated[str, typer.Option(help="Why (kept in the audit log).")]


def register(app: typer.Typer) -> None:
    app.add_typer(pockets_app, name="pockets")
    app.add_typer(loans_app, name="loans")
    app.add_typer(funds_app, name="funds")
    app.add_typer(circles_app, name="circles")


def money(cents: int, sign: str) -> Text:
    """An amount with the season's currency sign (typed in the season file, so shown literally)."""
    return literal(format_amount(cents, sign), justify="right")


# ------------------------------------------------------------------------------------------------ pockets


@pockets_app.command("list")
def pockets_list(ctx: typer.Context, username: Annotated[str, typer.Argument(help="The student.")],
                 as_user: ViewAs = None) -> None:
    """A student's pockets with the balance of each, and the total."""
    from campbank.ledger.views.savings import savings_card

    with fail_on_error():
        db = state(ctx).database()
        actor = signed_in(ctx, db, as_user)
        card = savings_card(db, actor, username)
    sign = card.season.currency_sign
    table = Table(title=title(f"Pockets of {username}"))
    for column in ("pocket", "kind", "balance", "target"):
        table.add_column(column, justify="right" if column in ("balance", "target") else "left")
    for pocket in card.pockets:
        table.add_row(literal(pocket.name), pocket.kind, money(pocket.balance, sign),
                      money(pocket.target, sign) if pocket.target else "")
    table.add_row(Text("total", style="bold"), "", money(card.total, sign), "")
    console.print(table)


@pockets_app.command("open")
def pockets_open(ctx: typer.Context, kind: Annotated[str, typer.Argument(help="savings or goal")], as_user: AsUser,
                 name: Annotated[str | None, typer.Option(help="A goal pocket's name.")] = None,
                 target: Annotated[str | None, typer.Option(help="A goal pocket's target amount.")] = None) -> None:
    """Open the student's savings pocket, or a goal pocket with a name (the student signs in)."""
    from campbank.ledger.actions.pockets import open_pocket

    with fail_on_error():
        db = state(ctx).database()
        opened = open_pocket(db, sign_in_as(db, as_user), kind, name, target=target)
    console.print(literal(f"Opened the {opened.kind} pocket {opened.name!r}"))


@pockets_app.command("close")
def pockets_close(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The pocket's name.")],
                  as_user: AsUser) -> None:
    """Close one of the student's pockets; it must be empty."""
    from campbank.ledger.actions.pockets import close_pocket

    with fail_on_error():
        db = state(ctx).database()
        close_pocket(db, sign_in_as(db, as_user), name)
    console.print(literal(f"Closed the pocket {name.strip()!r}"))


# -------------------------------------------------------------------------------------------------- loans


@loans_app.command("list")
def loans_list(ctx: typer.Context, all_loans: Annotated[bool, typer.Option("--all", help="Closed ones too.")] = False,
               as_user: ViewAs = None) -> None:
    """Every loan (by default the open ones and those waiting for a second manager): amount, due, paid,
    written off, outstanding, next instalment."""
    from campbank.ledger.views.savings import loans_overview

    with fail_on_error():
        db = state(ctx).database()
        actor = signed_in(ctx, db, as_user)
        cards = loans_overview(db, actor)
        sign = currency_sign(db)
    shown = [c for c in cards if all_loans or c.status in ("open", "waiting")]
    table = Table(title="Loans" if all_loans else "Open loans")
    for column in ("loan", "borrower", "date", "amount", "due", "paid", "written off", "outstanding", "next", "status"):
        table.add_column(column, justify="right" if column in ("amount", "due", "paid", "written off", "outstanding")
                         else "left")
    for card in shown:
        loan = card.loan
        upcoming = card.next_due
        table.add_row(f"#{loan.id}", literal(loan.borrower), str(loan.day), money(loan.principal, sign),
                      money(loan.total_due, sign), money(loan.paid, sign), money(loan.written_off, sign),
                      money(loan.outstanding, sign),
                      literal(f"{upcoming.due}: {format_amount(upcoming.left, sign)}") if upcoming else "",
                      card.status)
    console.print(table)
    console.print(literal(f"{len(shown)} loan{'s' if len(shown) != 1 else ''}, "
                          f"{format_amount(sum(c.loan.outstanding for c in shown), sign)} outstanding."))


@loans_app.command("show")
def loans_show(ctx: typer.Context, loan_id: Annotated[int, typer.Argument(help="The loan's number.")],
               as_user: ViewAs = None) -> None:
    """One loan's schedule: each instalment's due date, amount, what was charged and what is left."""
    from campbank.ledger.views.savings import loans_overview

    with fail_on_error():
        db = state(ctx).database()
        actor = signed_in(ctx, db, as_user)
        card = next((c for c in loans_overview(db, actor) if c.loan.id == loan_id), None)
        sign = currency_sign(db)
        if card is None:
            from campbank.core.errors import NotFound

            raise NotFound(f"there is no loan #{loan_id}", field="loan")
    loan = card.loan
    console.print(literal(f"Loan #{loan.id} to {loan.borrower} on {loan.day}: {format_amount(loan.principal, sign)}, "
                          f"{format_amount(loan.total_due, sign)} due in {len(loan.schedule)} instalments; "
                          f"{card.status}, {format_amount(loan.outstanding, sign)} outstanding"))
    table = Table()
    for column in ("instalment", "due on", "amount", "charged", "left", "status"):
        table.add_column(column, justify="right" if column in ("amount", "charged", "left") else "left")
    for line in card.lines:
        table.add_row(str(line.number), str(line.due), money(line.amount, sign), money(line.charged, sign),
                      money(line.left, sign), line.status)
    console.print(table)


@loans_app.command("grant")
def loans_grant(ctx: typer.Context, borrower: Annotated[str, typer.Argument(help="The student.")],
                amount: Annotated[str, typer.Argument(help="The amount lent, such as 100.")],
                instalments: Annotated[int, typer.Argument(help="How many daily instalments.")], as_user: AsUser,
                day: Annotated[str | None, typer.Option("--date", help="The loan's date (default today).")] = None
                ) -> None:
    """Lend money to a student, repaid by daily instalments from the day after."""
    from campbank.ledger.actions.loans import grant

    with fail_on_error():
        db = state(ctx).database()
        posted = grant(db, sign_in_as(db, as_user), borrower, amount, instalments, date=day)
        sign = currency_sign(db)
    console.print(literal(f"Posted #{posted.id}: {posted.summary(sign)}"))


@loans_app.command("cancel")
def loans_cancel(ctx: typer.Context, loan_id: int, as_user: AsUser, reason: Reason = "") -> None:
    """Cancel a loan before its first instalment (managers): the student gives the amount back."""
    from campbank.ledger.actions.loans import cancel

    with fail_on_error():
        db = state(ctx).database()
        closed = cancel(db, sign_in_as(db, as_user), loan_id, reason=reason)
        sign = currency_sign(db)
    console.print(literal(f"Loan #{closed.loan_id} cancelled: {format_amount(closed.amount, sign)} taken back"))


@loans_app.command("write-off")
def loans_write_off(ctx: typer.Context, loan_id: int, as_user: AsUser, reason: Reason = "") -> None:
    """Write off what is outstanding on a loan (managers): the bank's loss, kept in the audit log."""
    from campbank.ledger.actions.loans import write_off

    with fail_on_error():
        db = state(ctx).database()
        closed = write_off(db, sign_in_as(db, as_user), loan_id, reason=reason)
        sign = currency_sign(db)
    console.print(literal(f"Loan #{closed.loan_id} written off: {format_amount(closed.amount, sign)} will not be "
                          "repaid"))


# -------------------------------------------------------------------------------------------------- funds


@funds_app.command("list")
def funds_list(ctx: typer.Context, as_user: ViewAs = None) -> None:
    """Every fund: target, total, deadline, squad, contributors and state."""
    from campbank.ledger.views.savings import funds_overview

    with fail_on_error():
        db = state(ctx).database()
        actor = signed_in(ctx, db, as_user)
        lines = funds_overview(db, actor)
        sign = currency_sign(db)
    table = Table(title="Funds")
    for column in ("fund", "name", "target", "total", "deadline", "squad", "contributors", "state"):
        table.add_column(column, justify="right" if column in ("target", "total", "contributors") else "left")
    for line in lines:
        fund = line.fund
        table.add_row(f"#{fund.id}", literal(fund.name), money(fund.target, sign), money(fund.total, sign),
                      str(fund.deadline), literal(fund.squad or "everyone"), str(line.contributors), fund.state)
    console.print(table)


@funds_app.command("open")
def funds_open(ctx: typer.Context, name: Annotated[str, typer.Argument(help="What the fund is for.")],
               target: Annotated[str, typer.Option(help="The amount to reach.")],
               deadline: Annotated[str, typer.Option(help="The last day to contribute, YYYY-MM-DD.")],
               as_user: AsUser,
               squad: Annotated[str | None, typer.Option(help="Only this squad contributes.")] = None) -> None:
    """Open a fund (staff); students contribute from their main pocket until the deadline."""
    from campbank.ledger.actions.funds import open_fund

    with fail_on_error():
        db = state(ctx).database()
        fund_id = open_fund(db, sign_in_as(db, as_user), name, target, deadline, squad=squad)
    console.print(literal(f"Opened fund #{fund_id}: {name.strip()}"))


@funds_app.command("spend")
def funds_spend(ctx: typer.Context, fund_id: int, as_user: AsUser,
                description: Annotated[str, typer.Option(help="What the money buys.")]) -> None:
    """Spend a fund that reached its target (staff): its total goes to the bank for what it buys."""
    from campbank.ledger.actions.funds import spend

    with fail_on_error():
        db = state(ctx).database()
        closed = spend(db, sign_in_as(db, as_user), fund_id, description)
        sign = currency_sign(db)
    console.print(literal(f"Fund #{closed.fund_id} spent: {format_amount(closed.total, sign)} "
                          f"(#{closed.transaction_id})"))


@funds_app.command("cancel")
def funds_cancel(ctx: typer.Context, fund_id: int, as_user: AsUser, reason: Reason = "") -> None:
    """Cancel an open fund (staff): every contribution is refunded exactly, in one transaction."""
    from campbank.ledger.actions.funds import cancel

    with fail_on_error():
        db = state(ctx).database()
        closed = cancel(db, sign_in_as(db, as_user), fund_id, reason=reason)
        sign = currency_sign(db)
    where = f" (#{closed.transaction_id})" if closed.transaction_id else ""
    console.print(literal(f"Fund #{closed.fund_id} cancelled: {format_amount(closed.total, sign)} refunded to "
                          f"{closed.people} student{'s' if closed.people != 1 else ''}{where}"))


# ------------------------------------------------------------------------------------------------ circles


@circles_app.command("list")
def circles_list(ctx: typer.Context, as_user: ViewAs = None) -> None:
    """Every savings circle: members in order, contribution, rounds held."""
    from campbank.ledger.views.savings import circles_overview

    with fail_on_error():
        db = state(ctx).database()
        actor = signed_in(ctx, db, as_user)
        cards = circles_overview(db, actor)
        sign = currency_sign(db)
    table = Table(title="Savings circles")
    for column in ("circle", "name", "contribution", "start", "members", "rounds held", "state"):
        table.add_column(column, justify="right" if column == "contribution" else "left")
    for card in cards:
        circle = card.circle
        table.add_row(f"#{circle.id}", literal(circle.name), money(circle.contribution, sign), str(circle.start),
                      literal(", ".join(circle.members)), f"{card.held}/{len(circle.members)}",
                      "void" if card.voided else ("finished" if card.held == len(circle.members) else "running"))
    console.print(table)


@circles_app.command("create")
def circles_create(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The circle's name.")],
                   members: Annotated[list[str], typer.Option("--member", help="A member; repeat, in round order.")],
                   contribution: Annotated[str, typer.Option(help="What each member pays a round.")],
                   start: Annotated[str, typer.Option(help="The first round's date, YYYY-MM-DD.")],
                   as_user: AsUser) -> None:
    """Set up a savings circle (managers): round i, on start + i − 1, pays everyone's contribution to member i."""
    from campbank.ledger.actions.circles import create

    with fail_on_error():
        db = state(ctx).database()
        circle_id = create(db, sign_in_as(db, as_user), name, members, contribution, start)
    last = date.fromisoformat(start).toordinal() + len(members) - 1
    console.print(literal(f"Circle #{circle_id}: {name.strip()}, {len(members)} rounds from {start} to "
                          f"{date.fromordinal(last)}"))


@circles_app.command("void")
def circles_void(ctx: typer.Context, circle_id: int, as_user: AsUser, reason: Reason = "") -> None:
    """Void a circle (managers): every round held is reversed exactly, and no more are held."""
    from campbank.ledger.actions.circles import void

    with fail_on_error():
        db = state(ctx).database()
        reversed_rounds = void(db, sign_in_as(db, as_user), circle_id, reason=reason)
    console.print(f"Circle #{circle_id} void: {reversed_rounds} round{'s' if reversed_rounds != 1 else ''} reversed")

"""A transaction's preview as a rich table: each recipient's money, counters and balance after."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from campbank.core.counters import is_amount
from campbank.core.money import format_amount
from campbank.core.season import Season
from campbank.ledger.actions.preview import Preview
from campbank.widgets.literal import literal, safe


def preview_title(preview: Preview) -> str:
    if preview.alter_of is not None:
        return f"Alter #{preview.alter_of}: {preview.label} — check before replacing it"
    return f"New {preview.label.lower()} — check before posting"


def preview_body(preview: Preview, season: Season, *, narrow: bool = False) -> RenderableType:
    """The facts, then one line per recipient: who, the money, what it is for (money types and counters),
    and the balance after. `narrow` (under 100 columns) leaves the squad and username out, so names keep
    their room."""
    sign = season.currency_sign
    facts = Text()
    facts.append("Date ", style="dim").append(str(preview.day))
    facts.append("   Recipients ", style="dim").append(str(preview.recipients), style="bold")
    facts.append("   Total ", style="dim").append(format_amount(preview.total, sign), style="bold")
    if preview.description:
        facts.append("\nDescription ", style="dim").append(preview.description)
    if preview.duplicate_of is not None:
        facts.append(f"\nThis form was already posted as #{preview.duplicate_of}: posting again changes nothing.",
                     style="bold yellow")
    table = Table(expand=True, show_edge=False, pad_edge=False, header_style="bold", box=box.SIMPLE_HEAD)
    if not narrow:
        table.add_column("Squad", no_wrap=True)
    table.add_column("Student", no_wrap=True, overflow="ellipsis", min_width=14)
    table.add_column("Money", justify="right", no_wrap=True)
    table.add_column("For", ratio=5, no_wrap=True, overflow="ellipsis")
    table.add_column("After" if narrow else "Balance after", justify="right", no_wrap=True)
    previous = None
    for line in preview.lines:
        squad = line.squad or ""
        money = Text()
        reasons = []
        for amount, money_type, note in line.money:
            if money:
                money.append("\n")
            money.append(format_amount(amount, sign), style="green" if amount >= 0 else "red")
            label = season.money_types[money_type].label if money_type in season.money_types else money_type
            reasons.append(label + (f" ({note})" if note else ""))
        reasons.extend(
            f"{name} {'+' if value >= 0 else ''}{_counter_value(name, value, sign)}"
            + (f" in {block}" if block and block != name and not narrow else "")
            for name, value, block in line.counters
        )
        after = line.balance_after
        style = "red" if after <= season.balance_danger else "yellow" if after < season.balance_warning else ""
        who = line.full_name if narrow else f"{line.full_name} ({line.username})"
        # Names and squads are typed text: cells of a rich Table are Text, never markup.
        cells = [literal(who), safe(money, multiline=True), literal("; ".join(reasons), "dim"),
                 literal(format_amount(after, sign), style)]
        if not narrow:
            cells.insert(0, literal(squad if squad != previous else ""))
        table.add_row(*cells)
        previous = squad
    return Group(safe(facts, multiline=True), Text(""), table)


def _counter_value(name: str, value: int, sign: str) -> str:
    if is_amount(name):
        return format_amount(value, sign)
    return str(value)

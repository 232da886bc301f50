"""`campbank report xlsx|stats` and `campbank export money|counters|balances`: reports and raw exports."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from campbank.cli.common import (
    AS_HELP,
    MANAGER_HELP,
    console,
    errors,
    esc,
    fail_on_error,
    manager_for,
    signed_in,
    state,
)
from campbank.core.errors import InputError
from campbank.core.money import format_amount

report_app = typer.Typer(help="Reports: the manager's xlsx workbook, market statistics.")
export_app = typer.Typer(help="Raw exports for spreadsheets and scripts.")
AsUser = Annotated[str | None, typer.Option("--as", help=MANAGER_HELP)]
AnyUser = Annotated[str | None, typer.Option("--as", help=AS_HELP)]
Format = Annotated[str, typer.Option("--format", help="json or csv")]
Output = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of the screen.")]
NoBom = Annotated[bool, typer.Option("--no-bom", help="CSV files start with a UTF-8 byte-order mark (so Excel "
                                                      "reads names right); leave it out.")]
Force = Annotated[bool, typer.Option("--force", help="Replace the output file if it exists (never a database, a "
                                                     "device or a folder).")]
BAR_WIDTH = 40


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
    app.add_typer(export_app, name="export")


@contextmanager
def progress_bar(label: str, *, show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal (and `show`); otherwise no callback at all."""
    if not (show and sys.stderr.isatty()):
        yield None
        return
    with Progress(TextColumn(label), BarColumn(), TaskProgressColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=errors, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


# --- report ----------------------------------------------------------------------------------------


@report_app.command("xlsx")
def report_xlsx(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write.")],
    as_user: AsUser = None,
    force: Force = False,
) -> None:
    """Write the manager's workbook: balances, study, all transactions, staff, statistics, season."""
    from campbank.formats.xlsx.report import write_report

    with fail_on_error():
        _judge_output(ctx, output, force)
        db = state(ctx).database()
        actor = manager_for(ctx, db, as_user)
        with progress_bar("Writing", show=True) as progress:
            written = write_report(db, actor, output, progress=progress, force=force)
    errors.print(f"Wrote {esc(written.path)} ({written.students} students, {written.transactions} transactions)")


@report_app.command("stats")
def report_stats(ctx: typer.Context, as_user: AnyUser = None) -> None:
    """Market statistics of the active students, with a histogram and the money supply by day."""
    from campbank.ledger.views.statistics import market_statistics

    with fail_on_error():
        db = state(ctx).database()
        actor = signed_in(ctx, db, as_user)
        stats = market_statistics(db, actor)
    sign = stats.currency_sign

    def money(cents: int | None) -> str:  # the sign comes from the season file: escaped like typed text
        return esc("-" if cents is None else format_amount(cents, sign))

    summary = Table(title="Market statistics (active students)", show_header=False)
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    for label, value in (
        ("students", str(stats.students)), ("total money", money(stats.total)), ("mean", money(stats.mean)),
        ("median", money(stats.median)), ("standard deviation", money(stats.std_dev)),
        ("minimum", money(stats.minimum)), ("maximum", money(stats.maximum)),
        (f"in danger (<= {money(stats.danger_level)})", f"[red]{stats.in_danger}[/]" if stats.in_danger else "0"),
        (f"warning (< {money(stats.warning_level)})",
         f"[yellow]{stats.in_warning}[/]" if stats.in_warning else "0"),
        ("pending transfers", str(stats.pending_transfers)),
    ):
        summary.add_row(label, value)
    console.print(summary)

    groups = _flow_table("Money by report group", "group")
    for g in stats.by_group:
        if g.issued or g.charged:
            groups.add_row(g.group, money(g.issued), money(g.charged), money(g.net))
    groups.add_row("[bold]all[/]", money(stats.issued), money(stats.charged), money(stats.issued - stats.charged))
    console.print(groups)

    days = _flow_table("Money by transaction day", "day")
    for d in stats.by_day:
        days.add_row(d.day.isoformat(), money(d.issued), money(d.charged), money(d.net))
    console.print(days)

    console.print("[bold]Balances[/] (students per range)")
    if not stats.histogram:
        console.print("  no students")
    most = max((b.count for b in stats.histogram), default=0)
    for b in stats.histogram:
        label = esc(f"{format_amount(b.low, '')} to {format_amount(b.high, '')}")
        console.print(f"  {label:>22} │{_bar(b.count, most)} {b.count}")

    console.print("[bold]Money supply[/] (students' total at the end of each day, UTC)")
    if not stats.supply:
        console.print("  no money yet")
    largest = max((abs(p.total) for p in stats.supply), default=0)
    for p in stats.supply:
        bar = _bar(abs(p.total), largest)
        console.print(f"  {p.day.isoformat()} │{'[red]' + bar + '[/]' if p.total < 0 else bar} {money(p.total)}")


def _flow_table(title: str, first: str) -> Table:
    table = Table(title=title)
    table.add_column(first)
    for column in ("issued", "charged", "net"):
        table.add_column(column, justify="right")
    return table


def _bar(value: int, largest: int) -> str:
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value * BAR_WIDTH * 8 / largest))
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if not rest else " ▏▎▍▌▋▊▉"[rest])


# --- export ----------------------------------------------------------------------------------------


def _check_format(format: str) -> None:
    if format not in ("json", "csv"):
        raise InputError(f"{format!r} is not one of: json, csv", field="--format")


def _judge_output(ctx: typer.Context, output: Path | None, force: bool) -> None:
    """Refuse a bad output path first, before anyone signs in or anything is read or written."""
    if output is not None:
        from campbank.ledger.store.outputs import judge

        judge(output, force=force, protect=[state(ctx).path])


@export_app.command("balances")
def export_balances(
    ctx: typer.Context,
    format: Format = "csv",
    output: Output = None,
    no_bom: NoBom = False,
    as_user: AsUser = None,
    force: Force = False,
) -> None:
    """Every student's balance, certificates and counters."""
    from campbank.formats.exports import balances_csv, balances_json, save_text

    with fail_on_error():
        _check_format(format)
        _judge_output(ctx, output, force)
        db = state(ctx).database()
        actor = manager_for(ctx, db, as_user)
        target = str(output or "stdout")  # audited before the text is handed back
        text = balances_json(db, actor, target=target) if format == "json" else balances_csv(db, actor, target=target)
        if output is None:
            _to_stdout([text])
        else:
            save_text([text], output, bom=format == "csv" and not no_bom, force=force, protect=[db.path])
            errors.print(f"Wrote {esc(output)}")


@export_app.command("money")
def export_money(ctx: typer.Context, format: Format = "csv", output: Output = None, no_bom: NoBom = False,
                 as_user: AsUser = None, force: Force = False) -> None:
    """Every money entry: transaction, type, money type and report group, receiver, creator, state."""
    _export_entries(ctx, "money", format, output, no_bom, as_user, force)


@export_app.command("counters")
def export_counters(ctx: typer.Context, format: Format = "csv", output: Output = None, no_bom: NoBom = False,
                    as_user: AsUser = None, force: Force = False) -> None:
    """Every counter entry: transaction, counter type, value, date and block, receiver, creator, state."""
    _export_entries(ctx, "counters", format, output, no_bom, as_user, force)


def _to_stdout(chunks: Iterable[str]) -> None:
    """Stream to stdout; a reader that stops early (`| head`) ends the export quietly."""
    try:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so Python's own flush at exit does not complain
        raise typer.Exit(0) from None


def _export_entries(ctx: typer.Context, kind: str, format: str, output: Path | None, no_bom: bool,
                    as_user: str | None, force: bool) -> None:
    from campbank.formats.exports import entries_csv, entries_json, save_text

    with fail_on_error():
        _check_format(format)
        _judge_output(ctx, output, force)
        db = state(ctx).database()
        actor = manager_for(ctx, db, as_user)
        rows = 0

        with progress_bar(f"Exporting {kind}", show=output is not None) as bar:
            def counted(done: int, total: int) -> None:
                nonlocal rows
                rows = done
                if bar:
                    bar(done, total)

            # The export's audit row is committed here, before the first row is read or written.
            target = str(output or "stdout")
            if format == "json":
                chunks = entries_json(db, actor, kind, progress=counted, target=target)  # type: ignore[arg-type]
            else:
                chunks = entries_csv(db, actor, kind, bom=output is not None and not no_bom,  # type: ignore[arg-type]
                                     progress=counted, target=target)
            if output is None:
                _to_stdout(chunks)
            else:
                save_text(chunks, output, force=force, protect=[db.path])
        if output is not None:
            errors.print(f"Wrote {esc(output)} ({rows} {'money' if kind == 'money' else 'counter'} entries)")

"""What verify says about the guards and the hash chain, in words a camp office can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from campbank.ledger.store.chain_replay import Replay, Span

if TYPE_CHECKING:
    from campbank.ledger.verify import Report


def report_triggers(report: Report, expected: Mapping[str, tuple[str, str]],
                    stored: Sequence[tuple[str, str, str | None]]) -> None:
    """Each guard is there with exactly its SQL, and no other trigger is."""
    found = {name: (table, sql) for name, table, sql in stored}
    for name, (table, expected_sql) in expected.items():
        if name not in found:
            report.add("append-only", f"the trigger {name} is missing: {table} can be edited")
        elif found[name] != (table, expected_sql):
            report.add("append-only", f"the trigger {name} is not the one CampBank made: it is stored as "
                                      f"{_one_line(found[name][1])!r} on {found[name][0]}")
    for name, (on_table, stored_sql) in found.items():
        if name not in expected:
            report.add("append-only", f"the trigger {name} on {on_table} is not CampBank's: {_one_line(stored_sql)!r}")


def report_chain(report: Report, replay: Replay) -> None:
    for problem in replay.malformed[:20]:
        report.add("chain", problem)
    broken = replay.first_break
    if broken is not None:
        changed = [span for span in broken.spans if span.changed]
        shown = changed or list(broken.spans)
        what = "; ".join(_span(span) for span in shown)
        verb = "changed since they were written" if changed else "do not match the link"
        message = (f"the chain breaks at link {broken.seq}: {what} {verb} (they hash to "
                   f"{broken.computed.hex()[:16]}…, the chain says {broken.stored.hex()[:16]}…)")
        if replay.later_breaks:
            message += f"; {replay.later_breaks} later link{'s' if replay.later_breaks != 1 else ''} break too"
        report.add("chain", message)
    for name, first, last, rows in replay.unchained:
        report.add("chain", f"{name} rows {_ids(first, last)} ({rows}) are not in the chain: they were written "
                            "without CampBank")
    for anchor, outcome in replay.anchors.items():
        if outcome is None:
            report.anchors_proven.append(str(anchor))
        else:
            report.add("anchor", f"{anchor.seq}:{anchor.hash.hex()[:16]}… is not proven: {outcome}")


def _span(span: Span) -> str:
    if span.first is None or span.last is None:
        return f"{span.table} rows up to {span.up_to} (missing)"
    text = f"{span.table} rows {_ids(span.first, span.last)}"
    if span.last != span.up_to:
        text += f" (the link covers up to {span.up_to})"
    if span.transactions:
        text += " of " + ", ".join(f"#{txn}" for txn in span.transactions)
    return text


def _ids(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _one_line(sql: str | None) -> str:
    return " ".join((sql or "").split())

"""Raw exports as CSV or JSON: balances, and every money or counter entry, streamed.

JSON amounts are strings with two decimals ("-5.00"). A student's balance is main + pockets, with the
split beside it (`main`, `in_pockets`). CSV rows end in CRLF; every cell goes through the
one formula guard (`campbank.core.text.looks_like_formula`: text a spreadsheet would run as a formula gets a
leading apostrophe; numbers stay numbers) and has its terminal controls made visible, since a CSV is also
printed to a terminal. JSON keeps every value exact, for programs; the characters a terminal could act on
are written as JSON \\u escapes, which read back as the same text (docs/security.md). The money and counter
exports are generators over the ledger's `entries_for_export`, which reads the entries chunk by chunk, each
chunk in its own short read transaction, so a million rows never sit in memory and the office is never
locked out; they see the entries that existed when the export began, and each receiver's balance as it was
then.

Each money row: the entry and its transaction (id, type, money type and its report group, amount,
description), the receiver (last/first/middle name, username, role, squad, grade, current balance, and
for a pocket or a fund its name), the
creator's username, created_at (UTC), the transaction's day, its state and `counted` (state ==
processed). Each counter row has the counter type, value, date and time block instead of the money
fields; a book_certificate value is an amount (cents, written like money), every other value a count.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

from campbank.core.counters import COUNTS, is_amount
from campbank.core.money import cents_to_str
from campbank.core.season import Season
from campbank.core.text import looks_like_formula, shown
from campbank.ledger.actions.exports import record_export as audit_export
from campbank.ledger.permissions import Actor
from campbank.ledger.store import outputs
from campbank.ledger.store.database import Database
from campbank.ledger.views.accounts import BalanceRow
from campbank.ledger.views.entries import (
    AccountRow,
    CounterEntryRow,
    MoneyEntryRow,
    balances_for_export,
    entries_for_export,
)
from campbank.ledger.views.study import status_of

Kind = Literal["money", "counters"]
Progress = Callable[[int, int], None]  # (rows written, rows in all)
CHUNK = 5000  # entries read per short read transaction
BOM = "\ufeff"


def balance_rows(db: Database, actor: Actor) -> tuple[Season, list[BalanceRow]]:
    return balances_for_export(db, actor)


def _exported_balances(db: Database, actor: Actor, target: str, fmt: str) -> tuple[Season, list[BalanceRow]]:
    """The balances, with the export's audit row committed before any of them can leave."""
    season, rows = balance_rows(db, actor)
    record_export(db, actor, "balances", target=target, format=fmt, rows=len(rows))
    return season, rows


def balance_record(season: Season, row: BalanceRow) -> dict[str, object]:
    return {
        "username": row.username,
        "full_name": row.full_name,
        "role": row.role,
        "squad": row.squad,
        "grade": row.grade,
        "active": row.active,
        "balance": cents_to_str(row.balance),
        "main": cents_to_str(row.main),
        "in_pockets": cents_to_str(row.saved),
        "certificates": cents_to_str(row.certificates),
        "counters": {str(name): row.counters.get(name, 0) for name in COUNTS},
        "expected_fine": cents_to_str(status_of(season, row).final.expected_fine),
    }


def balances_json(db: Database, actor: Actor, *, target: str = "stdout") -> str:
    """Every student's balance as JSON (managers); audited as an export to `target` before it is returned."""
    season, rows = _exported_balances(db, actor, target, "json")
    records = [balance_record(season, row) for row in rows]
    return to_json(records, indent=2) + "\n"


def balances_csv(db: Database, actor: Actor, *, target: str = "stdout") -> str:
    """Every student's balance as CSV (managers); audited as an export to `target` before it is returned."""
    buffer = io.StringIO()
    counters = list(COUNTS)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["username", "full_name", "role", "squad", "grade", "active", "balance", "main", "in_pockets",
                     "certificates", *counters, "expected_fine"])
    season, rows = _exported_balances(db, actor, target, "csv")
    for row in rows:
        record = balance_record(season, row)
        writer.writerow([csv_cell(value) for value in (
            record["username"], row.full_name, row.role, row.squad or "", row.grade or "",
            "yes" if row.active else "no", record["balance"], record["main"], record["in_pockets"],
            record["certificates"], *(row.counters.get(name, 0) for name in counters), record["expected_fine"])])
    return buffer.getvalue()


def csv_cell(value: object) -> object:
    """One CSV cell: text through the formula guard, with terminal controls made visible; numbers as they
    are; yes/no for booleans; empty for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return "'" + shown(value) if looks_like_formula(value) else shown(value)
    return value


# What a terminal could act on, or what reorders text (json.dumps already escapes C0 controls).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def to_json(value: object, *, indent: int | None = None) -> str:
    """JSON with every value exact; DEL, C1 controls, separators, direction overrides and lone surrogates
    are written as \\uXXXX escapes, so the text is safe on a terminal and reads back unchanged."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# --- money and counter entries, streamed -----------------------------------------------------------

# A pocket's or a fund's account receives money too: `receiver_role` is then "pocket" or "fund", the names
# are the pocket owner's (a fund's are its name), and `pocket` names the pocket or the fund (docs/savings.md).
RECEIVER_FIELDS = ("receiver_username", "receiver_last_name", "receiver_first_name", "receiver_middle_name",
                   "receiver_role", "receiver_squad", "receiver_grade", "receiver_balance", "pocket")
TRANSACTION_FIELDS = ("creator", "created_at", "day", "state", "counted")
FIELDS: dict[str, tuple[str, ...]] = {
    "money": ("entry_id", "transaction_id", "transaction_type", "money_type", "group", "amount", "description",
              *RECEIVER_FIELDS, *TRANSACTION_FIELDS),
    "counters": ("entry_id", "transaction_id", "transaction_type", "counter_type", "value", "date", "block",
                 "description", *RECEIVER_FIELDS, *TRANSACTION_FIELDS),
}

def entry_records(db: Database, actor: Actor, kind: Kind, *, progress: Progress | None = None,
                  audit_as: tuple[str, str] | None = None) -> Iterator[dict[str, object]]:
    """Every money or counter entry as a JSON-ready record (managers). Checks the permission at once, and
    with `audit_as` (target, format) commits the export's audit row before the first record is read."""
    export = entries_for_export(db, actor, kind, chunk=CHUNK)
    if audit_as is not None:  # entries are never deleted: the export holds exactly `total` rows
        record_export(db, actor, kind, target=audit_as[0], format=audit_as[1], rows=export.total)
    return _records(export.season, export.accounts, export.total, export.chunks, progress)


def _records(season: Season, people: dict[int, AccountRow], total: int,
             chunks: Iterator[list[MoneyEntryRow]] | Iterator[list[CounterEntryRow]], progress: Progress | None
             ) -> Iterator[dict[str, object]]:
    done = 0
    if progress:
        progress(0, total)
    for rows in chunks:
        for row in rows:
            if isinstance(row, MoneyEntryRow):
                yield _money_record(season, row, people)
            else:
                yield _counter_record(row, people)
        done += len(rows)
        if progress:
            progress(done, total)


def _money_record(season: Season, row: MoneyEntryRow, people: dict[int, AccountRow]) -> dict[str, object]:
    return {
        "entry_id": row.id, "transaction_id": row.transaction_id, "transaction_type": row.transaction_type,
        "money_type": row.money_type, "group": season.group_of(row.money_type), "amount": cents_to_str(row.amount),
        "description": row.description or row.transaction_description,
        **_receiver(people, row.receiver_id), **_transaction(people, row),
    }


def _counter_record(row: CounterEntryRow, people: dict[int, AccountRow]) -> dict[str, object]:
    return {
        "entry_id": row.id, "transaction_id": row.transaction_id, "transaction_type": row.transaction_type,
        "counter_type": row.counter_type,
        "value": cents_to_str(row.value) if is_amount(row.counter_type) else row.value,
        "date": row.entry_day.isoformat(), "block": row.block, "description": row.transaction_description,
        **_receiver(people, row.receiver_id), **_transaction(people, row),
    }


def _receiver(people: dict[int, AccountRow], receiver_id: int) -> dict[str, object]:
    person = people.get(receiver_id)
    if person is None:
        return {"receiver_username": "?", "receiver_last_name": "", "receiver_first_name": "",
                "receiver_middle_name": "", "receiver_role": None, "receiver_squad": None, "receiver_grade": None,
                "receiver_balance": cents_to_str(0), "pocket": None}
    return {"receiver_username": person.username, "receiver_last_name": person.last_name,
            "receiver_first_name": person.first_name, "receiver_middle_name": person.middle_name,
            "receiver_role": person.role, "receiver_squad": person.squad, "receiver_grade": person.grade,
            "receiver_balance": cents_to_str(person.balance), "pocket": person.holding}


def _transaction(people: dict[int, AccountRow], row: MoneyEntryRow | CounterEntryRow) -> dict[str, object]:
    creator = people.get(row.creator_id)
    return {"creator": creator.username if creator else "?",
            "created_at": row.created_at.isoformat(timespec="microseconds") + "Z",
            "day": row.day.isoformat(), "state": row.state, "counted": row.state == "processed"}


def entries_json(db: Database, actor: Actor, kind: Kind, *, progress: Progress | None = None,
                 target: str = "stdout") -> Iterator[str]:
    """A JSON array of the records, one record per line, streamed; audited as an export to `target` first."""
    records = entry_records(db, actor, kind, progress=progress, audit_as=(target, "json"))

    def chunks() -> Iterator[str]:
        first = True
        for record in records:
            yield ("[\n  " if first else ",\n  ") + to_json(record)
            first = False
        yield "[]\n" if first else "\n]\n"

    return chunks()


def entries_csv(db: Database, actor: Actor, kind: Kind, *, bom: bool = True, progress: Progress | None = None,
                target: str = "stdout") -> Iterator[str]:
    """CSV (UTF-8, a byte-order mark first unless `bom=False`, CRLF), one header line, streamed; audited as an
    export to `target` first."""
    records = entry_records(db, actor, kind, progress=progress, audit_as=(target, "csv"))
    fields = FIELDS[kind]

    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(fields)
        yield (BOM if bom else "") + _drain(buffer)
        for n, record in enumerate(records, 1):
            writer.writerow([csv_cell(record[name]) for name in fields])
            if n % 500 == 0:
                yield _drain(buffer)
        yield _drain(buffer)

    return chunks()


def _drain(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value


def record_export(db: Database, actor: Actor, kind: str, *, target: str, **detail: object) -> None:
    """The audit row of an export (`export.money`, `export.counters`, ...), committed before its data leaves:
    whoever stops reading early (`| head`), or kills the export, is on record all the same."""
    audit_export(db, actor, kind, target=target, **detail)


def save_text(chunks: Iterable[str], path: Path, *, bom: bool = False, force: bool = False,
              protect: Iterable[Path] = ()) -> None:
    """Write text chunks to `path` as every output is written (`store.outputs`): never over a database, a
    device or a folder, over an existing file only with `force`, through a private temporary file that takes
    its place only when complete."""
    with outputs.replacing(path, force=force, protect=protect) as temporary, \
            open(temporary, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        for chunk in chunks:
            out.write(chunk)

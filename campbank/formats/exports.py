"""Raw exports (SPEC §8) as CSV or JSON: balances, and every money or counter entry, streamed.

JSON amounts are strings with two decimals ("-5.00"). CSV rows end in CRLF; text that a spreadsheet
would run as a formula (starting with =, +, - or @) gets a leading apostrophe. The money and counter
exports are generators that read the entries chunk by chunk, each chunk in its own short read
transaction, so a million rows never sit in memory and the office is never locked out; they see the
entries that existed when the export began, and each receiver's balance as it was then.

Each money row: the entry and its transaction (id, type, money type and its report group, amount,
description), the receiver (last/first/middle name, username, role, squad, grade, current balance), the
creator's username, created_at (UTC), the transaction's day, its state and `counted` (state ==
processed). Each counter row has the counter type, value, date and time block instead of the money
fields; a book_certificate value is an amount (cents, written like money), every other value a count.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal

from sqlalchemy import text

from campbank.core.errors import InputError
from campbank.core.money import cents_to_str
from campbank.core.season import Season
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, outputs
from campbank.ledger.store.database import Database
from campbank.ledger.views.accounts import BalanceRow, balances
from campbank.ledger.views.study import status_of

Kind = Literal["money", "counters"]
Progress = Callable[[int, int], None]  # (rows written, rows in all)
CHUNK = 5000
BOM = "\ufeff"

COUNTERS = ("seminar_attend", "seminar_pass", "fac_attend", "fac_pass", "lab_pass", "lecture_attend",
            "lecture_miss", "workout", "book_certificate", "class_attend")


def balance_rows(db: Database, actor: Actor) -> tuple[Season, list[BalanceRow]]:
    with db.session() as session:
        require(acting_account(session, actor), Action.EXPORT)
        return current_season(session), balances(session)


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
        "certificates": cents_to_str(row.certificates),
        "counters": {name: row.counters.get(name, 0) for name in COUNTERS if name != "book_certificate"},
        "expected_fine": cents_to_str(status_of(season, row).final.expected_fine),
    }


def balances_json(db: Database, actor: Actor, *, target: str = "stdout") -> str:
    """Every student's balance as JSON (managers); audited as an export to `target` before it is returned."""
    season, rows = _exported_balances(db, actor, target, "json")
    records = [balance_record(season, row) for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def balances_csv(db: Database, actor: Actor, *, target: str = "stdout") -> str:
    """Every student's balance as CSV (managers); audited as an export to `target` before it is returned."""
    buffer = io.StringIO()
    counters = [name for name in COUNTERS if name != "book_certificate"]
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["username", "full_name", "role", "squad", "grade", "active", "balance", "certificates",
                     *counters, "expected_fine"])
    season, rows = _exported_balances(db, actor, target, "csv")
    for row in rows:
        record = balance_record(season, row)
        writer.writerow([record["username"], _cell(row.full_name), row.role, row.squad or "", row.grade or "",
                         "yes" if row.active else "no", record["balance"], record["certificates"],
                         *(row.counters.get(name, 0) for name in counters), record["expected_fine"]])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- money and counter entries, streamed -----------------------------------------------------------

RECEIVER_FIELDS = ("receiver_username", "receiver_last_name", "receiver_first_name", "receiver_middle_name",
                   "receiver_role", "receiver_squad", "receiver_grade", "receiver_balance")
TRANSACTION_FIELDS = ("creator", "created_at", "day", "state", "counted")
FIELDS: dict[str, tuple[str, ...]] = {
    "money": ("entry_id", "transaction_id", "transaction_type", "money_type", "group", "amount", "description",
              *RECEIVER_FIELDS, *TRANSACTION_FIELDS),
    "counters": ("entry_id", "transaction_id", "transaction_type", "counter_type", "value", "date", "block",
                 "description", *RECEIVER_FIELDS, *TRANSACTION_FIELDS),
}
TEXT_FIELDS = frozenset({"description", "receiver_username", "receiver_last_name", "receiver_first_name",
                         "receiver_middle_name", "receiver_squad", "creator", "block"})

_QUERIES = {
    "money": """
        SELECT e.id, e.transaction_id, t.type, e.money_type, e.amount, e.description, e.receiver_id,
               t.creator_id, t.created_at, t.day, t.state, t.description
          FROM money_entry e JOIN txn t ON t.id = e.transaction_id
         WHERE e.id > :after AND e.id <= :upto ORDER BY e.id LIMIT :n""",
    "counters": """
        SELECT e.id, e.transaction_id, t.type, e.counter_type, e.value, e.day, e.block, e.receiver_id,
               t.creator_id, t.created_at, t.day, t.state, t.description
          FROM counter_entry e JOIN txn t ON t.id = e.transaction_id
         WHERE e.id > :after AND e.id <= :upto ORDER BY e.id LIMIT :n""",
}
_TABLES = {"money": "money_entry", "counters": "counter_entry"}


def entry_records(db: Database, actor: Actor, kind: Kind, *, progress: Progress | None = None,
                  audit_as: tuple[str, str] | None = None) -> Iterator[dict[str, object]]:
    """Every money or counter entry as a JSON-ready record (managers). Checks the permission at once, and
    with `audit_as` (target, format) commits the export's audit row before the first record is read."""
    if kind not in FIELDS:
        raise InputError(f"{kind!r} is not one of: money, counters", field="export")
    with db.session() as session:
        require(acting_account(session, actor), Action.EXPORT)
        season = current_season(session)
        people = {row[0]: row[1:] for row in session.execute(text(
            "SELECT id, username, last_name, first_name, middle_name, role, squad, grade, balance FROM account"))}
        upto, total = session.execute(text(
            f"SELECT COALESCE(MAX(id), 0), COUNT(*) FROM {_TABLES[kind]}")).one()
    if audit_as is not None:  # entries are never deleted: the export holds exactly `total` rows
        record_export(db, actor, kind, target=audit_as[0], format=audit_as[1], rows=int(total))
    return _records(db, season, kind, people, int(upto), int(total), progress)


def _records(db: Database, season: Season, kind: Kind, people: dict[int, tuple], upto: int, total: int,
             progress: Progress | None) -> Iterator[dict[str, object]]:
    after, done = 0, 0
    if progress:
        progress(0, total)
    while after < upto:
        with db.session() as session:
            rows = session.execute(text(_QUERIES[kind]), {"after": after, "upto": upto, "n": CHUNK}).all()
        if not rows:
            break
        for row in rows:
            yield _money_record(season, row, people) if kind == "money" else _counter_record(row, people)
        after, done = rows[-1][0], done + len(rows)
        if progress:
            progress(done, total)


def _money_record(season: Season, row: tuple, people: dict[int, tuple]) -> dict[str, object]:
    entry_id, txn_id, txn_type, money_type, amount, description, receiver, creator, created, day, state, \
        txn_description = row
    return {
        "entry_id": entry_id, "transaction_id": txn_id, "transaction_type": txn_type, "money_type": money_type,
        "group": season.group_of(money_type), "amount": cents_to_str(amount),
        "description": description or txn_description or "",
        **_receiver(people, receiver), **_transaction(people, creator, created, day, state),
    }


def _counter_record(row: tuple, people: dict[int, tuple]) -> dict[str, object]:
    entry_id, txn_id, txn_type, counter_type, value, entry_day, block, receiver, creator, created, day, state, \
        txn_description = row
    return {
        "entry_id": entry_id, "transaction_id": txn_id, "transaction_type": txn_type, "counter_type": counter_type,
        "value": cents_to_str(value) if counter_type == "book_certificate" else value,
        "date": str(entry_day)[:10], "block": block, "description": txn_description or "",
        **_receiver(people, receiver), **_transaction(people, creator, created, day, state),
    }


def _receiver(people: dict[int, tuple], receiver_id: int) -> dict[str, object]:
    username, last, first, middle, role, squad, grade, balance = people.get(receiver_id, ("?",) + (None,) * 7)
    return {"receiver_username": username, "receiver_last_name": last or "", "receiver_first_name": first or "",
            "receiver_middle_name": middle or "", "receiver_role": role, "receiver_squad": squad,
            "receiver_grade": grade, "receiver_balance": cents_to_str(balance or 0)}


def _transaction(people: dict[int, tuple], creator_id: int, created: object, day: object, state: str
                 ) -> dict[str, object]:
    return {"creator": people.get(creator_id, ("?",))[0], "created_at": str(created).replace(" ", "T") + "Z",
            "day": str(day)[:10], "state": state, "counted": state == "processed"}


def entries_json(db: Database, actor: Actor, kind: Kind, *, progress: Progress | None = None,
                 target: str = "stdout") -> Iterator[str]:
    """A JSON array of the records, one record per line, streamed; audited as an export to `target` first."""
    records = entry_records(db, actor, kind, progress=progress, audit_as=(target, "json"))

    def chunks() -> Iterator[str]:
        first = True
        for record in records:
            yield ("[\n  " if first else ",\n  ") + json.dumps(record, ensure_ascii=False)
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
            writer.writerow([_csv_value(name, record[name]) for name in fields])
            if n % 500 == 0:
                yield _drain(buffer)
        yield _drain(buffer)

    return chunks()


def _csv_value(name: str, value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in TEXT_FIELDS:
        return _cell(str(value))
    return value


def _drain(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value


def record_export(db: Database, actor: Actor, kind: str, *, target: str, **detail: object) -> None:
    """The audit row of an export (`export.money`, `export.counters`, ...), committed before its data leaves:
    whoever stops reading early (`| head`), or kills the export, is on record all the same."""
    db.write(lambda session: audit.record(session, f"export.{kind}", actor_id=actor.id, target=target, **detail))


def save_text(chunks: Iterable[str], path: Path, *, bom: bool = False, force: bool = False,
              protect: Iterable[Path] = ()) -> None:
    """Write text chunks to `path` as every output is written (`store.outputs`): never over a database, a
    device or a folder, over an existing file only with `force`, through a private temporary file that takes
    its place only when complete."""
    with outputs.replacing(path, force=force, protect=protect) as temporary, \
            open(temporary, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        for chunk in chunks:
            out.write(chunk)

"""Raw exports (SPEC §8) as CSV or JSON: balances, and every money or counter entry, streamed.

JSON amounts are strings with two decimals ("-5.00"). A student's balance is main + pockets, with the
split beside it (`main`, `in_pockets`). CSV rows end in CRLF; text that a spreadsheet
would run as a formula (starting with =, +, - or @) gets a leading apostrophe. The money and counter
exports are generators that read the entries chunk by chunk, each chunk in its own short read
transaction, so a million rows never sit in memory and the office is never locked out; they see the
entries that existed when the export began, and each receiver's balance as it was then.

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
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from sqlalchemy import text

from campbank.core.errors import InputError
from campbank.core.money import cents_to_str
from campbank.core.season import Season
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit
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
        "counters": {name: row.counters.get(name, 0) for name in COUNTERS if name != "book_certificate"},
        "expected_fine": cents_to_str(status_of(season, row).final.expected_fine),
    }


def balances_json(db: Database, actor: Actor) -> str:
    season, rows = balance_rows(db, actor)
    records = [balance_record(season, row) for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def balances_csv(db: Database, actor: Actor) -> str:
    buffer = io.StringIO()
    counters = [name for name in COUNTERS if name != "book_certificate"]
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["username", "full_name", "role", "squad", "grade", "active", "balance", "main", "in_pockets",
                     "certificates", *counters, "expected_fine"])
    season, rows = balance_rows(db, actor)
    for row in rows:
        record = balance_record(season, row)
        writer.writerow([record["username"], _cell(row.full_name), row.role, row.squad or "", row.grade or "",
                         "yes" if row.active else "no", record["balance"], record["main"], record["in_pockets"],
                         record["certificates"],
                         *(row.counters.get(name, 0) for name in counters), record["expected_fine"]])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


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
TEXT_FIELDS = frozenset({"description", "receiver_username", "receiver_last_name", "receiver_first_name",
                         "receiver_middle_name", "receiver_squad", "creator", "block", "pocket"})

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


def entry_records(db: Database, actor: Actor, kind: Kind, *, progress: Progress | None = None
                  ) -> Iterator[dict[str, object]]:
    """Every money or counter entry as a JSON-ready record (managers). Checks the permission at once."""
    if kind not in FIELDS:
        raise InputError(f"{kind!r} is not one of: money, counters", field="export")
    with db.session() as session:
        require(acting_account(session, actor), Action.EXPORT)
        season = current_season(session)
        people = {row[0]: row[1:] for row in session.execute(text(
            "SELECT a.id, a.username, a.last_name, a.first_name, a.middle_name, a.role, a.squad, a.grade, a.balance, "
            "COALESCE(p.name, '#' || f.id || ' ' || f.name) FROM account a "
            "LEFT JOIN pocket p ON p.account_id = a.id LEFT JOIN fund f ON f.account_id = a.id"))}
        upto, total = session.execute(text(
            f"SELECT COALESCE(MAX(id), 0), COUNT(*) FROM {_TABLES[kind]}")).one()
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
    username, last, first, middle, role, squad, grade, balance, pocket = people.get(receiver_id,
                                                                                   ("?",) + (None,) * 8)
    return {"receiver_username": username, "receiver_last_name": last or "", "receiver_first_name": first or "",
            "receiver_middle_name": middle or "", "receiver_role": role, "receiver_squad": squad,
            "receiver_grade": grade, "receiver_balance": cents_to_str(balance or 0), "pocket": pocket}


def _transaction(people: dict[int, tuple], creator_id: int, created: object, day: object, state: str
                 ) -> dict[str, object]:
    return {"creator": people.get(creator_id, ("?",))[0], "created_at": str(created).replace(" ", "T") + "Z",
            "day": str(day)[:10], "state": state, "counted": state == "processed"}


def entries_json(db: Database, actor: Actor, kind: Kind, *, progress: Progress | None = None) -> Iterator[str]:
    """A JSON array of the records, one record per line, streamed."""
    records = entry_records(db, actor, kind, progress=progress)

    def chunks() -> Iterator[str]:
        first = True
        for record in records:
            yield ("[\n  " if first else ",\n  ") + json.dumps(record, ensure_ascii=False)
            first = False
        yield "[]\n" if first else "\n]\n"

    return chunks()


def entries_csv(db: Database, actor: Actor, kind: Kind, *, bom: bool = True, progress: Progress | None = None
                ) -> Iterator[str]:
    """CSV (UTF-8, a byte-order mark first unless `bom=False`, CRLF), one header line, streamed."""
    records = entry_records(db, actor, kind, progress=progress)
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
    """The audit row of an export (`export.money`, `export.counters`, ...)."""
    db.write(lambda session: audit.record(session, f"export.{kind}", actor_id=actor.id, target=target, **detail))


def save_text(chunks: Iterable[str], path: Path, *, bom: bool = False) -> None:
    """Write text chunks to `path` (see `replacing`)."""
    with replacing(path) as target, open(target, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        for chunk in chunks:
            out.write(chunk)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """The file to write for `path`: a temporary file beside it, renamed over it once the body succeeds,
    so nobody sees half a file and a failure leaves the old one. A device or pipe (/dev/null, a FIFO) is
    written directly. A missing folder or an unwritable place is an InputError naming the output."""
    path = Path(path)
    check_output(path)
    if path.exists() and not path.is_file():
        with _as_input_error(path):
            yield path
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with _as_input_error(path):
            yield temporary
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def check_output(path: Path) -> None:
    """Refuse a folder, or a file in a folder that does not exist, before any work is done."""
    if path.is_dir():
        raise InputError(f"{path} is a folder; name the file to write", field="output")
    if not path.parent.is_dir():
        raise InputError(f"the folder {path.parent} does not exist", field="output")


@contextmanager
def _as_input_error(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}", field="output") from None

"""Raw exports as text: balances for now, as JSON (amounts as two-decimal strings) or CSV."""

from __future__ import annotations

import csv
import io
import json

from campbank.ledger.db import Database
from campbank.ledger.money import cents_to_str
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.queries import BalanceRow, balances

COUNTERS = ("seminar_attend", "seminar_pass", "fac_attend", "fac_pass", "lab_pass", "lecture_attend",
            "lecture_miss", "workout", "book_certificate", "class_attend")


def balance_rows(db: Database, actor: Actor) -> list[BalanceRow]:
    with db.session() as session:
        require(acting_account(session, actor), Action.EXPORT)
        return balances(session)


def balance_record(row: BalanceRow) -> dict[str, object]:
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
    }


def balances_json(db: Database, actor: Actor) -> str:
    records = [balance_record(row) for row in balance_rows(db, actor)]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def balances_csv(db: Database, actor: Actor) -> str:
    buffer = io.StringIO()
    counters = [name for name in COUNTERS if name != "book_certificate"]
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["username", "full_name", "role", "squad", "grade", "active", "balance", "certificates",
                     *counters])
    for row in balance_rows(db, actor):
        record = balance_record(row)
        writer.writerow([record["username"], _cell(row.full_name), row.role, row.squad or "", row.grade or "",
                         "yes" if row.active else "no", record["balance"], record["certificates"],
                         *(row.counters.get(name, 0) for name in counters)])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text

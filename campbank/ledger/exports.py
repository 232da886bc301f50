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
from campbank.ledger.season_model import Season
from campbank.ledger.season_store import current as current_season
from campbank.ledger.study import status_of

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
    writer.writerow(["username", "full_name", "role", "squad", "grade", "active", "balance", "certificates",
                     *counters, "expected_fine"])
    season, rows = balance_rows(db, actor)
    for row in rows:
        record = balance_record(season, row)
        writer.writerow([record["username"], _cell(row.full_name), row.role, row.squad or "", row.grade or "",
                         "yes" if row.active else "no", record["balance"], record["certificates"],
                         *(row.counters.get(name, 0) for name in counters), record["expected_fine"]])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text

"""Benchmarks 1 and 2 on a PostgreSQL server (`bench/run.py --db postgresql://…`): a group transaction to 400
students and a tax run over every student, CampBank against raw psycopg writing the same rows.

The cached SQLite camp of each scale is moved once into a database of its own on the server with
`campbank migrate`'s code (`campbank_bench_<scale>`), then written to by both sides.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
from camp import Scale, ensure_camp, staff_name, student_name

from campbank.ledger.store.database import open_database
from campbank.ledger.store.dialects import server_url
from campbank.ledger.store.dialects.postgresql import WRITE_LOCK
from campbank.ledger.store.migrate import migrate


def _plain(url: str) -> str:
    return server_url(url).replace("postgresql+psycopg://", "postgresql://", 1)


def working_copy(admin_url: str, scale: Scale, name: str) -> Path:
    """A fresh database on the server holding the cached camp of `scale`."""
    database = f"campbank_bench_{name}_{scale.students}"
    with psycopg.connect(_plain(admin_url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    target = Path(_plain(admin_url).rsplit("/", 1)[0] + "/" + database)
    source = open_database(ensure_camp(scale))
    try:
        migrate(source, target).target.dispose()
    finally:
        source.dispose()
    return target


def raw_transaction(con: Any, creator: str, type_: str, day: str, amounts: dict[str, int] | None, money_type: str,
                    key: str | None, students_where: str | None = None) -> None:
    """The rows CampBank writes for one processed money transaction, in one transaction under the same write lock
    (bench/run.py's `raw_transaction`, in psycopg)."""
    stamp = "2018-08-10 12:00:00.000000"
    with con.transaction():
        con.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        creator_id = con.execute("SELECT id FROM account WHERE username = %s", (creator,)).fetchone()[0]
        if students_where is not None:
            people = con.execute(f"SELECT id, username FROM account WHERE {students_where}").fetchall()
            payload = json.dumps({"type": type_, "date": day})
            lines = [(pid, -amounts["*"]) for pid, _ in people]  # type: ignore[index]
        else:
            assert amounts is not None
            ids = dict(con.execute("SELECT username, id FROM account WHERE username = ANY(%s)",
                                   (list(amounts),)).fetchall())
            payload = json.dumps({"type": type_, "money_type": money_type, "amounts": {
                u: f"{a / 100:.2f}" for u, a in amounts.items()}}, sort_keys=True)
            lines = [(ids[u], a) for u, a in amounts.items()]
        txn = con.execute(
            "INSERT INTO txn (type, creator_id, created_at, day, state, description, payload, update_of, "
            "idempotency_key, amount, recipients) VALUES (%s, %s, %s, %s, 'processed', 'raw', %s, NULL, %s, %s, %s) "
            "RETURNING id", (type_, creator_id, stamp, day, payload, key, sum(a for _, a in lines), len(lines)),
        ).fetchone()[0]
        with con.cursor() as cur:
            cur.executemany("INSERT INTO money_entry (transaction_id, receiver_id, amount, money_type, description) "
                            "VALUES (%s, %s, %s, %s, '') RETURNING id",
                            [(txn, pid, a, money_type) for pid, a in lines], returning=True)
            entry_ids = []
            while True:
                entry_ids.append(cur.fetchone()[0])
                if not cur.nextset():
                    break
        journal = [(txn, pid, entry, a, stamp) for entry, (pid, a) in zip(entry_ids, lines, strict=True)]
        journal += [(txn, creator_id, entry, -a, stamp) for entry, (pid, a) in zip(entry_ids, lines, strict=True)]
        with con.cursor() as cur:
            cur.executemany("INSERT INTO journal (transaction_id, account_id, money_entry_id, counter_entry_id, "
                            "counter_type, amount, reverses, created_at) VALUES (%s, %s, %s, NULL, NULL, %s, 0, %s)",
                            journal)
            cur.executemany("UPDATE account SET balance = balance + %s WHERE id = %s", [(a, pid) for pid, a in lines])
            cur.execute("UPDATE account SET balance = balance - %s WHERE id = %s",
                        (sum(a for _, a in lines), creator_id))
            cur.executemany("INSERT INTO audit_log (at, actor_id, action, target, detail) "
                            "VALUES (%s, %s, %s, %s, '{}')",
                            [(stamp, creator_id, "txn.created", f"txn:{txn}"),
                             (stamp, creator_id, "txn.processed", f"txn:{txn}")])


def connect(location: Path) -> Any:
    return psycopg.connect(_plain(str(location)), autocommit=True)


__all__ = ["connect", "raw_transaction", "staff_name", "student_name", "working_copy"]

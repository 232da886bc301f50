"""Shared test helpers: build a camp through the real API, write payloads, read the database raw.

Everything that *checks* the ledger here reads the SQLite file with the standard library, never with
the ledger's own queries, so a bug in the ledger cannot hide itself from the tests.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import server_db
from argon2 import PasswordHasher
from sqlmodel import select

from campbank.core.enums import State
from campbank.ledger import clock
from campbank.ledger.actions import auth
from campbank.ledger.actions.states import transition
from campbank.ledger.actions.users import add_user, deactivate
from campbank.ledger.permissions import Actor
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, CounterEntry, MoneyEntry, Transaction

MANAGER = "manager"
MANAGER_PASSWORD = "manager-pass-1"
STUDENT_PASSWORD = "student-pass-1"
STAFF_PASSWORD = "staff-pass-1"
SQUADS = ("Squad 1", "Squad 2", "Squad 3", "Squad 4")
DAY = "2018-08-10"  # inside the classic season (2018-08-06 .. 2018-08-26)
GRANT = 12_000  # the classic season's initial grant, in cents
T0 = datetime(2018, 8, 10, 12, 0, tzinfo=UTC)
SET_UP = datetime(2018, 8, 6, 6, 0, tzinfo=UTC)  # the morning of the classic season's first day



# --- building a camp -------------------------------------------------------------------------------


@dataclass
class Camp:
    """A camp database and the people in it, each with an actor as if they had signed in."""

    db: Database
    students: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    managers: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def folder(self) -> Path:
        return folder_of(self.path)

    def actor(self, username: str) -> Actor:
        return actor_of(self.db, username)

    @property
    def manager(self) -> Actor:
        return self.actor(MANAGER)


def folder_of(location: Path) -> Path:
    """Where a test puts the files it hands a camp: the file's own folder, or a scratch one for a camp on
    a server."""
    return server_db.scratch_folder(location) if server_db.is_server(location) else location.parent


def actor_of(db: Database, username: str) -> Actor:
    """The actor a sign-in would return (the tests that are about signing in call `sign_in`)."""
    with db.session() as session:
        account = session.exec(select(Account).where(Account.username == username)).one()
        return Actor.of(account)


def populate(db: Database, *, students: int = 5, staff: int = 2, managers: int = 1) -> Camp:
    """Add students s1.., staff t1.. and extra managers m1.. through `add_user`, as the first manager.

    Students are spread over the four squads, grades 7..11. Everyone's password is the role's
    password constant. `managers` counts managers besides the first one ("manager").
    """
    if clock._fixed is not None:  # the test chose the day everyone arrives
        return _populate(db, students, staff, managers)
    with clock.fixed_at(SET_UP):  # everyone is in the camp from its first day (the tax charges them from then)
        return _populate(db, students, staff, managers)


def _populate(db: Database, students: int, staff: int, managers: int) -> Camp:
    manager = actor_of(db, MANAGER)
    camp = Camp(db, managers=[MANAGER])
    for i in range(1, students + 1):
        add_user(db, manager, last_name=f"Student{i:02d}", first_name="Ann", role="student",
                 squad=SQUADS[(i - 1) % 4], grade=7 + (i - 1) % 5, username=f"s{i}", password=STUDENT_PASSWORD)
        camp.students.append(f"s{i}")
    for i in range(1, staff + 1):
        add_user(db, manager, last_name=f"Teacher{i}", first_name="Tom", role="staff", username=f"t{i}",
                 password=STAFF_PASSWORD)
        camp.staff.append(f"t{i}")
    for i in range(1, managers + 1):
        add_user(db, manager, last_name=f"Boss{i}", first_name="Meg", role="manager", username=f"m{i}",
                 password=MANAGER_PASSWORD)
        camp.managers.append(f"m{i}")
    return camp


def load_camp(db: Database) -> Camp:
    """The people of an existing camp database, by role."""
    camp = Camp(db)
    with db.session() as session:
        for account in session.exec(select(Account).order_by(Account.id)):
            if account.username == "bank" or account.role not in ("student", "staff", "manager"):
                continue  # the bank, and the accounts of pockets and funds
            {"student": camp.students, "staff": camp.staff, "manager": camp.managers}[account.role].append(
                account.username
            )
    return camp


@contextmanager
def fast_hashing() -> Iterator[None]:
    """Argon2id with the smallest parameters while building a template camp (tests use the same)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


def copy_database(source: Path, dest: Path) -> None:
    """Copy a closed database file (and its WAL, if the library uses one), or a closed camp on the server."""
    if server_db.is_server(source):
        server_db.clone(source, dest)
        return
    shutil.copy(source, dest)
    for suffix in ("-wal", "-shm"):
        extra = Path(str(source) + suffix)
        if extra.exists():
            shutil.copy(extra, Path(str(dest) + suffix))


def deactivated(camp: Camp, username: str) -> Actor:
    """Sign `username` in (their actor), then deactivate them: an old session of someone since removed."""
    actor = camp.actor(username)
    deactivate(camp.db, camp.manager, username)
    return actor


# --- payloads --------------------------------------------------------------------------------------


def money(amounts: Mapping[str, object], money_type: str = "reward", **extra: object) -> dict[str, object]:
    return {"type": "general_money", "money_type": money_type, "date": DAY, "amounts": dict(amounts), **extra}


def fine(amounts: Mapping[str, object], fine_type: str = "fine_any", **extra: object) -> dict[str, object]:
    return {"type": "fine", "fine_type": fine_type, "date": DAY, "amounts": dict(amounts), **extra}


def purchase(amounts: Mapping[str, object], purchase_type: str = "goods", **extra: object) -> dict[str, object]:
    return {"type": "purchase", "purchase_type": purchase_type, "date": DAY, "amounts": dict(amounts), **extra}


def p2p(receiver: str, amount: object, comment: str = "for the cake", **extra: object) -> dict[str, object]:
    return {"type": "p2p", "receiver": receiver, "amount": amount, "description": comment, "date": DAY, **extra}


def insert_transaction(
    db: Database,
    creator: str,
    type_: str,
    *,
    money: Iterable[tuple[str, int, str]] = (),
    counters: Iterable[tuple[str, str, int]] = (),
    state: State = State.PROCESSED,
) -> int:
    """Write a transaction straight through the ORM, for types no rule module posts yet (tax, counters).

    It goes through `states.transition`, so the journal, caches and audit are written as the ledger
    would write them.
    """

    def work(session):  # type: ignore[no-untyped-def]
        ids = {a.username: a.id for a in session.exec(select(Account))}
        txn = Transaction(type=type_, creator_id=ids[creator], created_at=T0, day=T0.date(), state=State.CREATED,
                          description=f"test {type_}", payload=json.dumps({"type": type_}))
        session.add(txn)
        session.flush()
        for receiver, amount, money_type in money:
            session.add(MoneyEntry(transaction_id=txn.id, receiver_id=ids[receiver], amount=amount,
                                   money_type=money_type))
        for receiver, counter_type, value in counters:
            session.add(CounterEntry(transaction_id=txn.id, receiver_id=ids[receiver], counter_type=counter_type,
                                     value=value, day=T0.date()))
        session.flush()
        audit.record(session, "txn.created", actor_id=ids[creator], target=f"txn:{txn.id}", type=type_)
        if state != State.CREATED:
            transition(session, txn, State.PROCESSED, actor_id=ids[creator])
        if state == State.DECLINED:
            transition(session, txn, State.DECLINED, actor_id=ids[creator])
        return txn.id

    return db.write(work)


# --- reading the file raw --------------------------------------------------------------------------


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection in autocommit mode (no pragmas of the ledger's); psycopg's for a server."""
    if server_db.is_server(path):
        return server_db.RawConnection(path)  # type: ignore[return-value]
    return sqlite3.connect(path, isolation_level=None)


def drop_guard(connection: sqlite3.Connection, name: str) -> None:
    """Drop one of CampBank's append-only guards, as someone with the file or the server's owner can."""
    if isinstance(connection, server_db.RawConnection):
        table = _guards(connection)[name][0]
        connection.execute(f"DROP TRIGGER {name} ON {table}")
    else:
        connection.execute(f"DROP TRIGGER {name}")


def put_back_guard(connection: sqlite3.Connection, name: str) -> None:
    """Make the guard again exactly as CampBank made it: nothing about it gives a rewrite away."""
    connection.execute(_guards(connection)[name][1])


@contextmanager
def guards_lifted(connection: sqlite3.Connection, *names: str) -> Iterator[None]:
    """The named append-only guards out of the way of a raw rewrite, then put back as they were."""
    for name in names:
        drop_guard(connection, name)
    yield
    for name in names:
        put_back_guard(connection, name)


def _guards(connection: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    from campbank.ledger.store import dialects

    on_server = isinstance(connection, server_db.RawConnection)
    return dialects.dialect_for(server_db.TEST_DB if on_server else "camp.db").expected_guards()


REFUSED = (sqlite3.IntegrityError, *server_db.INTEGRITY_ERRORS)
"""What a raw connection raises when a guard of the database refuses a statement, on either kind."""


def query(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
    connection = raw(path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in rowid order: compare two dumps to prove nothing was written."""
    connection = raw(path)
    try:
        if isinstance(connection, server_db.RawConnection):
            return {t: [tuple(row) for row in connection.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()]
                    for t in connection.table_names()}
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: connection.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        connection.close()


def checksum(path: Path) -> str:
    return hashlib.sha256(repr(sorted(dump(path).items())).encode()).hexdigest()


def checksum_apart_from_sign_in(path: Path) -> str:
    """`checksum` without the audit rows of signing in, nor the hash chain's links that hold only those: a
    command run `--as` someone writes them, and nothing else when it is refused or only reads."""
    tables = dump(path)
    sign_ins = {row[0] for row in tables["audit_log"] if str(row[3]).startswith("login.")}
    tables["audit_log"] = [row for row in tables["audit_log"] if row[0] not in sign_ins]
    if "chain" in tables:
        links = _links_of_sign_ins_only(path, sign_ins)
        tables["chain"] = [row for row in tables["chain"] if row[0] not in links]
    return hashlib.sha256(repr(sorted(tables.items())).encode()).hexdigest()


def _links_of_sign_ins_only(path: Path, sign_ins: set[int]) -> set[int]:
    """The numbers of the chain's links whose rows are all sign-in audit rows."""
    connection = raw(path)
    try:
        cursor = connection.execute("SELECT * FROM chain ORDER BY seq")
        columns = [column for column, *_ in cursor.description]
        links = [dict(zip(columns, row, strict=True)) for row in cursor]
    finally:
        connection.close()
    marks = [column for column in columns if column.endswith("_to")]  # the last row of each table covered
    found, previous = set(), dict.fromkeys(marks, 0)
    for link in links:
        moved = [mark for mark in marks if link[mark] != previous[mark]]
        first, last = previous["audit_log_to"] + 1, link["audit_log_to"]
        if moved == ["audit_log_to"] and all(row in sign_ins for row in range(first, last + 1)):
            found.add(link["seq"])
        previous = link
    return found


def balance(db: Database | Path, username: str) -> int:
    path = db.path if isinstance(db, Database) else db
    return query(path, "SELECT balance FROM account WHERE username = ?", (username,))[0][0]


def balances(db: Database | Path) -> dict[str, int]:
    path = db.path if isinstance(db, Database) else db
    return dict(query(path, "SELECT username, balance FROM account"))


def txn_state(db: Database, txn_id: int) -> str:
    return query(db.path, "SELECT state FROM txn WHERE id = ?", (txn_id,))[0][0]


def txn_row(db: Database, txn_id: int) -> dict[str, object]:
    connection = raw(db.path)
    connection.row_factory = sqlite3.Row
    try:
        return dict(connection.execute("SELECT * FROM txn WHERE id = ?", (txn_id,)).fetchone())
    finally:
        connection.close()


def journal_of(db: Database, txn_id: int) -> list[tuple[str, int, int]]:
    """(username, amount, reverses) of a transaction's money journal rows, in order."""
    return query(db.path, """
        SELECT a.username, j.amount, j.reverses FROM journal j JOIN account a ON a.id = j.account_id
         WHERE j.transaction_id = ? AND j.counter_type IS NULL ORDER BY j.id""", (txn_id,))


def audit_actions(db: Database, target: str | None = None, prefix: str = "") -> list[str]:
    sql = "SELECT action FROM audit_log WHERE action LIKE ?"
    params: tuple[object, ...] = (prefix + "%",)
    if target is not None:
        sql += " AND target = ?"
        params += (target,)
    return [a for (a,) in query(db.path, sql + " ORDER BY id", params)]


def audit_details(db: Database, action: str) -> list[dict[str, object]]:
    return [json.loads(d) for (d,) in query(db.path, "SELECT detail FROM audit_log WHERE action = ? ORDER BY id",
                                             (action,))]


def recomputed_balances(path: Path) -> dict[str, int]:
    """Balances from first principles: entries of processed transactions, receiver +, creator -."""
    rows = query(path, """
        SELECT t.state, c.username, r.username, m.amount FROM money_entry m
          JOIN txn t ON t.id = m.transaction_id
          JOIN account c ON c.id = t.creator_id
          JOIN account r ON r.id = m.receiver_id""")
    totals: Counter[str] = Counter({name: 0 for (name,) in query(path, "SELECT username FROM account")})
    for state, creator, receiver, amount in rows:
        if state == State.PROCESSED:
            totals[receiver] += amount
            totals[creator] -= amount
    return dict(totals)


def recomputed_counters(path: Path) -> dict[tuple[str, str], int]:
    totals: Counter[tuple[str, str]] = Counter()
    for state, receiver, counter, value in query(path, """
        SELECT t.state, a.username, c.counter_type, c.value FROM counter_entry c
          JOIN txn t ON t.id = c.transaction_id JOIN account a ON a.id = c.receiver_id"""):
        if state == State.PROCESSED:
            totals[(receiver, counter)] += value
    return {k: v for k, v in totals.items() if v}


def cached_counters(path: Path) -> dict[tuple[str, str], int]:
    return {(u, c): t for u, c, t in query(path, """
        SELECT a.username, ct.counter_type, ct.total FROM counter_total ct JOIN account a ON a.id = ct.account_id
         WHERE ct.total != 0""")}


def count_initial_grants(path: Path, username: str) -> list[int]:
    """The amounts of every initial grant ever made to `username` (by the bank)."""
    return [amount for (amount,) in query(path, """
        SELECT m.amount FROM money_entry m JOIN txn t ON t.id = m.transaction_id
          JOIN account r ON r.id = m.receiver_id JOIN account c ON c.id = t.creator_id
         WHERE m.money_type = 'initial' AND r.username = ? AND c.username = 'bank'
           AND t.type = 'general_money' AND t.state = 'processed'""", (username,))]


# --- backups ---------------------------------------------------------------------------------------


def backups_of(db: Database, reason: str = "*") -> list[Path]:
    """The dated backups CampBank made of the camp in its usual place, oldest first."""
    from campbank.ledger.store.backup import default_backup_dir

    extension = ".dump" if db.on_server else ".db"
    return sorted(default_backup_dir(db).glob(f"campbank-*-{reason}{extension}"))


def readable_backup(backup: Path) -> Path:
    """A backup as a camp `query` can read: the file itself, or a server's dump restored into a new
    database (dropped when the session ends)."""
    with backup.open("rb") as start:
        if start.read(5) != b"PGDMP":
            return backup
    return server_db.restore(backup)


"""Shared by the reliability tests: building a big camp, copying it, and starting real `campbank` processes."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import server_db
from helpers import (
    MANAGER_PASSWORD,
    SET_UP,
    SQUADS,
    STAFF_PASSWORD,
    STUDENT_PASSWORD,
    copy_database,
)
from sqlmodel import select

from campbank.ledger import clock
from campbank.ledger.actions import auth
from campbank.ledger.actions.person_details import RosterRow
from campbank.ledger.actions.setup import initialise
from campbank.ledger.actions.users import create_account, create_accounts
from campbank.ledger.season.in_force import current
from campbank.ledger.store.tables import Account

BIG_CAMP_STUDENTS = 2000
BIG_CAMP_STAFF = 4  # t1..t4
FAST_HASHER = "PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)"


def campbank_command() -> list[str]:
    """The installed `campbank` script, or the same app through this Python."""
    script = shutil.which("campbank")
    return [script] if script else [sys.executable, "-c", "from campbank.cli import app; app()"]


def fast_campbank_command() -> list[str]:
    """The same `campbank` app with the test suite's fast argon2 parameters.

    Used where a process hashes hundreds of new passwords (a roster import): with the real parameters
    nearly every random kill would land in the hashing, before the database is touched at all.
    """
    code = (
        "from argon2 import PasswordHasher; from campbank.ledger.actions import auth; "
        f"auth.hasher = {FAST_HASHER}; from campbank.cli import app; app()"
    )
    return [sys.executable, "-c", code]


def process_env(password: str = MANAGER_PASSWORD) -> dict[str, str]:
    env = dict(os.environ, CAMPBANK_PASSWORD=password, COLUMNS="200", PYTHONWARNINGS="ignore")
    env.pop("CAMPBANK_DB", None)
    return env


def build_big_camp(path: Path, students: int = BIG_CAMP_STUDENTS, staff: int = BIG_CAMP_STAFF) -> None:
    """`students` students s1.. (each with the initial grant) and staff t1.., in one write transaction."""
    camp = initialise(path, manager="manager", manager_password=MANAGER_PASSWORD)
    db = camp.database
    student_hash = auth.hasher.hash(STUDENT_PASSWORD)
    staff_hash = auth.hasher.hash(STAFF_PASSWORD)

    def work(session):  # type: ignore[no-untyped-def]
        season = current(session)
        manager_id = session.exec(select(Account.id).where(Account.username == "manager")).one()
        made = []
        for i in range(1, students + 1):
            row = RosterRow(line=i + 1, last_name=f"Student{i:04d}", first_name="Ann", middle_name="",
                            squad=SQUADS[(i - 1) % 4], grade=7 + (i - 1) % 5, role="student",
                            username=f"s{i}", password=None)
            made.append((row, f"s{i}", student_hash))
        create_accounts(session, made, actor_id=manager_id, season=season)
        for i in range(1, staff + 1):
            row = RosterRow(line=i, last_name=f"Teacher{i}", first_name="Tom", middle_name="", squad=None,
                            grade=None, role="staff", username=f"t{i}", password=None)
            create_account(session, row, f"t{i}", staff_hash, actor_id=manager_id, season=season)

    with clock.fixed_at(SET_UP):  # everyone is in the camp from its first day (the tax charges them from then)
        db.write(work)
    db.dispose()


def fresh_copy(template: Path, folder: Path) -> Path:
    """A copy of the template in its own folder (a tax run puts its backups beside the database)."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = server_db.new_location(create=False) if server_db.ON_SERVER else folder / "camp.db"
    copy_database(template, dest)
    return dest

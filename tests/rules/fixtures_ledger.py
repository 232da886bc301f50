"""Helpers for the rule modules' integration tests through the real ledger (`post` on a fresh database)."""

from __future__ import annotations

from campbank.ledger.actions.users import add_user
from campbank.ledger.people import account_named
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database
from campbank.ledger.views.accounts import BalanceRow, account_balance

# username -> (last name, first name, squad); roster order is the order below.
CAMPERS = {
    "ivanov": ("Ivanov", "Ivan", "Squad 1"),
    "petrov": ("Petrov", "Petr", "Squad 1"),
    "sidorov": ("Sidorov", "Sidor", "Squad 1"),
    "smirnov": ("Smirnov", "Semen", "Squad 1"),
    "volkov": ("Volkov", "Viktor", "Squad 2"),
    "zaitsev": ("Zaitsev", "Zakhar", "Squad 2"),
    "adams": ("Adams", "Anna", "Squad 3"),
}


def actor_named(db: Database, username: str) -> Actor:
    with db.session() as session:
        return Actor.of(account_named(session, username))


def camp(db: Database, *usernames: str) -> Actor:
    """Add the named students (each gets the initial grant) and a staff member; returns the staff actor."""
    manager = actor_named(db, "manager")
    for username in usernames or tuple(CAMPERS):
        last, first, squad = CAMPERS[username]
        add_user(db, manager, last_name=last, first_name=first, role="student", squad=squad, grade=9,
                 username=username, password="student-pass-1")
    add_user(db, manager, last_name="Teacher", first_name="Tamara", role="staff", username="teacher",
             password="teacher-pass-1")
    return actor_named(db, "teacher")


def row(db: Database, username: str) -> BalanceRow:
    return account_balance(db, actor_named(db, "manager"), username)


def balance(db: Database, username: str) -> int:
    return row(db, username).balance

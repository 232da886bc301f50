"""The application role of a camp on PostgreSQL (docs/postgresql.md#setting-up-the-server): the offices connect
as a role that may read and add rows everywhere, change the rows that change (balances, states, …), and never
UPDATE, DELETE or TRUNCATE the append-only tables, so a guard dropped by mistake still leaves them untouched.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlmodel import SQLModel

from campbank.core.errors import InputError
from campbank.ledger.store import triggers

if TYPE_CHECKING:
    from campbank.ledger.store.database import Database

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def grant_statements(role: str) -> list[str]:
    """The SQL that gives `role` what the offices need (run as the camp's owner)."""
    if not _ROLE_NAME.fullmatch(role):
        raise InputError(f"{role!r} is not a role name CampBank uses (lower-case letters, digits and _)",
                         field="app-role")
    guarded = [*triggers.APPEND_ONLY_TABLES]
    every = [table.name for table in SQLModel.metadata.sorted_tables]
    return [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON {", ".join(every)} TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        f'REVOKE UPDATE, DELETE, TRUNCATE ON {", ".join(guarded)} FROM "{role}"',
        f'REVOKE DELETE, TRUNCATE ON dispute FROM "{role}"',
    ]


def grant(database: Database, role: str) -> None:
    """Give the application role its privileges, in one transaction; refused on a SQLite file."""
    if not database.on_server:
        raise InputError("an application role is for a camp on PostgreSQL; a SQLite file has none",
                         field="app-role")
    statements = grant_statements(role)
    with database.engine.begin() as connection:
        exists = connection.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(role)s", {"role": role}).first()
        if exists is None:
            raise InputError(f"there is no role {role!r} on the server: CREATE ROLE {role} LOGIN PASSWORD '…' first",
                             field="app-role")
        for statement in statements:
            connection.exec_driver_sql(statement)

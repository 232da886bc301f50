"""Importing a roster file: read and check it, plan, keep the new passwords safe, then write.

The generated passwords are written to a workbook beside the credentials file before the database is
touched, and renamed into place only once the import is committed; a failed import removes it. So a
password is never lost (the people exist only if their passwords were written) and never left behind
for people who were not created.
"""

from __future__ import annotations

import os
from pathlib import Path

from campbank.core.errors import InputError
from campbank.formats.credentials import write_credentials
from campbank.formats.roster import read_roster
from campbank.ledger.actions.users import ImportPlan, apply_import, hash_passwords, plan_import, season_roster_rules
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import Database


def plan_file(db: Database, actor: Actor, path: Path) -> ImportPlan:
    """What importing the file would do (a dry run): nothing is written."""
    squads, grades = season_roster_rules(db)
    return plan_import(db, actor, read_roster(path, squads=squads, grades=grades))


def import_roster(
    db: Database, actor: Actor, path: Path, *, credentials_out: Path | None = None, dry_run: bool = False
) -> ImportPlan:
    """Import a roster file all-or-nothing; new people get their grant, generated passwords go to a file."""
    path = Path(path)
    plan = plan_file(db, actor, path)
    if plan.generated_passwords and credentials_out is None and not dry_run:
        raise InputError(
            f"{len(plan.generated_passwords)} new people get generated passwords; name a file to write "
            "them to with --credentials OUT.xlsx",
            field="credentials",
        )
    if dry_run:
        return plan
    hashes = hash_passwords(plan)
    partial = _write_partial_credentials(plan, credentials_out)
    try:
        apply_import(db, actor, plan, hashes, source=path.name)
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    if partial is not None and credentials_out is not None:
        os.replace(partial, credentials_out)
    return plan


def _write_partial_credentials(plan: ImportPlan, out: Path | None) -> Path | None:
    if out is None or not plan.generated_passwords:
        return None
    rows = []
    for row in plan.create:
        username = plan.usernames[row.line]
        if username in plan.generated_passwords:
            rows.append((row.full_name, row.squad or "", username, plan.generated_passwords[username]))
    partial = out.with_name(out.name + ".partial.xlsx")
    write_credentials(partial, rows)
    return partial

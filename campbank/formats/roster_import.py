"""Importing a roster file: read and check it, plan, keep the new passwords safe, then write.

The generated passwords are written to a private new workbook beside the credentials file
(`NAME.partial-XXXXXX.xlsx`, mode 0600) before the database is touched, and put in the credentials file's
place only once the import is committed; a failed import removes it. So a password is never lost (the people
exist only if their passwords were written, and a run killed after its commit leaves them in the partial
workbook) and never left behind for people who were not created. The credentials path is judged like every
output (`store.outputs`) before anything else is done: never a database, a device or a folder, and an
existing file only with `force` — except an existing credentials workbook, which is merged: its rows are kept
and the new people's added (docs/season.md#credentials), so a late student's import never loses the others'.
"""

from __future__ import annotations

from pathlib import Path

from campbank.core.errors import InputError
from campbank.formats.credentials import credentials_workbook, read_credentials, save_private
from campbank.formats.roster import read_roster
from campbank.ledger.actions.users import ImportPlan, apply_import, hash_passwords, plan_import, season_roster_rules
from campbank.ledger.permissions import Actor
from campbank.ledger.store import outputs
from campbank.ledger.store.database import Database


def plan_file(db: Database, actor: Actor, path: Path) -> ImportPlan:
    """What importing the file would do (a dry run): nothing is written."""
    squads, grades = season_roster_rules(db)
    return plan_import(db, actor, read_roster(path, squads=squads, grades=grades))


def import_roster(
    db: Database, actor: Actor, path: Path, *, credentials_out: Path | None = None, dry_run: bool = False,
    force: bool = False,
) -> ImportPlan:
    """Import a roster file all-or-nothing; new people get their grant, generated passwords go to a file."""
    path = Path(path)
    if credentials_out is not None:  # never a database, a device or a folder; an existing file is refused
        # later, and only if there are passwords to write (a re-run that adds nobody writes none)
        outputs.judge(credentials_out, force=True, protect=[db.path], field="credentials")
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
    staged = _write_partial_credentials(plan, credentials_out, force, db)
    try:
        apply_import(db, actor, plan, hashes, source=path.name)
    except BaseException:
        if staged is not None:
            staged.discard()
        raise
    if staged is not None:
        try:
            staged.commit()
        except (InputError, OSError) as error:  # the people exist now: their passwords must not be lost
            raise InputError(f"imported, but {error}; the new passwords are in {staged.temporary}",
                             field="credentials") from None
    return plan


def _existing_credentials(out: Path, force: bool) -> list[tuple[str, str, str, str]] | None:
    """The rows already in `out` when it is a credentials workbook; refused when it is another file (unless
    `force`, which replaces it)."""
    if not out.is_file() or out.stat().st_size == 0:
        return None
    earlier = read_credentials(out)
    if earlier is None and not force:
        raise InputError(f"{out} already exists and is not a credentials workbook; nothing was imported: name a "
                         "new file, or add --force to replace it", field="credentials")
    return earlier


def _write_partial_credentials(plan: ImportPlan, out: Path | None, force: bool,
                               db: Database) -> outputs.Staged | None:
    if out is None or not plan.generated_passwords:
        return None
    rows = []
    for row in plan.create:
        username = plan.usernames[row.line]
        if username in plan.generated_passwords:
            rows.append((row.full_name, row.squad or "", username, plan.generated_passwords[username]))
    earlier = _existing_credentials(out, force)
    if earlier is not None:
        new_usernames = {username for _name, _squad, username, _password in rows}
        rows = [kept for kept in earlier if kept[2] not in new_usernames] + rows
    staged = outputs.stage(out, force=force or earlier is not None, protect=[db.path], field="credentials",
                           visible_as="partial")
    try:
        save_private(credentials_workbook(rows), staged.temporary)
    except BaseException:
        staged.discard()
        raise
    return staged

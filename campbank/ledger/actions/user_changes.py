"""Changing a person after they were added: reactivating them, correcting their name, squad or grade.

Each change is one audited write; a field is checked by the same rules as a roster row
(`person_details.check_person`), so a squad may be written by its name or its number here too.
"""

from __future__ import annotations

from sqlmodel import Session

from campbank.core.enums import Role
from campbank.core.errors import InputError, RuleError
from campbank.ledger import clock
from campbank.ledger.actions.person_details import check_person
from campbank.ledger.actions.users import changeable_person
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.store.savings import sync_pockets

EDITABLE = ("last_name", "first_name", "middle_name", "squad", "grade")


def reactivate(db: Database, actor: Actor, username: str) -> None:
    """Let a deactivated person sign in and be paid again (taxed again from today)."""

    def work(session: Session) -> None:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_USERS)
        target = changeable_person(session, username)
        if target.active:
            raise RuleError(f"{username} is already active", field="username")
        target.active = True
        session.add(target)
        audit.record(session, "user.reactivate", actor_id=account.id, target=f"user:{username}", at=clock.now())

    db.write(work)


def edit(db: Database, actor: Actor, username: str, **changes: object) -> list[str]:
    """Correct someone's name, squad or grade; returns the fields that changed (none: nothing written)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InputError(f"cannot be edited: {', '.join(sorted(unknown))}", field="field")
    given = {name: value for name, value in changes.items() if value is not None}
    if not given:
        raise InputError("give at least one of --last-name, --first-name, --middle-name, --squad, --grade",
                         field="field")

    def work(session: Session) -> list[str]:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_USERS)
        target = changeable_person(session, username)
        season = current_season(session)
        values = {name: getattr(target, name) for name in EDITABLE} | given
        grade = values["grade"]
        row = check_person(
            last_name=str(values["last_name"] or ""), first_name=str(values["first_name"] or ""),
            middle_name=str(values["middle_name"] or ""), squad=str(values["squad"]) if values["squad"] else None,
            grade=int(str(grade)) if grade not in (None, "") else None, role=str(target.role), username=None,
            password=None, squads=season.squads, grades=season.grades,
        )
        changed = [name for name in EDITABLE if name in given and getattr(row, name) != getattr(target, name)
                   and not (name == "middle_name" and not row.middle_name and not target.middle_name)]
        if not changed:
            return []
        for name in changed:
            setattr(target, name, getattr(row, name) or ("" if name.endswith("name") else None))
        session.add(target)
        if target.role == Role.STUDENT:
            sync_pockets(session, target)
        audit.record(session, "user.edit", actor_id=account.id, target=f"user:{username}", changed=changed,
                     **{name: getattr(row, name) for name in changed})
        return changed

    return db.write(work)

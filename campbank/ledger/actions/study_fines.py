"""Study fines (docs/rules.md#study_fine): preview each student's fine for a stage, then charge it once.

Each student's fine is its own `study_fine` transaction with the system key `sys:study_fine:STAGE:ID`
(which no payload can carry), so a second charge (or a charge racing another) finds the key and changes
nothing; a student added later is charged by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from campbank.core.enums import Role
from campbank.ledger.actions.grants import season_day
from campbank.ledger.actions.posting import record_transaction
from campbank.ledger.people import acting_account, bank_account, load_people, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, keys
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, Transaction
from campbank.rules.base import Person, RuleContext
from campbank.rules.study_fine import RULE as STUDY_FINE
from campbank.rules.study_fine import Progress, progress, stage_of


@dataclass(frozen=True)
class StudentFine:
    username: str
    full_name: str
    squad: str | None
    grade: int | None
    progress: Progress
    charged_in: int | None  # the transaction that already charged this stage, if any

    @property
    def fine(self) -> int:
        return self.progress.expected_fine


def key_for(stage: str, account_id: int) -> str:
    return keys.study_fine(stage, account_id)


def preview(db: Database, actor: Actor, stage: str) -> list[StudentFine]:
    with db.session() as session:
        require(acting_account(session, actor), Action.CHARGE_FINES)
        return _fines(session, stage)


def charge(db: Database, actor: Actor, stage: str) -> list[StudentFine]:
    """Charge every active student not yet charged for `stage`; returns those charged now."""

    def work(session: Session) -> list[StudentFine]:
        account = acting_account(session, actor)
        require(account, Action.CHARGE_FINES)
        season = current_season(session)
        bank = bank_account(session)
        charged = []
        for fine in _fines(session, stage):
            if fine.charged_in is not None or fine.fine <= 0:
                continue
            people = load_people(session, [fine.username])
            ctx = RuleContext(season=season, day=season_day(season), creator=person_of(bank), people=people)
            payload = {"type": "study_fine", "stage": stage}
            entries = STUDY_FINE.build(payload, ctx)
            posted = record_transaction(
                session, STUDY_FINE, bank.id, day=ctx.day, description=f"{stage.capitalize()} study fine",
                payload={**payload, "student": fine.username}, entries=entries, people=people,
                key=key_for(stage, people[fine.username].id),
            )
            charged.append(StudentFine(fine.username, fine.full_name, fine.squad, fine.grade, fine.progress,
                                       posted.id))
        if charged:  # the fines are created by the bank; the audit log keeps who charged them
            audit.record(session, "fines.charged", actor_id=account.id, target=f"stage:{stage}",
                         students=len(charged), total=sum(row.fine for row in charged),
                         transactions=[row.charged_in for row in charged])
        return charged

    return db.write(work)


def _fines(session: Session, stage_name: str) -> list[StudentFine]:
    season = current_season(session)
    stage = stage_of(season, stage_name)
    students = session.exec(
        select(Account).where(Account.role == Role.STUDENT).where(Account.active == True)  # noqa: E712
    ).all()
    people: dict[str, Person] = load_people(session, [a.username for a in students])
    keys = {key_for(stage_name, p.id): p.username for p in people.values()}
    already = {
        keys[key]: txn_id
        for key, txn_id in session.exec(
            select(Transaction.idempotency_key, Transaction.id).where(
                col(Transaction.idempotency_key).in_(list(keys))
            )
        )
        if key is not None
    }
    rows = [
        StudentFine(p.username, p.full_name, p.squad, p.grade, progress(stage, p.grade, p.counters),
                    already.get(p.username))
        for p in people.values()
    ]
    return sorted(rows, key=lambda r: (r.squad or "", r.full_name.casefold(), r.username))

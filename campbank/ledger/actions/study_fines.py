"""Study fines (docs/rules.md#study_fine): preview each student's fine for a stage, then charge it once.

Each student's fine is its own `study_fine` transaction with the system key `sys:study_fine:STAGE:ID`
(which no payload can carry), so a second charge (or a charge racing another) finds the key and changes
nothing; a student added later is charged by the next run.

A stage is charged on or after its day (the equator: the season's middle day; the final: its last day);
earlier only with `force`. `void` reverses every counted fine of a stage in one audited write; a later
charge of that stage makes each fine again, keyed as the next generation (`…:ID:2`), like a voided tax day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from campbank.core.enums import Role, State
from campbank.core.errors import RuleError
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.actions.grants import season_day
from campbank.ledger.actions.posting import record_transaction
from campbank.ledger.actions.states import clean_reason, transition
from campbank.ledger.people import acting_account, bank_account, load_people, person_of
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, keys
from campbank.ledger.store.database import Database
from campbank.ledger.store.queries import keyed
from campbank.ledger.store.tables import Account
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


@dataclass(frozen=True)
class Voided:
    stage: str
    students: int
    total: int
    transaction_ids: tuple[int, ...]


def key_for(stage: str, account_id: int, generation: int = 1) -> str:
    base = keys.study_fine(stage, account_id)
    return base if generation == 1 else f"{base}:{generation}"


def stage_day(season: Season, stage: str) -> date:
    """The day a stage falls due: the equator on the middle day, the final on the last day."""
    stage_of(season, stage)  # refuses an unknown stage, or one the season does not have
    if stage == "equator":
        return season.first_day + timedelta(days=(season.days - 1) // 2)
    return season.last_day


def due_day(db: Database, stage: str) -> date:
    with db.session() as session:
        return stage_day(current_season(session), stage)


def preview(db: Database, actor: Actor, stage: str) -> list[StudentFine]:
    with db.session() as session:
        require(acting_account(session, actor), Action.CHARGE_FINES)
        return _fines(session, stage)


def charge(db: Database, actor: Actor, stage: str, *, force: bool = False) -> list[StudentFine]:
    """Charge every active student not yet charged for `stage`; returns those charged now.

    Before the stage's day it is refused unless `force`: programmes are judged once they are over."""

    def work(session: Session) -> list[StudentFine]:
        account = acting_account(session, actor)
        require(account, Action.CHARGE_FINES)
        season = current_season(session)
        due = stage_day(season, stage)
        if clock.today() < due and not force:
            raise RuleError(f"the {stage} stage falls due on {due} (day {season.day_number(due)}); charging it "
                            "before then needs --force", field="stage")
        bank = bank_account(session)
        charged = []
        for fine in _fines(session, stage):
            if fine.charged_in is not None or fine.fine <= 0:
                continue
            people = load_people(session, [fine.username])
            student_id = people[fine.username].id
            ctx = RuleContext(season=season, day=season_day(season), creator=person_of(bank), people=people)
            payload = {"type": "study_fine", "stage": stage}
            entries = STUDY_FINE.build(payload, ctx)
            posted = record_transaction(
                session, STUDY_FINE, bank.id, day=ctx.day, description=f"{stage.capitalize()} study fine",
                payload={**payload, "student": fine.username}, entries=entries, people=people,
                key=key_for(stage, student_id, _generations(session, stage, student_id) + 1),
            )
            charged.append(StudentFine(fine.username, fine.full_name, fine.squad, fine.grade, fine.progress,
                                       posted.id))
        if charged:  # the fines are created by the bank; the audit log keeps who charged them
            audit.record(session, "fines.charged", actor_id=account.id, target=f"stage:{stage}",
                         students=len(charged), total=sum(row.fine for row in charged),
                         transactions=[row.charged_in for row in charged])
        return charged

    return db.write(work)


def void(db: Database, actor: Actor, stage: str, *, reason: str = "") -> Voided:
    """Reverse every counted fine of `stage` in one audited write (a manager's undo of a charge)."""
    reason = clean_reason(reason)

    def work(session: Session) -> Voided:
        account = acting_account(session, actor)
        require(account, Action.CHARGE_FINES)
        stage_of(current_season(session), stage)
        fines = [txn for txn in keyed.under(session, STUDY_FINE.type, keys.study_fine_prefix(stage))
                 if txn.state == State.PROCESSED]
        if not fines:
            raise RuleError(f"no {stage} study fine is counted; nothing to void", field="stage")
        total = 0
        for txn in fines:
            total += -txn.amount
            transition(session, txn, State.DECLINED, actor_id=account.id, reason=reason or f"{stage} fines voided")
        ids = tuple(txn.id for txn in fines if txn.id is not None)
        audit.record(session, "fines.voided", actor_id=account.id, target=f"stage:{stage}", students=len(ids),
                     total=total, transactions=list(ids), reason=reason)
        return Voided(stage, len(ids), total, ids)

    return db.write(work)


def _generations(session: Session, stage: str, account_id: int) -> int:
    return len(keyed.generations(session, STUDY_FINE.type, key_for(stage, account_id)))


def _fines(session: Session, stage_name: str) -> list[StudentFine]:
    season = current_season(session)
    stage = stage_of(season, stage_name)
    students = session.exec(
        select(Account).where(Account.role == Role.STUDENT).where(Account.active == True)  # noqa: E712
    ).all()
    people: dict[str, Person] = load_people(session, [a.username for a in students])
    owner = {p.id: p.username for p in people.values()}
    prefix = keys.study_fine_prefix(stage_name)
    already: dict[str, int] = {}
    for txn in keyed.under(session, STUDY_FINE.type, prefix):  # the stage's fines (any generation)
        account_id = int(str(txn.idempotency_key)[len(prefix):].split(":")[0])
        if txn.state == State.PROCESSED and account_id in owner:
            already[owner[account_id]] = int(txn.id or 0)
    rows = [
        StudentFine(p.username, p.full_name, p.squad, p.grade, progress(stage, p.grade, p.counters),
                    already.get(p.username))
        for p in people.values()
    ]
    return sorted(rows, key=lambda r: (r.squad or "", r.full_name.casefold(), r.username))

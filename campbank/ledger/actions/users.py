"""Users: the built-in bank, adding people (with their initial grant), roster import, passwords.

Re-importing a roster updates people and never deletes anyone. A file with any bad row imports
nothing. Passwords are hashed before the write lock is taken, so a big import never blocks the camp.
Reading the roster file and writing the credentials workbook are `campbank.formats.roster_import`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from campbank.core.enums import Role
from campbank.core.errors import InputError, RuleError
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.actions import auth
from campbank.ledger.actions.auth import check_password_rules
from campbank.ledger.actions.grants import grant_initial
from campbank.ledger.actions.person_details import RosterError, RosterRow, RowProblem
from campbank.ledger.actions.usernames import (
    generate_password,
    generate_username,
    is_valid_username,
)
from campbank.ledger.people import BANK, account_named, acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.store import audit, tokens
from campbank.ledger.store.database import Database
from campbank.ledger.store.savings import sync_pockets
from campbank.ledger.store.tables import Account, SignInLock

PROFILE_FIELDS = ("last_name", "first_name", "middle_name", "squad", "grade", "role")


@dataclass
class ImportPlan:
    """What an import will do; a dry run shows it and writes nothing."""

    create: list[RosterRow] = field(default_factory=list)
    update: list[tuple[RosterRow, str, list[str]]] = field(default_factory=list)  # row, username, changed
    unchanged: list[tuple[RosterRow, str]] = field(default_factory=list)
    usernames: dict[int, str] = field(default_factory=dict)  # line -> username for new people
    generated_passwords: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Credential:
    full_name: str
    squad: str
    username: str
    password: str


def ensure_bank(session: Session) -> Account:
    """The built-in `bank`: a manager that creates taxes and initial grants and can never sign in."""
    bank = session.exec(select(Account).where(Account.username == BANK)).first()
    if bank is None:
        bank = Account(username=BANK, role=Role.MANAGER, last_name="Bank", can_login=False,
                       created_at=clock.now())
        session.add(bank)
        session.flush()
    return bank


def system_actor(db: Database) -> Actor:
    """Who acts for CLI commands run without `--as`: the database's owner, as the bank."""
    with db.session() as session:
        return Actor.of(account_named(session, BANK))


def add_user(
    db: Database,
    actor: Actor,
    *,
    last_name: str,
    first_name: str,
    role: str,
    middle_name: str = "",
    squad: str | None = None,
    grade: int | None = None,
    username: str | None = None,
    password: str | None = None,
) -> Credential:
    """Add one person; returns their credentials (the password is shown to the manager once)."""
    with db.session() as session:
        season = current_season(session)
    row = _single_row(last_name, first_name, middle_name, squad, grade, role, username, password, season)
    password = password or generate_password()
    password_hash = auth.hasher.hash(password)

    def work(session: Session) -> Credential:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_USERS)
        taken = _taken_usernames(session)
        if row.username is None and (namesakes := _namesakes(session, row)):
            raise RuleError(f"{row.full_name} is already here as {', '.join(namesakes)}; to add a namesake, give "
                            "a distinct --username", field="username")
        name = row.username or generate_username(row.last_name, row.first_name, taken)
        if name in taken:
            raise RuleError(f"{name!r} is already taken", field="username")
        create_account(session, row, name, password_hash, actor_id=account.id, season=season)
        return Credential(row.full_name, row.squad or "", name, password)

    return db.write(work)


def season_roster_rules(db: Database) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The squads and grades a roster row may name: the season's."""
    with db.session() as session:
        season = current_season(session)
        return tuple(season.squads), tuple(season.grades)


def plan_import(db: Database, actor: Actor, rows: Sequence[RosterRow]) -> ImportPlan:
    """What importing `rows` would do: who is created, updated or unchanged; nothing is written."""
    with db.session() as session:
        require(acting_account(session, actor), Action.MANAGE_USERS)
        return _plan(session, rows)


def hash_passwords(plan: ImportPlan) -> dict[int, str]:
    """The password hash of each created or re-passworded row, by line: computed before the write lock."""
    hashes = {
        row.line: auth.hasher.hash(row.password or plan.generated_passwords[plan.usernames[row.line]])
        for row in plan.create
    }
    hashes.update({row.line: auth.hasher.hash(row.password) for row, _, _ in plan.update if row.password})
    return hashes


def apply_import(db: Database, actor: Actor, plan: ImportPlan, hashes: dict[int, str], *, source: str) -> None:
    """Write a planned import in one transaction: new people with their grant, changed people updated."""

    def work(session: Session) -> None:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_USERS)
        season = current_season(session)
        taken = _taken_usernames(session)
        if any(plan.usernames[row.line] in taken for row in plan.create):
            raise RuleError("the users changed while the file was being read; run the import again",
                            field="username")
        create_accounts(session, [(row, plan.usernames[row.line], hashes[row.line]) for row in plan.create],
                        actor_id=account.id, season=season)
        for row, username, changed in plan.update:
            _update(session, row, username, changed, hashes.get(row.line), actor_id=account.id)
        audit.record(session, "users.import", actor_id=account.id, target=f"file:{source}",
                     created=len(plan.create), updated=len(plan.update), unchanged=len(plan.unchanged))

    db.write(work)


def set_password(db: Database, actor: Actor, username: str, password: str | None = None) -> str:
    """A manager resets someone's password (generated when not given); returns it to be handed over."""
    if password is not None:
        check_password_rules(password)
    password = password or generate_password()
    password_hash = auth.hasher.hash(password)

    def work(session: Session) -> None:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_USERS)
        target = changeable_person(session, username)
        target.password_hash = password_hash
        target.failed_logins = 0
        target.lockouts = 0
        target.locked_until = None
        session.add(target)
        for kiosk_lock in session.exec(select(SignInLock).where(SignInLock.account_id == target.id)):
            session.delete(kiosk_lock)
        audit.record(session, "user.password", actor_id=account.id, target=f"user:{username}")
        tokens.revoke_all(session, target.id, at=clock.now(), reason="password changed", actor_id=account.id)

    db.write(work)
    return password


def deactivate(db: Database, actor: Actor, username: str) -> None:
    """Stop someone signing in or being paid; their history and balance stay."""

    def work(session: Session) -> None:
        account = acting_account(session, actor)
        require(account, Action.MANAGE_USERS)
        target = changeable_person(session, username)
        if target.id == account.id:
            raise RuleError("you cannot deactivate yourself", field="username")
        if not target.active:
            raise RuleError(f"{username} is already deactivated", field="username")
        if target.role == Role.MANAGER and not _other_active_managers(session, target):
            raise RuleError(f"{username} is the last active manager: make another manager first (nobody could "
                            "manage the camp)", field="username")
        target.active = False
        session.add(target)
        audit.record(session, "user.deactivate", actor_id=account.id, target=f"user:{username}")
        tokens.revoke_all(session, target.id, at=clock.now(), reason="deactivated", actor_id=account.id)

    db.write(work)


# ------------------------------------------------------------------------------------------------


def changeable_person(session: Session, username: str) -> Account:
    if username == BANK:
        raise InputError("the bank account cannot be changed", field="username")
    account = account_named(session, username)
    if account.role not in tuple(Role):  # a pocket's or a fund's account is not a person
        raise InputError(f"{username!r} is not a person's account", field="username")
    return account


def _other_active_managers(session: Session, target: Account) -> int:
    """Active managers who can sign in, besides `target` (the bank never signs in)."""
    return len(session.exec(select(Account.id).where(Account.role == Role.MANAGER, Account.active == True,  # noqa: E712
                                                     Account.can_login == True, Account.id != target.id,  # noqa: E712
                                                     Account.username != BANK)).all())


def _taken_usernames(session: Session) -> set[str]:
    return set(session.exec(select(Account.username)).all())


def _plan(session: Session, rows: Sequence[RosterRow]) -> ImportPlan:
    accounts = session.exec(select(Account).where(Account.username != BANK)).all()
    by_username = {a.username: a for a in accounts}
    by_person: dict[tuple[str, str, str, str], list[Account]] = {}
    for a in accounts:
        by_person.setdefault(_identity(a.last_name, a.first_name, a.middle_name, str(a.role)), []).append(a)
    taken = set(by_username) | {BANK}
    plan = ImportPlan()
    problems: list[RowProblem] = []
    for row in rows:
        existing = by_username.get(row.username) if row.username else None
        if existing is None and not row.username:
            matches = by_person.get(_identity(row.last_name, row.first_name, row.middle_name, row.role), [])
            if len(matches) > 1:  # never guess which one, and never make a third
                problems.append(RowProblem(row.line, "name", (
                    f"{row.full_name} matches {len(matches)} people ({', '.join(a.username for a in matches)}); "
                    "add a username column naming which one (or a new username for another namesake)")))
                continue
            existing = matches[0] if matches else None
        if existing is None:
            username = row.username or generate_username(row.last_name, row.first_name, taken)
            taken.add(username)
            plan.create.append(row)
            plan.usernames[row.line] = username
            if not row.password:
                plan.generated_passwords[username] = generate_password()
            continue
        changed = [f for f in PROFILE_FIELDS if _value(row, f) != _value(existing, f)]
        if row.password and not _same_password(existing, row.password):
            changed.append("password")
        if changed:
            plan.update.append((row, existing.username, changed))
        else:
            plan.unchanged.append((row, existing.username))
    if problems:
        raise RosterError(problems)
    return plan


def _namesakes(session: Session, row: RosterRow) -> list[str]:
    """Usernames of the people already called exactly as `row` (last, first and middle name)."""
    wanted = _identity(row.last_name, row.first_name, row.middle_name, "")[:3]
    candidates = session.exec(select(Account).where(Account.username != BANK)).all()
    return [a.username for a in candidates
            if a.role in tuple(Role) and _identity(a.last_name, a.first_name, a.middle_name, "")[:3] == wanted]


def _same_password(account: Account, password: str) -> bool:
    try:
        return account.password_hash is not None and auth.hasher.verify(account.password_hash, password)
    except Exception:  # noqa: BLE001  (argon2 raises several kinds of mismatch and invalid hash)
        return False


def _identity(last: str, first: str, middle: str | None, role: str) -> tuple[str, str, str, str]:
    return (last.casefold(), first.casefold(), (middle or "").casefold(), role)


def _value(obj: object, name: str) -> object:
    """A profile field in comparable form: roles as text, empty names and squads as None."""
    value = getattr(obj, name)
    if name == "role":
        return str(value)
    if name == "grade":
        return value
    return value or None


def create_account(session: Session, row: RosterRow, username: str, password_hash: str, *, actor_id: int | None,
                   season: Season) -> Account:
    """Add one person; a student gets the initial grant."""
    [account] = create_accounts(session, [(row, username, password_hash)], actor_id=actor_id, season=season)
    return account


def create_accounts(session: Session, people: Sequence[tuple[RosterRow, str, str]], *, actor_id: int | None,
                    season: Season) -> list[Account]:
    """Add people (each a row, a username and a password hash), written together: an import adds hundreds.
    Each student gets the initial grant."""
    now = clock.now()
    accounts = [Account(username=username, role=Role(row.role), last_name=row.last_name, first_name=row.first_name,
                        middle_name=row.middle_name or "", squad=row.squad, grade=row.grade,
                        password_hash=password_hash, created_at=now)
                for row, username, password_hash in people]
    session.add_all(accounts)
    session.flush()
    for row, username, _hash in people:
        audit.record(session, "user.add", actor_id=actor_id, target=f"user:{username}", at=now, role=row.role,
                     squad=row.squad, grade=row.grade)
    grant_initial(session, [account for account in accounts if account.role == Role.STUDENT], season, now=now)
    return accounts


def _update(session: Session, row: RosterRow, username: str, changed: Iterable[str],
            password_hash: str | None, *, actor_id: int | None) -> None:
    account = account_named(session, username)
    for name in changed:
        if name == "password":
            account.password_hash = password_hash
            tokens.revoke_all(session, account.id, at=clock.now(), reason="password changed", actor_id=actor_id)
        elif name == "role":
            account.role = Role(row.role)
        else:
            setattr(account, name, getattr(row, name) or ("" if name.endswith("name") else None))
    session.add(account)
    sync_pockets(session, account)
    audit.record(session, "user.update", actor_id=actor_id, target=f"user:{username}", changed=list(changed))


def _single_row(last_name: str, first_name: str, middle_name: str, squad: str | None, grade: int | None,
                role: str, username: str | None, password: str | None, season: Season) -> RosterRow:
    """Check one person's details with the same rules as a roster row."""
    from campbank.ledger.actions.person_details import check_person

    if username is not None and not is_valid_username(username):
        raise InputError(f"{username!r} must be 2-32 of a-z 0-9 . _ - starting with a letter", field="username")
    if password is not None:
        check_password_rules(password)
    return check_person(
        last_name=last_name, first_name=first_name, middle_name=middle_name, squad=squad, grade=grade,
        role=role, username=username, password=password, squads=season.squads, grades=season.grades,
    )

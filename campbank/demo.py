"""A ready demo camp: four squads of students in grades 7–11, staff, a manager, and a week of history
using every transaction type (with some transfers still waiting for approval), and savings and credit:
pockets, loans, two funds (one spent, one refunded at its deadline) and a savings circle.

The season is the classic one moved so that today is its eighth day, so the demo can be used at once.
Every demo password is printed; the demo database is never a real camp's file.

Starting a demo again (`reset`) replaces the old demo's content inside the same file, through SQLite's
backup API, rather than deleting the file: an office or kiosk still open on it goes on reading and writing
the file everyone uses (now the new demo), never a deleted one. Only a file that holds a demo is replaced.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import col, select

from campbank.core.enums import Role
from campbank.core.errors import CampBankError, InputError, RuleError
from campbank.core.money import cents_to_str
from campbank.core.season import Season
from campbank.ledger import clock
from campbank.ledger.actions import auth, circles, disputes, loans, nightly, pockets
from campbank.ledger.actions import funds as savings_funds
from campbank.ledger.actions.person_details import RosterRow
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.setup import initialise
from campbank.ledger.actions.states import approve, reject
from campbank.ledger.actions.users import create_account, create_accounts
from campbank.ledger.people import account_named
from campbank.ledger.permissions import Actor
from campbank.ledger.season.in_force import current as current_season
from campbank.ledger.season.in_force import season_in_force
from campbank.ledger.season.load import SEASON_FILES
from campbank.ledger.store import outputs
from campbank.ledger.store.backup import copy_into
from campbank.ledger.store.database import Database, open_database
from campbank.ledger.store.meta import meta_value, set_meta_value
from campbank.ledger.store.tables import Account, MoneyEntry, Transaction

MANAGER = ("manager", "manager-demo")
DEMO_MARK = "demo"  # a key of the meta table: this file holds a demo camp, which `campbank demo` may replace
STAFF_PASSWORD = "staff-demo"
STUDENT_PASSWORD = "student-demo"
DAYS_OF_HISTORY = 7
MIN_STUDENTS, MAX_STUDENTS = 4, 5000  # fewer cannot fill a day's seminars, transfers and lab pairs
SEMINAR_SIZE = 9  # a speaker and eight listeners

SURNAMES = ["Ivanov", "Petrov", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Lebedev", "Kozlov", "Novikov",
            "Morozov", "Volkov", "Solovyov", "Vasilyev", "Zaytsev", "Pavlov", "Semyonov", "Golubev", "Vinogradov",
            "Bogdanov", "Vorobyov", "Fyodorov", "Mikhaylov", "Belyaev", "Tarasov", "Belov", "Komarov", "Orlov",
            "Kiselyov", "Makarov", "Andreev"]
BOYS = ["Artyom", "Ivan", "Dmitry", "Maxim", "Nikita", "Egor", "Kirill", "Lev", "Mark", "Timofey", "Gleb"]
GIRLS = ["Anna", "Maria", "Sofia", "Alisa", "Polina", "Eva", "Varvara", "Vera", "Daria", "Ksenia", "Uliana"]
STAFF = [("Orlova", "Irina"), ("Belkin", "Pavel"), ("Gromova", "Elena"), ("Sergeev", "Oleg"),
         ("Titova", "Marina"), ("Frolov", "Anton"), ("Zueva", "Natalia"), ("Chernov", "Roman")]


@dataclass(frozen=True)
class DemoCamp:
    database: Database
    manager: tuple[str, str]
    staff: list[str]
    students: list[str]
    staff_password: str = STAFF_PASSWORD
    student_password: str = STUDENT_PASSWORD
    reopened: bool = False
    """The demo made before, opened as it was left (not made now)."""


def is_demo(path: Path) -> bool:
    """True when `path` holds a demo camp (so `campbank demo` may replace it)."""
    if not path.exists():
        return False
    try:
        db = open_database(path)
        mark = meta_value(db, DEMO_MARK)
        db.dispose()
        return mark is not None
    except Exception:  # noqa: BLE001  (not a CampBank database at all, whatever the reason)
        return False


def demo_season_text(today: date) -> str:
    """The classic season with savings and credit switched on (the savings season's numbers), moved so
    that `today` is its eighth day."""
    classic = SEASON_FILES["classic"].read_text(encoding="utf-8")
    savings = SEASON_FILES["savings"].read_text(encoding="utf-8")
    marker = "\n# Savings and credit ("
    original = classic[:classic.index(marker)] + savings[savings.index("\n# ----------"):]
    first = today - timedelta(days=DAYS_OF_HISTORY)
    last = first + timedelta(days=20)
    moved = re.sub(r"(?m)^first_day\s*=.*$", f"first_day = {first.isoformat()}", original)
    moved = re.sub(r"(?m)^last_day\s*=.*$", f"last_day = {last.isoformat()}", moved)
    return re.sub(r'(?m)^name\s*=.*$', 'name = "Demo camp (classic rules, with savings)"', moved)


def demo_camp(path: Path, *, students: int = 130, reset: bool = False,
              progress: Callable[[str], None] | None = None) -> DemoCamp:
    """The demo camp at `path`: made when there is none, started again with `reset`, else the one there
    as it was left (`reopened`), so that `campbank demo` a second time opens it rather than failing."""
    if reset or not is_demo(path):
        return create_demo(path, students=students, reset=reset, progress=progress)
    db = open_database(path)
    with db.session() as session:
        names = {role: [a.username for a in session.exec(
            select(Account).where(Account.role == role, Account.can_login).order_by(col(Account.id)))]
            for role in (Role.STAFF, Role.STUDENT)}
    return DemoCamp(db, MANAGER, names[Role.STAFF], names[Role.STUDENT], reopened=True)


def create_demo(path: Path, *, students: int = 130, seed: int = 2018, reset: bool = False,
                progress: Callable[[str], None] | None = None) -> DemoCamp:
    """A new demo camp at `path`; an existing demo there is started again only with `reset`."""
    say = progress or (lambda _message: None)
    if not MIN_STUDENTS <= students <= MAX_STUDENTS:
        raise InputError(f"a demo needs {MIN_STUDENTS} to {MAX_STUDENTS} students, not {students}", field="students")
    outputs.refuse_unless_regular(path)
    if not path.exists():
        return _build(path, students, seed, say)
    if not is_demo(path):
        raise RuleError(f"{path} holds a camp that is not a demo; choose another --db", field="database")
    if not reset:
        raise InputError(f"{path} already holds a demo camp; add --reset to start it again (everything in it "
                         "is replaced)", field="database")
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    fresh = Path(name)
    try:
        built = _build(fresh, students, seed, say)
        built.database.dispose()
        say("Replacing the old demo")
        copy_into(fresh, path)
    finally:
        for leftover in (fresh, *(Path(f"{fresh}{s}") for s in outputs.DATABASE_COMPANIONS)):
            leftover.unlink(missing_ok=True)
    return DemoCamp(open_database(path), MANAGER, built.staff, built.students)


def _build(path: Path, students: int, seed: int, say: Callable[[str], None]) -> DemoCamp:
    today = clock.today()
    camp = initialise(path, season="demo", season_text=demo_season_text(today), manager=MANAGER[0],
                      manager_password=MANAGER[1])
    db = camp.database
    set_meta_value(db, DEMO_MARK, "1")
    rng = random.Random(seed)
    say(f"Adding {students} students and {len(STAFF)} staff")
    first_morning = datetime.combine(season_in_force(db).first_day, time(8, 0), tzinfo=UTC)
    with clock.fixed_at(first_morning):
        staff, pupils = _people(db, students, rng)
    say("Writing a week of history")
    _history(db, staff, pupils, rng)
    return DemoCamp(db, MANAGER, staff, pupils)


def _people(db: Database, count: int, rng: random.Random) -> tuple[list[str], list[str]]:
    staff_hash = auth.hasher.hash(STAFF_PASSWORD)
    student_hash = auth.hasher.hash(STUDENT_PASSWORD)

    def work(session):
        season = current_season(session)
        manager = account_named(session, MANAGER[0])
        staff_names, student_names = [], []
        for i, (last, first) in enumerate(STAFF):
            row = RosterRow(i + 2, last, first, "", None, None, "staff", None, None)
            username = f"{last.lower()}.{first[0].lower()}"
            create_account(session, row, username, staff_hash, actor_id=manager.id, season=season)
            staff_names.append(username)
        taken: set[str] = set()
        students = []
        for i in range(count):
            girl = rng.random() < 0.5
            last = rng.choice(SURNAMES) + ("a" if girl else "")
            first = rng.choice(GIRLS if girl else BOYS)
            squad = season.squads[i % len(season.squads)]
            grade = season.grades[(i // len(season.squads)) % len(season.grades)]
            username = f"{last.lower()}.{first[0].lower()}"
            n = 2
            while username in taken:
                username = f"{last.lower()}.{first[0].lower()}{n}"
                n += 1
            taken.add(username)
            students.append((RosterRow(i + 2, last, first, "", squad, grade, "student", username, None), username,
                             student_hash))
            student_names.append(username)
        create_accounts(session, students, actor_id=manager.id, season=season)
        return staff_names, student_names

    return db.write(work)


def _history(db: Database, staff: list[str], students: list[str], rng: random.Random) -> None:
    season = season_in_force(db)
    with db.session() as session:  # the demo acts as each of its people without their passwords
        actors = {name: Actor.of(account_named(session, name)) for name in [*staff, *students, MANAGER[0]]}
    first = season.first_day
    funds: dict[str, int] = {}
    for offset in range(DAYS_OF_HISTORY):
        day = first + timedelta(days=offset)
        _one_day(db, season, day, offset, actors, staff, students, rng)
        with clock.fixed_at(datetime.combine(day, time(17, 0), tzinfo=UTC)):
            _savings_day(db, day, offset, actors, staff, students, rng, funds)
        with clock.fixed_at(datetime.combine(day, time(23, 0), tzinfo=UTC)):  # that evening's nightly run
            nightly.run(db, actors[MANAGER[0]], day=day)
    _voices(db, first + timedelta(days=DAYS_OF_HISTORY - 1), actors, staff, students)


def _voices(db: Database, day: date, actors: dict[str, Actor], staff: list[str], students: list[str]) -> None:
    """Two open disputes for the office's queue: a student's latest fine questioned and answered by staff,
    and another student's general question nobody has answered yet."""
    evening = datetime.combine(day, time(19, 0), tzinfo=UTC)
    with db.session() as session:
        fined = session.exec(
            select(Transaction.id, Account.username)
            .join(MoneyEntry, col(MoneyEntry.transaction_id) == col(Transaction.id))
            .join(Account, col(Account.id) == col(MoneyEntry.receiver_id))
            .where(Transaction.type == "fine", Transaction.state == "processed")
            .order_by(col(Transaction.id).desc())
        ).first()
    if fined is not None:
        fine_id, student = fined
        opened = disputes.open_dispute(db, actors[student], "I was at the evening activity then; the counsellor "
                                       "on duty can confirm it.", transaction_id=fine_id, now=evening)
        disputes.answer(db, actors[staff[0]], opened.dispute_id, "Checking with the counsellor on duty; I will "
                        "write back tomorrow.", now=evening + timedelta(minutes=40))
    asker = next(s for s in reversed(students) if fined is None or s != fined[1])
    disputes.open_dispute(db, actors[asker], "When is the tax charged, and does money in a savings pocket count "
                          "for it?", now=evening + timedelta(minutes=55))


def _savings_day(db: Database, day: date, offset: int, actors: dict[str, Actor], staff: list[str],
                 students: list[str], rng: random.Random, funds: dict[str, int]) -> None:
    """Pockets, loans, funds and a circle over the week (docs/savings.md), each step as a person would."""

    def attempt(action: Callable[..., object], *args: object, **options: object) -> object | None:
        try:
            return action(*args, **options)
        except CampBankError:  # a random pick the rules refuse (too little money): skip it
            return None

    when = day.isoformat()
    savers = students[: max(2, len(students) // 4)]
    teacher = staff[0]
    if offset == 0:
        for who in savers:
            attempt(pockets.open_pocket, db, actors[who], "savings")
            attempt(pockets.move, db, actors[who], "main", "savings", cents_to_str(rng.randint(20, 40) * 100),
                    date=when)
        for who in savers[:2]:
            attempt(pockets.open_pocket, db, actors[who], "goal", "Auction", target="50")
            attempt(pockets.move, db, actors[who], "main", "Auction", "10", date=when)
        funds["kayak"] = savings_funds.open_fund(db, actors[teacher], "Kayak trip", "400", day + timedelta(days=3))
        funds["games"] = savings_funds.open_fund(db, actors[teacher], "Board games for the club room", "30",
                                                 day + timedelta(days=5))
    if offset == 1:
        for who in students[-2:]:
            attempt(loans.grant, db, actors[teacher], who, "60", 3, date=when)
        circles.create(db, actors[MANAGER[0]], "Four friends", students[:4], "5", day + timedelta(days=1))
    if offset in (1, 2):
        for who in rng.sample(students, min(4, len(students))):
            attempt(savings_funds.contribute, db, actors[who], funds["kayak"], "10", date=when)
        for who in rng.sample(students, min(3, len(students))):
            attempt(savings_funds.contribute, db, actors[who], funds["games"], "5", date=when)
    if offset == 3:
        attempt(loans.repay, db, actors[students[-1]], "20", date=when)
        attempt(savings_funds.spend, db, actors[teacher], funds["games"], "Two board games from the camp shop",
                day=day)
    if offset == 4:
        for who in savers[:3]:
            attempt(pockets.move, db, actors[who], "savings", "main", "5", date=when)

def _one_day(db: Database, season: Season, day: date, offset: int, actors: dict[str, Actor],
             staff: list[str], students: list[str], rng: random.Random) -> None:
    at = datetime.combine(day, time(9, 0), tzinfo=UTC)

    def send(who: str, payload: dict, minutes: int = 0) -> int | None:
        payload = {"date": day.isoformat(), **payload}
        try:
            return post(db, actors[who], payload, now=at + timedelta(minutes=minutes)).id
        except CampBankError:  # a random pick the rules refuse (a clash, too little money): skip it
            return None

    def some(k: int, pool: list[str] | None = None) -> list[str]:
        pool = pool or students
        return rng.sample(pool, min(k, len(pool)))

    teacher = lambda: rng.choice(staff)  # noqa: E731
    money = lambda low, high: cents_to_str(rng.randint(low, high) * 100)  # noqa: E731
    send(teacher(), {"type": "workout", "attendees": some(len(students) // 3)}, 0)
    absent = some(max(1, len(students) // 15))
    present = [s for s in some(len(students) // 2) if s not in absent]
    send(teacher(), {"type": "lecture", "attendees": present, "absentees": absent}, 90)
    # Seminars in parallel groups, each student in one of the three blocks, as a camp runs them: the study
    # programme asks about one obligatory visit a day. A tenth of the students miss the day's seminar.
    free = list(students)
    rng.shuffle(free)
    attending = free[len(free) // 10:]
    blocks = ("seminar_1", "seminar_2", "seminar_3")
    groups = [attending[i::len(blocks)] for i in range(len(blocks))]
    for block, group in zip(blocks, groups, strict=True):
        for start in range(0, len(group), SEMINAR_SIZE):
            speaker, *listeners = group[start:start + SEMINAR_SIZE]
            marks = {name: rng.choice(values[len(values) // 2:]) for name, values in season.seminar_criteria.items()}
            send(teacher(), {"type": "seminar", "block": block, "speaker": speaker, "attendees": listeners,
                             "marks": marks, "description": "Seminar"}, 140)
    # the facultative's block (12:25-13:25) clashes with the later seminars, not with the first
    send(teacher(), {"type": "fac_attend", "block": "fac_2", "attendees": some(12, groups[0])}, 200)
    send(teacher(), {"type": "dining_services", "duty": rng.choice(["potato", "serving", "bread_cut"]),
                     "attendees": some(7)}, 240)
    send(teacher(), {"type": "fine", "fine_type": rng.choice(list(season.types_for_form("fine"))),
                     "amounts": {s: money(5, 20) for s in some(3)}, "description": "Camp rules"}, 300)
    send(teacher(), {"type": "purchase", "purchase_type": rng.choice(["goods", "books", "service"]),
                     "amounts": {s: money(10, 40) for s in some(4)}, "description": "Camp shop"}, 320)
    send(teacher(), {"type": "general_money", "money_type": rng.choice(["radio_help", "art_help", "olympiad"]),
                     "amounts": {s: money(10, 30) for s in some(3)}, "description": "Thanks"}, 340)
    places = {s: place for s, place in zip(some(10), [1, 2, 2, 2, 3, 4, 4, 4, 4, 4], strict=False)}
    winner = next(s for s, place in places.items() if place == 1)
    send(teacher(), {"type": "activity", "activity_type": ["sport_activity", "evening_activity",
                                                           "day_activity"][offset % 3],
                     "places": places, "certificates": [winner], "description": "Camp games"}, 600)
    # labs in pairs and facultative passes at the pace the programme asks (2-3 labs and one pass a student)
    for _ in range(max(1, len(students) // 16)):
        pair = some(2)
        send(teacher(), {"type": "lab", "partners": [{"username": pair[0], "amount": money(20, 40)},
                                                     {"username": pair[1], "amount": money(20, 40)}]}, 400)
    send(teacher(), {"type": "fac_pass", "amounts": {s: money(20, 40) for s in some(max(2, len(students) // 30))}},
         420)
    if offset == 4:
        send(teacher(), {"type": "exam", "scores": {s: rng.randint(0, 10) for s in some(len(students) // 2)},
                         "description": "Mid-camp exam"}, 60)
    if offset == 2:
        send(MANAGER[0], {"type": "certificate", "certificates": some(5), "description": "Reading week"}, 30)
    for k, sender in enumerate(some(3)):
        receiver = rng.choice([s for s in students if s != sender])
        request = send(sender, {"type": "p2p", "receiver": receiver, "amount": money(1, 10),
                                "description": "for snacks"}, 700 + k)
        if request is None or offset == DAYS_OF_HISTORY - 1:
            continue  # the last day's requests stay pending for the staff to see
        decide = approve if k < 2 else reject
        with contextlib.suppress(CampBankError):
            decide(db, actors[teacher()], request,
                   reason="checked with both" if decide is approve else "ask again with what it is for")

"""Announcements: short notices by staff, shown on the login screen and the student home
until their date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from campbank.core.enums import Role
from campbank.core.errors import InputError, NotFound, PermissionDenied, RuleError
from campbank.core.text import clean_text
from campbank.ledger import clock
from campbank.ledger.people import acting_account
from campbank.ledger.permissions import Action, Actor, require
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.store.tables import Account, AnnouncementRow

MAX_TITLE = 80
MAX_TEXT = 2000


@dataclass(frozen=True)
class Announcement:
    id: int
    title: str
    text: str
    until: date
    author: str
    created_at: datetime


def announce(db: Database, actor: Actor, *, title: str, text: str, until: date) -> Announcement:
    title = clean_text(title, field="title", max_length=MAX_TITLE, required=True)
    text = clean_text(text, field="text", max_length=MAX_TEXT, multiline=True)
    if until < clock.today():
        raise InputError("must be today or later", field="until")

    def work(session: Session) -> Announcement:
        account = acting_account(session, actor)
        require(account, Action.ADD_FILES)
        assert account.id is not None
        row = AnnouncementRow(title=title, text=text, until=until, author_id=account.id, created_at=clock.now())
        session.add(row)
        session.flush()
        audit.record(session, "announcement.add", actor_id=account.id, target=f"announcement:{row.id}",
                     title=title, until=until)
        return _plain(row, account.username)

    return db.write(work)


def edit(db: Database, actor: Actor, announcement_id: int, *, title: str, text: str, until: date) -> Announcement:
    """Change an announcement's title, text or last day (its author, or a manager); the audit row keeps
    what it said before."""
    title = clean_text(title, field="title", max_length=MAX_TITLE, required=True)
    text = clean_text(text, field="text", max_length=MAX_TEXT, multiline=True)
    if until < clock.today():
        raise InputError("must be today or later (withdraw it to stop showing it)", field="until")

    def work(session: Session) -> Announcement:
        account, row = _editable(session, actor, announcement_id)
        audit.record(session, "announcement.edit", actor_id=account.id, target=f"announcement:{row.id}",
                     before={"title": row.title, "text": row.text, "until": row.until},
                     after={"title": title, "text": text, "until": until})
        row.title, row.text, row.until = title, text, until
        session.add(row)
        return _plain(row, _author(session, row))

    return db.write(work)


def withdraw(db: Database, actor: Actor, announcement_id: int, *, reason: str = "") -> Announcement:
    """Stop showing an announcement now (its author, or a manager): its last day becomes yesterday."""
    reason = clean_text(reason, field="reason", max_length=300)

    def work(session: Session) -> Announcement:
        account, row = _editable(session, actor, announcement_id)
        yesterday = clock.today() - timedelta(days=1)
        if row.until <= yesterday:
            raise RuleError(f"announcement #{announcement_id} is no longer shown", field="id")
        audit.record(session, "announcement.withdraw", actor_id=account.id, target=f"announcement:{row.id}",
                     title=row.title, until=row.until, reason=reason)
        row.until = yesterday
        session.add(row)
        return _plain(row, _author(session, row))

    return db.write(work)


def _editable(session: Session, actor: Actor, announcement_id: int) -> tuple[Account, AnnouncementRow]:
    account = acting_account(session, actor)
    require(account, Action.ADD_FILES)
    row = session.get(AnnouncementRow, announcement_id)
    if row is None:
        raise NotFound(f"there is no announcement #{announcement_id}", field="id")
    if row.author_id != account.id and account.role != Role.MANAGER:
        raise PermissionDenied("only its author or a manager may change an announcement")
    return account, row


def _author(session: Session, row: AnnouncementRow) -> str:
    author = session.get(Account, row.author_id)
    return author.username if author else "?"


def current(db: Database, today: date | None = None) -> list[Announcement]:
    """Announcements still shown today, newest first. Public: the login screen shows them."""
    today = today or clock.today()
    with db.session() as session:
        rows = session.exec(
            select(AnnouncementRow, Account.username)
            .join(Account, col(Account.id) == col(AnnouncementRow.author_id))
            .where(col(AnnouncementRow.until) >= today)
            .order_by(col(AnnouncementRow.id).desc())
            .limit(20)
        ).all()
        return [_plain(row, username) for row, username in rows]


def _plain(row: AnnouncementRow, author: str) -> Announcement:
    assert row.id is not None
    return Announcement(row.id, row.title, row.text, row.until, author, row.created_at)

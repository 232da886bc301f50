"""Announcements: short notices by staff, shown on the login screen and the student home
until their date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from campbank.core.errors import InputError
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

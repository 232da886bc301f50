"""Writing statements to one PDF: a student, a squad or the whole camp, a student's pages after another's.

`write_statements(db, actor, usernames, path)` is what the command line, the office and the season's closing
call. The output follows the rules of every CampBank output (`output.py`); the file is made once the last
page is drawn, and the audit log records who wrote whose statements, for which period, where.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from campbank.formats.statements import layout
from campbank.formats.statements.canvas import StatementCanvas
from campbank.ledger.permissions import Actor
from campbank.ledger.store import audit
from campbank.ledger.store.database import Database
from campbank.ledger.store.outputs import judge, replacing
from campbank.ledger.views.statements import Selection, statements

Progress = Callable[[int, int], None]  # (students written, students in all)


@dataclass(frozen=True)
class WrittenStatements:
    path: Path
    students: int
    pages: int
    first_day: date
    last_day: date
    codes: tuple[tuple[str, str], ...]  # (username, code), at most the first 1000


def write_statements(db: Database, actor: Actor, usernames: Sequence[str] | None, path: Path | str, *,
                     squad: str | None = None, first_day: date | None = None, last_day: date | None = None,
                     force: bool = False, progress: Progress | None = None, with_left: bool = False
                     ) -> WrittenStatements:
    """Write the statements of `usernames` (None: the squad `squad`, or without it every active student, and
    with `with_left` those who left too) to `path` (staff and managers)."""
    judge(path, force=force, protect=[db.path])  # refuse a bad path before any work
    everyone = usernames is None and squad is None
    selection = Selection(usernames=tuple(usernames or ()), squad=squad if usernames is None else None,
                          everyone=everyone, with_left=with_left)
    batch = statements(db, actor, selection, first_day=first_day, last_day=last_day)
    total = len(batch)
    camp = batch.season.name
    pages = 0
    codes: list[tuple[str, str]] = []
    if progress:
        progress(0, total)
    with replacing(path, force=force, protect=[db.path]) as target:
        title = (f"CampBank statement of {selection.usernames[0]}" if len(selection.usernames) == 1
                 else f"CampBank statements, {camp}")
        with open(target, "wb") as file:
            pdf = StatementCanvas(file, title=title)
            for done, statement in enumerate(batch, 1):
                pages += layout.draw(pdf, statement, camp)
                if len(codes) < 1000:
                    codes.append((statement.username, statement.code))
                if progress and (done % 50 == 0 or done == total):
                    progress(done, total)
            pdf.save()
    written = WrittenStatements(Path(path), total, pages, batch.first_day, batch.last_day, tuple(codes))
    db.write(lambda session: audit.record(
        session, "export.statements", actor_id=actor.id, target=str(path), students=total, pages=pages,
        first_day=batch.first_day.isoformat(), last_day=batch.last_day.isoformat(),
        who=list(selection.usernames) if selection.usernames else (f"squad {squad}" if squad else "every student")),
        while_closed=True)
    return written

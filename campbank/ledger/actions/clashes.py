"""Time-block clashes (docs/rules.md#time-blocks-and-clashes): a student cannot be in two overlapping blocks on one day.

A clash refuses the whole transaction and names each student and the earlier transaction; the old
system silently dropped such entries. Overlap includes one block containing another.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from campbank.core.enums import State
from campbank.core.errors import RuleError
from campbank.core.season import Season
from campbank.ledger.store.tables import CounterEntry, Transaction
from campbank.rules.base import Entries, Person


class TimeBlockClash(RuleError):
    """A clash, with the usernames of the students in it (a form marks their rows)."""

    def __init__(self, message: str, *, usernames: tuple[str, ...]) -> None:
        super().__init__(message, field="block")
        self.usernames = usernames


def check_clashes(
    session: Session, season: Season, entries: Entries, day: date, people: Mapping[str, Person]
) -> None:
    """Refuse entries whose blocks overlap each other or a counted entry of the same student that day."""
    wanted = [(c.receiver, c.block) for c in entries.counters if c.block]
    if not wanted:
        return
    problems: list[str] = []
    clashing: set[str] = set()
    seen: dict[str, str] = {}
    for username, block in wanted:
        earlier_block = seen.get(username)
        if earlier_block and _overlap(season, earlier_block, block):
            problems.append(f"{username} is listed twice for overlapping blocks {earlier_block} and {block}")
            clashing.add(username)
        seen.setdefault(username, block)
    by_id = {people[username].id: username for username, _ in wanted}
    # The state is checked here, not in SQL: asked there, SQLite starts from the index on the state and reads
    # every processed transaction, instead of these students' entries of the day (105 ms, not 3, for 400
    # students on a camp of 200,000 transactions).
    earlier = session.execute(
        sa_select(col(CounterEntry.receiver_id), col(CounterEntry.block), col(CounterEntry.transaction_id),
                  col(Transaction.type), col(Transaction.state))
        .join(Transaction, col(Transaction.id) == col(CounterEntry.transaction_id))
        .where(col(CounterEntry.day) == day)
        .where(col(CounterEntry.block).is_not(None))
        .where(col(CounterEntry.receiver_id).in_(list(by_id)))
    ).all()
    for receiver_id, earlier_block, transaction_id, txn_type, state in earlier:
        if earlier_block is None or state != State.PROCESSED:  # only counted entries with a block clash
            continue
        username = by_id[receiver_id]
        for wanted_user, block in wanted:
            if wanted_user == username and _overlap(season, earlier_block, block):
                problems.append(
                    f"{people[username].full_name} ({username}) already has {earlier_block} on {day} "
                    f"in #{transaction_id} ({txn_type}), which overlaps {block}"
                )
                clashing.add(username)
    if problems:
        raise TimeBlockClash("time-block clash: " + "; ".join(sorted(set(problems))), usernames=tuple(sorted(clashing)))


def _overlap(season: Season, first: str, second: str) -> bool:
    a, b = season.time_blocks.get(first), season.time_blocks.get(second)
    if a is None or b is None:  # a block since removed from the season: same name still clashes
        return first == second
    return a.overlaps(b)

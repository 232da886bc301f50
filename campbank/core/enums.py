"""The roles people have, and the states a transaction moves through with the only moves allowed."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STUDENT = "student"
    STAFF = "staff"
    MANAGER = "manager"


class State(StrEnum):
    CREATED = "created"
    PROCESSED = "processed"
    DECLINED = "declined"
    SUBSTITUTED = "substituted"


# created -> processed | declined;  processed -> declined | substituted.  Nothing else, ever.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.CREATED: frozenset({State.PROCESSED, State.DECLINED}),
    State.PROCESSED: frozenset({State.DECLINED, State.SUBSTITUTED}),
    State.DECLINED: frozenset(),
    State.SUBSTITUTED: frozenset(),
}


class Decline(StrEnum):
    """How a transaction came to be `declined` (kept with the audit row of the change)."""

    CANCELLED = "cancelled"  # a processed transaction cancelled, or a creator withdrawing their own request
    REJECTED = "rejected"  # someone other than its creator turned down what was waiting

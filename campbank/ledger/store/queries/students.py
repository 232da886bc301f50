"""A student as the store's reports read one: plain columns, no ORM object."""

from __future__ import annotations

from typing import NamedTuple


class StudentRow(NamedTuple):
    id: int
    username: str
    last_name: str
    first_name: str
    middle_name: str
    squad: str | None
    grade: int | None
    active: bool = True  # now, whatever it was on the date a report is about

"""What the savings tests share: reading pockets and invariants straight from the file (never through the
ledger's own queries), and the nightly run of one day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from helpers import GRANT, Camp, query, recomputed_balances

from campbank.ledger.actions import nightly
from campbank.ledger.verify import verify_file

__all__ = ["GRANT", "assert_sound", "main", "night", "pocket", "pockets_of", "total_of"]


def pockets_of(path: Path, username: str) -> dict[str, int]:
    """A student's open pockets by name, read raw."""
    return dict(query(path, """
        SELECT p.name, a.balance FROM pocket p JOIN account a ON a.id = p.account_id
          JOIN account o ON o.id = p.owner_id WHERE o.username = ? AND p.closed_at IS NULL""", (username,)))


def pocket(path: Path, username: str, name: str) -> int:
    return pockets_of(path, username)[name]


def main(path: Path, username: str) -> int:
    return query(path, "SELECT balance FROM account WHERE username = ?", (username,))[0][0]


def total_of(path: Path, username: str) -> int:
    return main(path, username) + sum(pockets_of(path, username).values())


def assert_sound(path: Path) -> None:
    """The invariants: the balances sum to zero, every cached balance (pockets and funds too) is what the
    entries give, no pocket or fund holds less than nothing, and `verify` finds nothing."""
    cached = dict(query(path, "SELECT username, balance FROM account"))
    assert sum(cached.values()) == 0
    assert cached == recomputed_balances(path)
    assert query(path, "SELECT username FROM account WHERE role IN ('pocket', 'fund') AND balance < 0") == []
    report = verify_file(path)
    assert report.ok, [f"{f.check}: {f.message}" for f in report.findings]


def night(camp: Camp, day: str, **options: object) -> list:
    """The nightly run of one day, as the manager."""
    return nightly.run(camp.db, camp.manager, day=date.fromisoformat(day), **options)  # type: ignore[arg-type]

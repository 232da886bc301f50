"""`campbank verify`: recompute everything from the rows and report any difference (docs/tamper-evidence.md).

It trusts no cache. One pass reads each append-only table once (the journal in a second process, for a
big camp): it replays the hash chain from the rows and, on the same rows, adds up balances, counters and
each transaction's journal and totals (`tally`). Meanwhile a second connection runs SQLite's integrity
check, which needs no Python. Then the triggers' SQL, the roles and password hashes against the audit log,
and any anchors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from campbank.core.errors import InputError
from campbank.ledger.store.chain_spec import HASH_SIZE

if TYPE_CHECKING:
    from campbank.ledger.store.chain_replay import Anchor

SHOW = 20  # differences listed per check; the count says how many in all


@dataclass(frozen=True)
class Finding:
    check: str
    message: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)
    head: str | None = None  # the chain's last link, SEQ:HEX
    links: int = 0
    chain_started: str | None = None  # "from the first row", or when an older camp's chain started
    anchors_proven: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, check: str, message: str) -> None:
        self.findings.append(Finding(check, message))

    def add_all(self, check: str, messages: Sequence[str]) -> None:
        for message in messages[:SHOW]:
            self.add(check, message)
        if len(messages) > SHOW:
            self.add(check, f"… and {len(messages) - SHOW} more")


def parse_anchor(text: str) -> Anchor:
    """`SEQ:HEX` as printed by `tax run`, kept beside backups and on the report; InputError otherwise."""
    seq, _, digest = text.strip().partition(":")
    try:
        hash_ = bytes.fromhex(digest)
        if not seq.isdigit() or int(seq) < 1 or len(hash_) != HASH_SIZE:
            raise ValueError
    except ValueError:
        raise InputError(f"{text!r} is not a chain head: write it SEQ:HASH, the link number and its 64 hex "
                         "digits, as `tax run` prints it", field="--anchor") from None
    from campbank.ledger.store.chain_replay import Anchor

    return Anchor(int(seq), hash_)


def verify_file(path: Path, anchors: Sequence[Anchor] = ()) -> Report:
    """Check the database file; a file SQLite cannot read is reported, not raised."""
    # Imported here so that importing this package stays light: verify's second process unpickles a
    # `Tally` from it (`store.chain_worker`).
    from campbank.ledger.verify.run import verify_file as run

    return run(path, anchors)

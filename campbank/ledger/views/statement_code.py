"""A statement's verification code: 20 bytes written as 32 base32 letters in groups of four.

    byte 0       version (2)
    bytes 1-4    the student's account id
    bytes 5-6    the period's first day, days since 2000-01-01
    bytes 7-8    the period's last day, the same way
    bytes 9-19   the first 11 bytes of HMAC-SHA256(camp key, message)

    message = "campbank-statement-2|{account id}|{username}|{from}|{to}|{opening}|{closing}|{digest}|{holdings}"

The camp key is made at `campbank init` and kept in the database (meta `statement_key`); the digest is a
SHA-256 of every journal row of the student's account and pockets dated in the period (money and counters)
with the parts of the transaction and the entry a statement shows; the holdings are the pockets and the loan
as printed. Everything `check` needs is in the code (who, which period) or in the ledger, so a code is
checked by computing the statement again. See docs/statements.md.

Version 1 codes (made before statements showed pockets) are still checked as they were made: without the
holdings, the digest over the student's own account alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from campbank.core.errors import InputError

VERSION = 2
KNOWN_VERSIONS = (1, 2)
EPOCH = date(2000, 1, 1)
MAC_BYTES = 11
GROUP = 4


@dataclass(frozen=True)
class CodeParts:
    version: int
    account_id: int
    first_day: date
    last_day: date
    mac: bytes


def message(version: int, account_id: int, username: str, first_day: date, last_day: date, opening: int,
            closing: int, digest: str, holdings: str) -> bytes:
    text = (f"campbank-statement-{version}|{account_id}|{username}|{first_day.isoformat()}|{last_day.isoformat()}|"
            f"{opening}|{closing}|{digest}")
    return (text if version == 1 else f"{text}|{holdings}").encode()


def make_code(key: bytes, account_id: int, username: str, first_day: date, last_day: date, opening: int,
              closing: int, digest: str, holdings: str, *, version: int = VERSION) -> str:
    mac = _mac(key, message(version, account_id, username, first_day, last_day, opening, closing, digest, holdings))
    raw = bytes([version]) + account_id.to_bytes(4, "big") + _day(first_day) + _day(last_day) + mac
    letters = base64.b32encode(raw).decode("ascii")
    return "-".join(letters[i:i + GROUP] for i in range(0, len(letters), GROUP))


def same_mac(key: bytes, parts: CodeParts, username: str, opening: int, closing: int, digest: str,
             holdings: str) -> bool:
    expected = _mac(key, message(parts.version, parts.account_id, username, parts.first_day, parts.last_day, opening,
                                 closing, digest, holdings))
    return hmac.compare_digest(expected, parts.mac)


def _mac(key: bytes, text: bytes) -> bytes:
    return hmac.new(key, text, hashlib.sha256).digest()[:MAC_BYTES]


def read_code(text: str) -> CodeParts:
    """The parts of a code as printed (case, spaces and dashes do not matter), or an InputError."""
    letters = "".join(ch for ch in str(text).upper() if ch not in " -\t")
    try:
        raw = base64.b32decode(letters, casefold=False)
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 1 + 4 + 2 + 2 + MAC_BYTES:
        raise InputError("is not a statement code: 32 letters and digits, such as ABCD-EFGH-…", field="code")
    if raw[0] not in KNOWN_VERSIONS:
        raise InputError(f"is a statement code of version {raw[0]}, which this CampBank does not know", field="code")
    first, last = _from_day(raw[5:7]), _from_day(raw[7:9])
    if last < first:
        raise InputError("is not a statement code: its period ends before it starts", field="code")
    return CodeParts(raw[0], int.from_bytes(raw[1:5], "big"), first, last, raw[9:])


def _day(day: date) -> bytes:
    return max(0, min(0xFFFF, (day - EPOCH).days)).to_bytes(2, "big")


def _from_day(raw: bytes) -> date:
    return EPOCH + timedelta(days=int.from_bytes(raw, "big"))

"""What a `user.credentials` audit row holds: an account's role and the SHA-256 of its password hash (never
the hash). Written by `credentials` whenever either is set; read back by `campbank verify` (light to import)."""

from __future__ import annotations

import hashlib
from typing import Any

ACTION = "user.credentials"


def password_digest(password_hash: str | None) -> str | None:
    return None if password_hash is None else hashlib.sha256(password_hash.encode("utf-8")).hexdigest()


def detail(role: str, password_hash: str | None) -> dict[str, Any]:
    return {"role": str(role), "password_sha256": password_digest(password_hash)}

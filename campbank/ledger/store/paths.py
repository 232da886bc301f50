"""Where the camp's database lives by default (kept free of heavy imports: `campbank --help` reads it)."""

from __future__ import annotations

import os
from pathlib import Path


def default_db_path() -> Path:
    """`CAMPBANK_DB`, else `campbank.db` in the user's data directory."""
    if env := os.environ.get("CAMPBANK_DB"):
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("campbank", appauthor=False)) / "campbank.db"

"""Running `campbank` the way a camp office does, for the season tests: real commands, real exit codes."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from campbank.cli import app


def cli(db: Path | None, *args: str, password: str | None = None, input: str | None = None,
        code: int = 0):  # type: ignore[no-untyped-def]
    """`campbank [--db DB] ARGS`; checks the exit code and that nothing crashed."""
    argv = (["--db", str(db)] if db is not None else []) + list(args)
    env = {"CAMPBANK_PASSWORD": password, "CAMPBANK_DB": None}
    result = CliRunner().invoke(app, argv, input=input, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}:\n{result.output}"
    return result


def new_camp(path: Path, *args: str) -> str:
    """`campbank init ARGS`; returns the first manager's password."""
    out = cli(path, "init", *args).output
    match = re.search(r"First manager: manager\s+password: (\S+)", out)
    assert match, out
    return match.group(1)

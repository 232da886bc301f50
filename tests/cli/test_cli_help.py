"""What `--help` says matches what the commands accept: every shipped season by name, and the decisions
`approve` and `reject` take (a student's transfer, or a staff transaction waiting for a second manager)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from campbank.cli import app
from campbank.ledger.season.load import SEASON_FILES


def help_of(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    assert result.exit_code == 0, result.output
    return re.sub(r"[\s│]+", " ", result.output)  # the panels' borders and wrapping aside


@pytest.mark.parametrize("command", [("init",), ("season", "try")])
def test_the_help_names_every_shipped_season(command):
    text = help_of(*command)
    for name in SEASON_FILES:
        assert f"`{name}`" in text, f"campbank {' '.join(command)} --help does not name the season {name!r}"


@pytest.mark.parametrize("command", ["approve", "reject"])
def test_approve_and_reject_say_they_decide_what_waits_for_a_second_manager(command):
    text = help_of(command)
    assert "transfer" in text and "second manager" in text

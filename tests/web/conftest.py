"""Fixtures of the web tests: a camp whose season includes today, and one `campbank serve` per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import Server, prepare_camp, running_server


@pytest.fixture(scope="module")
def web_camp(camp_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_camp(camp_template, tmp_path_factory.mktemp("web") / "camp.db")


@pytest.fixture(scope="module")
def server(web_camp: Path) -> Iterator[Server]:
    with running_server(web_camp, "--max-sessions", "3") as running:
        yield running
    assert running.process.returncode == 0, "\n".join(running.output)

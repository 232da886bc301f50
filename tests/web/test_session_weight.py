"""Each browser session is a process of its own, so what the office loads when it opens is paid once per
session: the libraries that write PDFs, QR codes and workbooks load only when such a file is written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from campbank.app import CampBankApp
from campbank.web import session

HEAVY = ("openpyxl", "reportlab", "segno", "PIL")
OPEN_THE_OFFICE = """
import importlib, pkgutil, sys
import campbank.app, campbank.screens
for module in pkgutil.walk_packages(campbank.screens.__path__, "campbank.screens."):
    importlib.import_module(module.name)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))))
"""


def test_every_screen_loads_without_the_file_writers_libraries() -> None:
    loaded = subprocess.run([sys.executable, "-c", OPEN_THE_OFFICE, *HEAVY], capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == []


@pytest.mark.sqlite_only("a database server keeps one cache for all its clients")
def test_a_session_keeps_only_a_small_cache_of_the_camps_pages(camp, monkeypatch) -> None:
    """Every pooled connection of a session would otherwise keep up to 2 MB of pages (SQLite's default)."""
    caches: list[int] = []

    def run(app: CampBankApp) -> None:  # the session's app, as it would start: read its connection's setting
        with app.db.engine.connect() as connection:
            caches.append(connection.exec_driver_sql("PRAGMA cache_size").scalar())

    monkeypatch.setattr(CampBankApp, "run", run)
    assert session.main(["--db", str(camp.path), "kiosk"]) == 0
    assert caches == [-session.PAGE_CACHE_KIB]

"""Each browser session is a process of its own, so what the office loads when it opens is paid once per
session: the libraries that write PDFs, QR codes and workbooks load only when such a file is written."""

from __future__ import annotations

import subprocess
import sys

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

"""One browser session: the office or the kiosk app on the camp's database, run by `campbank serve`.

    python -m campbank.web.session --db PATH office|kiosk

textual-serve starts this with Textual's web driver selected in the environment; standard output is
the channel to the server, so nothing else may print there. It imports only what the app needs (no
command-line machinery), so each session costs as little memory as the app itself.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Each of a session's pooled connections would keep up to 2 MB of the camp's pages (SQLite's default): a few
# MB a session, times every browser. The file's pages stay in the system's cache, shared by all sessions, so
# a session keeps only a little of its own.
PAGE_CACHE_KIB = 256


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="campbank.web.session")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("kind", choices=("office", "kiosk"))
    args = parser.parse_args(argv)

    from campbank.app import CampBankApp
    from campbank.core.errors import CampBankError
    from campbank.ledger.store.database import open_database

    try:
        database = open_database(args.db, page_cache_kib=PAGE_CACHE_KIB)
    except CampBankError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    CampBankApp(database, kiosk=args.kind == "kiosk").run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

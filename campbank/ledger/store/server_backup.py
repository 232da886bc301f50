"""Backups of a camp on a PostgreSQL server: `pg_dump` in its custom format (restore with `pg_restore`).

The dump and the chain head written beside it come from one snapshot: a transaction exports its snapshot,
reads the head in it, and `pg_dump --snapshot` dumps exactly what that transaction sees. The password reaches
pg_dump through its environment, never its command line. A missing pg_dump, or one older than the server
(which would refuse or write a dump the server's pg_restore cannot trust), is refused before anything is made.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from campbank.core.errors import InputError
from campbank.ledger.store import dialects
from campbank.ledger.store.chain import last_link

EXTENSION = ".dump"


def pg_dump_program(server_major: int) -> str:
    program = shutil.which("pg_dump")
    if program is None:
        raise InputError("pg_dump is not installed: a camp on PostgreSQL is backed up with it (Debian: apt-get "
                         "install postgresql-client); nothing was written", field="backup")
    version = subprocess.run([program, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", version)
    major = int(found.group(1)) if found else 0
    if major < server_major:
        raise InputError(f"{program} is version {major or '?'}, older than the server ({server_major}): install "
                         f"the client of PostgreSQL {server_major} or newer; nothing was written", field="backup")
    return program


def dump(location: Path, target: Path) -> str:
    """Dump the camp at `location` into `target` (an existing private file); returns the dump's chain head."""
    import psycopg

    url = make_url(dialects.server_url(location))
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    environment.pop("PGDATABASE", None)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        server_major = int(connection.execute("SHOW server_version_num").fetchone()[0]) // 10000  # type: ignore[index]
        program = pg_dump_program(server_major)
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        from campbank.ledger.store.dialects.postgresql import QmarkCursor

        head = str(last_link(QmarkCursor(connection.cursor())))
        command = [program, "--format=custom", f"--snapshot={snapshot}", "--no-password", "--file", str(target),
                   "--host", url.host or "localhost", "--port", str(url.port or 5432),
                   "--username", url.username or "", url.database or ""]
        done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
        connection.rollback()
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["pg_dump failed"])[-1]
        raise InputError(f"pg_dump failed: {reason}; nothing was written", field="backup")
    return head

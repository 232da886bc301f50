"""Every output path of the command line (`-o`, `backup DEST`, `--credentials`, `demo`) follows one rule:
a database, a device, a pipe or a folder is refused with exit 2 and one `error:` line and nothing changes;
an existing file is replaced only with `--force`; every file CampBank makes is private (0600); and an
export's audit row is written before its data leaves."""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import MANAGER_PASSWORD, checksum, query, raw
from typer.testing import CliRunner

from campbank.cli import app
from campbank.ledger.actions.setup import initialise
from campbank.ledger.verify import verify_file

ME = ["--as", "manager"]


def invoke(db: Path, *argv: str):  # type: ignore[no-untyped-def]
    env = {"CAMPBANK_PASSWORD": MANAGER_PASSWORD, "CAMPBANK_DB": None, "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["--db", str(db), *argv], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def refused(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: ") and all(w in line for w in words), line


@pytest.fixture
def other_camp(tmp_path: Path) -> Path:
    path = tmp_path / "other" / "camp.db"
    path.parent.mkdir()
    initialise(path, manager="manager", manager_password=MANAGER_PASSWORD).database.dispose()
    return path


@pytest.mark.parametrize("argv", [
    ["export", "balances", *ME, "-o", "{live}"],
    ["export", "money", *ME, "-o", "{live}", "--force"],
    ["export", "counters", "--format", "json", *ME, "-o", "{live}-journal"],
    ["report", "xlsx", *ME, "-o", "{other}"],
    ["report", "xlsx", *ME, "-o", "{other}", "--force"],
    ["backup", "{other}"],
    ["backup", "{other}", "--force"],
    ["users", "import", "{roster}", "--credentials", "{live}", *ME],
    ["users", "import", "{roster}", "--credentials", "{folder}", *ME],
    ["export", "balances", *ME, "-o", "{fifo}"],
    ["backup", "{fifo}"],
    ["export", "balances", *ME, "-o", "{null}"],
    ["backup", "{null}"],
    ["export", "balances", *ME, "-o", "{folder}"],
])
def test_a_database_a_device_a_pipe_or_a_folder_is_refused_and_nothing_changes(camp, tmp_path, other_camp, argv):
    (tmp_path / "roster.csv").write_text("last_name,first_name,middle_name,squad,grade,role\n"
                                         "New,Nina,,Squad 1,7,student\n", encoding="utf-8")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    # never the machine's own /dev/null: if this guard ever broke, the test must not break the machine
    null = tmp_path / "null"
    if any("{null}" in part for part in argv):
        if os.geteuid() != 0:
            pytest.skip("making a device node needs root")
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    names = {"live": str(camp.path), "other": str(other_camp), "roster": str(tmp_path / "roster.csv"),
             "fifo": str(tmp_path / "fifo"), "folder": str(tmp_path / "folder"), "null": str(null)}
    argv = [part.format(**names) for part in argv]
    before, other_before = checksum(camp.path), other_camp.read_bytes()
    listing = sorted(p.name for p in tmp_path.rglob("*"))
    result = invoke(camp.path, *argv)
    refused(result)
    assert checksum(camp.path) == before, "not even a sign-in: the path is judged first"
    assert other_camp.read_bytes() == other_before
    assert sorted(p.name for p in tmp_path.rglob("*")) == listing
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode)
    assert not null.exists() or stat.S_ISCHR(os.stat(null).st_mode)
    assert verify_file(camp.path).ok and verify_file(other_camp).ok


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_backup_onto_a_device_node_leaves_the_device(camp, tmp_path):
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    refused(invoke(camp.path, "backup", str(null)), "is a device")
    refused(invoke(camp.path, "backup", str(null), "--force"), "is a device")
    assert stat.S_ISCHR(os.stat(null).st_mode)


@pytest.mark.parametrize("argv", [
    ["export", "balances", *ME, "-o", "{out}"],
    ["export", "money", "--format", "json", *ME, "-o", "{out}"],
    ["report", "xlsx", *ME, "-o", "{out}"],
    ["backup", "{out}"],
])
def test_an_existing_file_is_replaced_only_with_force(camp, tmp_path, argv):
    out = tmp_path / "out.file"
    out.write_text("yesterday's file")
    out.chmod(0o644)
    argv = [part.format(out=out) for part in argv]
    refused(invoke(camp.path, *argv), "already exists", "--force")
    assert out.read_text() == "yesterday's file"
    result = invoke(camp.path, *argv, "--force")
    assert result.exit_code == 0, result.output
    assert out.read_bytes() != b"yesterday's file" and mode(out) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no temporary file left"


def test_a_credentials_file_is_kept_unless_forced(camp, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("last_name,first_name,middle_name,squad,grade,role\nNew,Nina,,Squad 1,7,student\n",
                      encoding="utf-8")
    credentials = tmp_path / "pw.xlsx"
    credentials.write_bytes(b"44 passwords of yesterday")
    refused(invoke(camp.path, "users", "import", str(roster), "--credentials", str(credentials), *ME),
            "already exists")
    assert credentials.read_bytes() == b"44 passwords of yesterday"
    assert query(camp.path, "SELECT COUNT(*) FROM account WHERE last_name = 'New'") == [(0,)]
    assert invoke(camp.path, "users", "import", str(roster), "--credentials", str(tmp_path / "new.xlsx"),
                  *ME).exit_code == 0
    assert mode(tmp_path / "new.xlsx") == 0o600


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_everything_campbank_makes_is_private(tmp_path, umask):
    before = os.umask(umask)
    try:
        db = tmp_path / "camp.db"
        assert invoke(db, "init").exit_code == 0
        assert mode(db) == 0o600
        connection = raw(db)  # a write in progress: SQLite's journal takes the database's mode
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
        journal = Path(f"{db}-journal")
        assert (journal.exists() and mode(journal) == 0o600) or Path(f"{db}-wal").exists()
        connection.rollback()
        connection.close()
        made = [tmp_path / "b.db", tmp_path / "x.csv", tmp_path / "r.xlsx"]
        assert invoke(db, "backup", str(made[0])).exit_code == 0
        assert invoke(db, "backup").exit_code == 0
        made += list((tmp_path / "backups").iterdir())
        assert invoke(tmp_path / "demo.db", "demo", "--students", "4", "--no-open").exit_code == 0
        made.append(tmp_path / "demo.db")
        for argv in (["export", "balances", *ME, "-o", str(made[1])], ["report", "xlsx", *ME, "-o", str(made[2])]):
            env = {"CAMPBANK_PASSWORD": "manager-demo", "CAMPBANK_DB": None}
            result = CliRunner().invoke(app, ["--db", str(tmp_path / "demo.db"), *argv], env=env)
            assert result.exit_code == 0, result.output
    finally:
        os.umask(before)
    assert {p.name: mode(p) for p in made} == {p.name: 0o600 for p in made}


def test_an_exports_audit_row_is_written_before_its_data(camp, tmp_path, monkeypatch):
    from campbank.formats.xlsx import report

    seen: list[list[tuple]] = []

    def look_then_fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(query(camp.path, "SELECT action, target FROM audit_log WHERE action LIKE 'export.%'"))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "save_workbook", look_then_fail)
    out = tmp_path / "r.xlsx"
    result = invoke(camp.path, "report", "xlsx", *ME, "-o", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert seen == [[("export.xlsx", str(out))]], "on record before a byte of the workbook was written"


def test_a_reader_that_stops_early_is_on_record(camp):
    """`campbank export money | head -c 0`: the reader is gone before the first byte, so the export ends at its
    first write (quietly: exit 0). Its audit row was written before that write."""
    env = {**os.environ, "CAMPBANK_PASSWORD": MANAGER_PASSWORD, "CAMPBANK_DB": str(camp.path)}
    env.pop("COLUMNS", None)
    reader, writer = os.pipe()
    os.close(reader)
    command = [sys.executable, "-c", "from campbank.cli import app; app()", "export", "money", *ME]
    try:
        done = subprocess.run(command, stdout=writer, stderr=subprocess.PIPE, env=env, timeout=60)
    finally:
        os.close(writer)
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    [(detail,)] = query(camp.path, "SELECT detail FROM audit_log WHERE action = 'export.money'")
    assert json.loads(detail)["rows"] == query(camp.path, "SELECT COUNT(*) FROM money_entry")[0][0]


@pytest.mark.sqlite_only("a copy of the file cut short by a full disk")
def test_a_failed_backup_leaves_nothing_behind(camp, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    size = camp.path.stat().st_size
    assert size > 40_000

    def small_files() -> None:  # a disk that fills up half-way through the copy
        resource.setrlimit(resource.RLIMIT_FSIZE, (size // 3, size // 3))

    env = {**os.environ, "CAMPBANK_DB": str(camp.path)}
    command = [sys.executable, "-c", "from campbank.cli import app; app()", "backup", str(folder)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, preexec_fn=small_files)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: backup: ") and "Traceback" not in done.stderr
    assert list(folder.iterdir()) == []
    assert verify_file(camp.path).ok

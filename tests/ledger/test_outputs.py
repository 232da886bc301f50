"""The one rule for every file CampBank writes on a person's say-so (`store.outputs`): never over a database,
a device, a pipe, a socket or a folder; over an existing file only when told; through a private new file."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import stat
from pathlib import Path

import pytest

from campbank.ledger.store import outputs
from campbank.ledger.store.outputs import OutputExists, OutputRefused, judge, replacing, stage


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "other-camp.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    return path


def test_a_new_file_in_an_existing_folder_is_fine(tmp_path):
    assert judge(tmp_path / "new.csv") == tmp_path / "new.csv"


@pytest.mark.parametrize("force", [False, True])
def test_what_is_never_written_over(tmp_path, database, force):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    (tmp_path / "to-null").symlink_to("/dev/null")
    (tmp_path / "to-db").symlink_to(database)
    (tmp_path / "to-nothing").symlink_to(tmp_path / "nothing-here")
    journal = Path(f"{database}-journal")
    journal.write_bytes(b"\xd9\xd5\x05\xf9 a journal")
    reasons = {
        tmp_path: "is a folder",
        Path("/dev/null"): "is a device",
        fifo: "is a pipe (FIFO)",
        sock_path: "is a socket",
        database: "is a database",
        tmp_path / "to-null": "is a device",
        tmp_path / "to-db": "is a database",
        tmp_path / "to-nothing": "name the file itself",
        journal: "belongs to the database",
        Path(f"{database}-wal"): "belongs to the database",
        tmp_path / "no-folder" / "x.csv": "does not exist",
    }
    try:
        for path, reason in reasons.items():
            with pytest.raises(OutputRefused, match=re.escape(reason)):
                judge(path, force=force)
    finally:
        server.close()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("typed", ["a\x00b.csv", "report \x1b]0;x\x07.csv"])
def test_a_path_with_a_control_character_is_refused_naming_it(tmp_path, typed):
    with pytest.raises(OutputRefused, match=r"the path contains .* at character") as refused:
        judge(tmp_path / typed, force=True)
    assert refused.value.field == "output" and str(tmp_path) not in str(refused.value)
    assert sorted(tmp_path.iterdir()) == []


def test_a_pasted_path_thousands_of_characters_long_is_refused_in_one_short_line(tmp_path):
    with pytest.raises(OutputRefused, match="cannot be checked: File name too long") as refused:
        judge(tmp_path / ("x" * 10_000), force=True)
    assert len(str(refused.value)) < 300 and "…" in str(refused.value)


def test_the_camps_own_database_is_refused_even_with_a_damaged_header(tmp_path):
    live = tmp_path / "camp.db"
    live.write_bytes(b"\x00" * 4096)  # not recognisable as SQLite any more, but it is the camp's file
    with pytest.raises(OutputRefused, match="is a database"):
        judge(live, force=True, protect=[live])
    with pytest.raises(OutputRefused, match="belongs to the database"):
        judge(tmp_path / "camp.db-journal", force=True, protect=[live])


def test_an_existing_file_is_replaced_only_with_force(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("keep me")
    with pytest.raises(OutputExists, match="already exists; add --force"):
        judge(old)
    with replacing(old, force=True) as temporary:
        temporary.write_text("new")
    assert old.read_text() == "new"


def test_a_link_to_a_file_is_judged_and_written_by_what_it_points_at(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with pytest.raises(OutputExists, match="points at"):
        judge(link)
    with replacing(link, force=True) as temporary:
        temporary.write_text("new")
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_files_are_private_whatever_the_umask(tmp_path, umask):
    before = os.umask(umask)
    try:
        with replacing(tmp_path / "out.csv") as temporary:
            assert mode(temporary) == 0o600, "private before a byte is written"
            temporary.write_text("data")
        outputs.create_private(tmp_path / "new.db")
    finally:
        os.umask(before)
    assert mode(tmp_path / "out.csv") == 0o600
    assert mode(tmp_path / "new.db") == 0o600


def test_a_failure_leaves_the_old_file_and_nothing_else(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), replacing(target, force=True) as temporary:
        temporary.write_text("half")
        raise RuntimeError("disk on fire")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_the_temporary_name_cannot_be_predicted_so_a_planted_link_is_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    # the name an older CampBank used: .NAME.PID.tmp
    (tmp_path / f".out.csv.{os.getpid()}.tmp").symlink_to(victim)
    first, second = stage(tmp_path / "out.csv"), stage(tmp_path / "out.csv")
    try:
        assert first.temporary != second.temporary
        assert not first.temporary.is_symlink() and first.temporary.name.startswith(".out.csv.")
    finally:
        first.discard()
        second.discard()
    with replacing(tmp_path / "out.csv") as temporary:
        temporary.write_text("export")
    assert victim.read_text() == "precious"
    assert (tmp_path / "out.csv").read_text() == "export"


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path):
    target = tmp_path / "out.csv"
    staged = stage(target)
    staged.temporary.write_text("export")
    target.write_text("someone else's, made meanwhile")
    with pytest.raises(OutputExists):
        staged.commit()
    staged.discard()
    assert target.read_text() == "someone else's, made meanwhile"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_database_that_appears_while_writing_is_not_replaced_even_with_force(tmp_path, database):
    target = tmp_path / "late.db"
    staged = stage(target, force=True)
    staged.temporary.write_text("export")
    database.rename(target)
    with pytest.raises(OutputRefused, match="is a database"):
        staged.commit()
    staged.discard()
    assert target.read_bytes().startswith(outputs.SQLITE_HEADER)

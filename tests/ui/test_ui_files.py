"""Shared files: stored in the database with versions, read by everyone, added by staff (ledger, CLI, pane)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MANAGER_PASSWORD, audit_details, checksum, query
from pilot_steps import make_app, open_section, run, settle, sign_in
from textual.widgets import DataTable, Input, Markdown, OptionList, Static
from typer.testing import CliRunner

from campbank.cli import app as cli
from campbank.core.errors import InputError, NotFound, PermissionDenied
from campbank.ledger.actions import files
from campbank.screens.staff.announcements import AnnouncementDialog
from campbank.screens.staff.files import AddFileDialog
from campbank.widgets.file_viewer import FileViewer


def test_adding_a_name_again_keeps_the_old_version(camp) -> None:
    staff = camp.actor("t1")
    files.add_file(camp.db, staff, "menus/monday.md", b"# Monday\nsoup")
    again = files.add_file(camp.db, staff, "menus\\monday.md", b"# Monday\nfish")
    assert (again.name, again.version, again.versions) == ("menus/monday.md", 2, 2)
    listed = files.list_files(camp.db, camp.actor("s1"))
    assert [(f.name, f.version, f.size, f.versions) for f in listed] == [("menus/monday.md", 2, 13, 2)]
    student = camp.actor("s1")
    assert files.read_file(camp.db, student, "menus/monday.md").text == "# Monday\nfish"
    assert files.read_file(camp.db, student, "menus/monday.md", version=1).text == "# Monday\nsoup"
    assert [v.version for v in files.file_versions(camp.db, student, "menus/monday.md")] == [2, 1]
    assert [d["version"] for d in audit_details(camp.db, "file.add")] == [1, 2]
    content, = query(camp.path, "SELECT content FROM shared_file WHERE version = 1")[0]
    assert content == b"# Monday\nsoup"  # inside the database file itself


def test_kinds_of_file(camp) -> None:
    staff = camp.actor("t1")
    files.add_file(camp.db, staff, "scores.csv", b"name,score\nann,3\n")
    files.add_file(camp.db, staff, "notes", b"plain words")
    files.add_file(camp.db, staff, "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    kinds = {name: files.read_file(camp.db, staff, name).kind for name in ("scores.csv", "notes", "photo.png")}
    assert kinds == {"scores.csv": "csv", "notes": "text", "photo.png": "binary"}
    assert files.read_file(camp.db, staff, "photo.png").text is None


def test_refusals_write_nothing(camp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = checksum(camp.path)
    with pytest.raises(PermissionDenied):
        files.add_file(camp.db, camp.actor("s1"), "x.txt", b"hello")
    with pytest.raises(InputError, match="name"):
        files.add_file(camp.db, camp.actor("t1"), "../x.txt", b"hello")
    with pytest.raises(InputError, match="blank"):
        files.add_file(camp.db, camp.actor("t1"), " / ", b"hello")
    monkeypatch.setattr(files, "MAX_SIZE", 10)
    with pytest.raises(InputError, match=r"too big.*at most"):
        files.add_file(camp.db, camp.actor("t1"), "big.txt", b"x" * 11)
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 11)
    with pytest.raises(InputError, match="too big"):
        files.add_path(camp.db, camp.actor("t1"), big)
    with pytest.raises(InputError, match="no file"):
        files.add_path(camp.db, camp.actor("t1"), tmp_path / "missing.txt")
    with pytest.raises(NotFound):
        files.read_file(camp.db, camp.actor("t1"), "nothing.md")
    assert checksum(camp.path) == before


def test_the_20_mb_limit() -> None:
    files.check_size(20 * 1024 * 1024, "ok.bin")
    with pytest.raises(InputError, match="at most 20 MB"):
        files.check_size(20 * 1024 * 1024 + 1, "big.bin")


def test_cli_files_add_and_list(camp, tmp_path: Path) -> None:
    source = tmp_path / "menu.md"
    source.write_text("# Menu\n")
    runner = CliRunner(env={"CAMPBANK_PASSWORD": MANAGER_PASSWORD})
    by = ["--by", "manager"]
    added = runner.invoke(cli, ["--db", str(camp.path), "files", "add", str(source), "--as", "menus/tuesday.md", *by])
    assert added.exit_code == 0, added.output
    assert "Added menus/tuesday.md" in added.output
    again = runner.invoke(cli, ["--db", str(camp.path), "files", "add", str(source), "--as", "menus/tuesday.md", *by])
    assert "version 2" in again.output
    listed = runner.invoke(cli, ["--db", str(camp.path), "files", "list", *by])
    assert "menus/tuesday.md" in listed.output
    missing = runner.invoke(cli, ["--db", str(camp.path), "files", "add", str(tmp_path / "nope.md"), *by])
    assert missing.exit_code == 2


def test_the_files_pane_adds_a_file_and_shows_markdown_and_csv(office, tmp_path: Path) -> None:
    files.add_file(office.db, office.actor("t2"), "scores.csv", b"name,score\nann,3\nbob,5\n")
    notice = tmp_path / "rules.md"
    notice.write_text("# Camp rules\n\nBe kind.\n")

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "files")
            listing = app.screen.query_one("#files-list", DataTable)
            assert listing.row_count == 1
            viewer = app.screen.query_one(FileViewer)
            csv_table = viewer.query_one("#viewer-csv", DataTable)
            assert csv_table.row_count == 2 and [str(c.label) for c in csv_table.columns.values()] == ["name", "score"]
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, AddFileDialog)
            app.screen.query_one("#add-file-path", Input).value = str(notice)
            await pilot.press("enter", "enter")
            await settle(pilot)
            assert listing.row_count == 2
            assert listing.get_row_at(listing.cursor_row)[0].plain == "rules.md"
            caption = str(viewer.query_one("#viewer-caption", Static).render())
            assert caption.startswith("rules.md  v1")
            assert "Camp rules" in viewer.query_one(Markdown).source
        assert files.read_file(office.db, office.actor("s1"), "rules.md").added_by == "t1"

    run(body)


def test_a_file_just_added_stays_highlighted_when_a_change_made_elsewhere_reloads_the_list(office) -> None:
    from campbank.widgets.file_browser import FileBrowser

    files.add_file(office.db, office.actor("t2"), "scores.csv", b"name,score\nann,3\n")

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "files")
            browser = app.screen.query_one(FileBrowser)
            files.add_file(office.db, office.actor("t1"), "rules.md", b"# Camp rules\n")
            browser.reload(select="rules.md")
            browser.ledger_changed()  # the change watch, before the first reload was shown
            await settle(pilot)
            assert browser.highlighted_name() == "rules.md"

    run(body)


def test_an_announcement_from_the_office(office, today) -> None:
    from campbank.ledger.actions import notices

    async def body() -> None:
        app = make_app(office)
        async with app.run_test(size=(120, 40)) as pilot:
            await sign_in(pilot, "t1")
            await open_section(pilot, "announcements")
            await pilot.press("n")
            await settle(pilot)
            assert isinstance(app.screen, AnnouncementDialog)
            await pilot.press(*"Lake closed", "enter", *"Swim in the pool")
            await pilot.press("ctrl+s")
            await settle(pilot)
            shown = app.screen.query_one("#announce-list", OptionList)
            assert shown.option_count == 1 and "Lake closed" in str(shown.get_option_at_index(0).prompt)

    run(body)
    current = notices.current(office.db, today)
    assert [(a.title, a.text, a.author) for a in current] == [("Lake closed", "Swim in the pool", "t1")]

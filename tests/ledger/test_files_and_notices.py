"""Shared files can be removed, announcements edited and withdrawn: by the right people, each audited."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import audit_actions, audit_details, query

from campbank.core.errors import InputError, NotFound, PermissionDenied, RuleError
from campbank.ledger import clock
from campbank.ledger.actions import files, notices

DAY = date(2018, 8, 10)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(clock, "today", lambda: DAY)
    return DAY


def test_a_removed_file_leaves_the_list_keeps_its_versions_and_comes_back_when_added_again(camp) -> None:  # type: ignore[no-untyped-def]
    staff = camp.actor("t1")
    files.add_file(camp.db, staff, "menu.md", b"soup")
    files.add_file(camp.db, staff, "menu.md", b"fish")
    files.add_file(camp.db, staff, "rules.md", b"be kind")
    with pytest.raises(PermissionDenied):
        files.remove_file(camp.db, camp.actor("s1"), "menu.md")
    assert files.remove_file(camp.db, camp.actor("t2"), "menu.md", reason="last week's") == 2
    assert [f.name for f in files.list_files(camp.db, camp.actor("s1"))] == ["rules.md"]
    with pytest.raises(NotFound):
        files.read_file(camp.db, camp.actor("s1"), "menu.md")
    with pytest.raises(NotFound):
        files.remove_file(camp.db, staff, "menu.md")  # already removed
    assert query(camp.path, "SELECT COUNT(*) FROM shared_file WHERE name = 'menu.md'") == [(2,)]  # kept
    assert audit_details(camp.db, "file.remove") == [{"reason": "last week's", "versions": 2}]

    files.add_file(camp.db, staff, "menu.md", b"pasta")
    again = {f.name: f for f in files.list_files(camp.db, staff)}["menu.md"]
    assert again.version == 3
    assert files.read_file(camp.db, staff, "menu.md").data == b"pasta"


def test_an_announcement_is_edited_and_withdrawn_by_its_author_or_a_manager(camp, today) -> None:  # type: ignore[no-untyped-def]
    posted = notices.announce(camp.db, camp.actor("t1"), title="Swim", text="at 10", until=date(2018, 8, 12))
    with pytest.raises(PermissionDenied):
        notices.edit(camp.db, camp.actor("t2"), posted.id, title="x", text="", until=date(2018, 8, 12))
    with pytest.raises(InputError) as error:
        notices.edit(camp.db, camp.actor("t1"), posted.id, title="Swim", text="", until=date(2018, 8, 1))
    assert error.value.field == "until"
    edited = notices.edit(camp.db, camp.actor("t1"), posted.id, title="Swim moved", text="at 11",
                          until=date(2018, 8, 13))
    assert (edited.title, edited.text, edited.until) == ("Swim moved", "at 11", date(2018, 8, 13))
    assert [n.title for n in notices.current(camp.db)] == ["Swim moved"]
    assert audit_details(camp.db, "announcement.edit")[0]["before"]["title"] == "Swim"  # type: ignore[index]

    notices.withdraw(camp.db, camp.manager, posted.id, reason="rain")
    assert notices.current(camp.db) == []
    with pytest.raises(RuleError):
        notices.withdraw(camp.db, camp.manager, posted.id)
    assert "announcement.withdraw" in audit_actions(camp.db, prefix="announcement")

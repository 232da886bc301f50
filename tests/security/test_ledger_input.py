"""Every entry point of the ledger that stores typed text refuses control characters and escape sequences,
names the field, and writes nothing; markup and right-to-left text are stored as they were typed."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from helpers import DAY, checksum, fine, p2p, query

from campbank.core.errors import InputError
from campbank.formats.roster_import import import_roster
from campbank.ledger.actions import auth, files, notices, states, tax, users
from campbank.ledger.actions.posting import post
from campbank.ledger.season import in_force

ESCAPES = "hi \x1b]0;pwned\x07\x1b[2J"
OVERRIDE = "invoice\u202egpj.exe"


def refused(camp, call, field: str) -> InputError:  # type: ignore[no-untyped-def]
    """Run `call`, expect an InputError naming `field`, and prove the file did not change."""
    before = checksum(camp.path)
    with pytest.raises(InputError) as error:
        call()
    assert error.value.field == field, str(error.value)
    assert checksum(camp.path) == before
    return error.value


@pytest.mark.parametrize("bad", [ESCAPES, "a\x00b", "a\x7f", "a\x9bb", OVERRIDE, "two\nlines"])
def test_descriptions_and_p2p_comments(camp, bad: str) -> None:  # type: ignore[no-untyped-def]
    refused(camp, lambda: post(camp.db, camp.actor("t1"), fine({"s1": "1"}, description=bad)), "description")
    refused(camp, lambda: post(camp.db, camp.actor("s1"), p2p("s2", "1", bad)), "description")


def test_any_text_in_a_payload_is_checked_where_it_is(camp) -> None:  # type: ignore[no-untyped-def]
    refused(camp, lambda: post(camp.db, camp.actor("t1"), fine({"s1\x1b[2J": "1"})), "amounts")
    refused(camp, lambda: post(camp.db, camp.actor("t1"), fine({"s1": "1\x07"})), "amounts.s1")
    refused(camp, lambda: post(camp.db, camp.actor("t1"), fine({"s1": "1"}, idempotency_key="k\x1b")),
            "idempotency_key")


def test_markup_right_to_left_and_formula_text_is_stored_as_typed(camp) -> None:  # type: ignore[no-untyped-def]
    comment = '[/b] [link=x]y[/link] =HYPERLINK("http://x","y") שלום'
    posted = post(camp.db, camp.actor("s1"), p2p("s2", "1", comment))
    assert query(camp.path, "SELECT description FROM txn WHERE id = ?", (posted.id,)) == [(comment,)]


def test_a_10000_character_description_is_refused_with_its_length(camp) -> None:  # type: ignore[no-untyped-def]
    error = refused(camp, lambda: post(camp.db, camp.actor("t1"), fine({"s1": "1"}, description="x" * 10_000)),
                    "description")
    assert "10,000 characters" in error.message


def test_reasons_of_approve_reject_cancel_and_tax_void(camp) -> None:  # type: ignore[no-untyped-def]
    request = post(camp.db, camp.actor("s1"), p2p("s2", "1"))
    staff = camp.actor("t1")
    refused(camp, lambda: states.approve(camp.db, staff, request.id, reason=ESCAPES), "reason")
    refused(camp, lambda: states.reject(camp.db, staff, request.id, reason="x\x00"), "reason")
    refused(camp, lambda: states.cancel(camp.db, camp.manager, request.id, reason=OVERRIDE), "reason")
    refused(camp, lambda: tax.void(camp.db, camp.manager, date.fromisoformat(DAY), reason=ESCAPES), "reason")
    states.reject(camp.db, staff, request.id, reason="[/b] not today")
    assert "[/b] not today" in query(camp.path, "SELECT detail FROM audit_log WHERE action = 'txn.declined'")[0][0]


@pytest.mark.parametrize("field", ["last_name", "first_name", "middle_name"])
@pytest.mark.parametrize("bad", [ESCAPES, "Iva\u200bnov", OVERRIDE, "x" * 61])
def test_names_of_people_added_by_hand(camp, field: str, bad: str) -> None:  # type: ignore[no-untyped-def]
    names = {"last_name": "Petrov", "first_name": "Pyotr", "middle_name": "", field: bad}
    refused(camp, lambda: users.add_user(camp.db, camp.manager, role="student", squad="Squad 1", grade=7,
                                         **names), field)


def test_usernames_and_passwords_of_people_added_by_hand(camp) -> None:  # type: ignore[no-untyped-def]
    person = {"last_name": "Petrov", "first_name": "Pyotr", "role": "staff"}
    refused(camp, lambda: users.add_user(camp.db, camp.manager, username="petrov\u200d", **person), "username")
    error = refused(camp, lambda: users.add_user(camp.db, camp.manager, password="pass\x1b[2Jword", **person),
                    "password")
    assert "pass" not in error.message
    refused(camp, lambda: users.set_password(camp.db, camp.manager, "s1", "new\x00password"), "password")


def test_roster_rows(camp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "roster.csv"
    roster.write_text("last_name,first_name,middle_name,squad,grade,role,password\n"
                      f"Petrov,\"{ESCAPES}\",,Squad 1,7,student,\n"
                      "Sidorov,Ivan,Iva\u200bnovich,Squad 1,7,student,\n"
                      "Kuznetsov,Oleg,,Squad 1,7,student,secret\x07pass\n", encoding="utf-8")
    error = refused(camp, lambda: import_roster(camp.db, camp.manager, roster, credentials_out=tmp_path / "c.xlsx"),
                    None)  # type: ignore[arg-type]
    text = str(error)
    assert re.search(r"line 2, first_name: contains an escape character", text)
    assert re.search(r"line 3, middle_name: contains an invisible character \(U\+200B", text)
    assert "line 4, password: contains a control character" in text and "secret" not in text


def test_announcements(camp) -> None:  # type: ignore[no-untyped-def]
    staff = camp.actor("t1")
    until = date.today()
    refused(camp, lambda: notices.announce(camp.db, staff, title=ESCAPES, text="", until=until), "title")
    refused(camp, lambda: notices.announce(camp.db, staff, title="Menu", text="Soup\n" + ESCAPES, until=until),
            "text")
    refused(camp, lambda: notices.announce(camp.db, staff, title="Menu\nToday", text="", until=until), "title")
    made = notices.announce(camp.db, staff, title="Menu [/b]", text="Soup\n\tand [bold]bread", until=until)
    assert (made.title, made.text) == ("Menu [/b]", "Soup\n\tand [bold]bread")


def test_shared_file_names(camp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    staff = camp.actor("t1")
    refused(camp, lambda: files.add_file(camp.db, staff, "menu\x1b]0;OWNED\x07.txt", b"soup"), "name")
    refused(camp, lambda: files.add_file(camp.db, staff, "menu\u202etxt.exe", b"soup"), "name")
    on_disk = tmp_path / "menu\x1b[2J.txt"
    on_disk.write_bytes(b"soup")
    refused(camp, lambda: files.add_path(camp.db, staff, on_disk), "name")


def test_sign_in_refuses_a_username_no_account_could_have(camp) -> None:  # type: ignore[no-untyped-def]
    refused(camp, lambda: auth.sign_in(camp.db, "s1\x1b[2J", "student-pass-1"), "username")
    refused(camp, lambda: auth.sign_in(camp.db, "x" * 10_000, "whatever-pass"), "username")


def _season(**replace: str) -> str:
    text = resources.files("campbank").joinpath("data/season-classic.toml").read_text(encoding="utf-8")
    for pattern, line in replace.items():
        text, count = re.subn(pattern, lambda _match, line=line: line, text, count=1, flags=re.MULTILINE)
        assert count == 1, pattern
    return text


@pytest.mark.parametrize(("pattern", "line", "key"), [
    (r"^name = .*$", 'name = "Camp \\u001b]0;pwned\\u0007"', "name"),
    (r"^name = .*$", 'name = "Camp \\u202eevil"', "name"),
    (r"^squads = .*$", 'squads = ["Squad 1", "Squad\\u200b 2", "Squad 3", "Squad 4"]', "squads"),
    (r'^reward = \{ label = "[^"]*"', 'reward = { label = "Reward\\u001b[2J"', "money_types.reward.label"),
    (r'^fine_lang = \{ label = "[^"]*"', 'fine_lang = { label = "Language\\u0000"', "money_types.fine_lang.label"),
])
def test_season_names_squads_and_labels(camp, pattern: str, line: str, key: str) -> None:  # type: ignore[no-untyped-def]
    text = _season(**{pattern: line})
    error = refused(camp, lambda: in_force.load(camp.db, camp.manager, text, "hostile.toml"), key)
    assert "line" in str(error)


def test_a_season_stored_before_the_check_still_opens(camp) -> None:  # type: ignore[no-untyped-def]
    """An old database may hold a season name with an escape sequence: it is read (and shown safely)."""
    from campbank.ledger.season.load import parse_season

    text = _season(**{r"^name = .*$": 'name = "Old \\u001b[2J camp"'})
    assert parse_season(text, "old.toml", check_text=False).name == "Old \x1b[2J camp"

"""People (the initial grant, the roster, passwords): import, add, passwords, deactivation."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    GRANT,
    MANAGER_PASSWORD,
    STUDENT_PASSWORD,
    actor_of,
    audit_actions,
    audit_details,
    balance,
    count_initial_grants,
    dump,
    money,
    query,
)
from openpyxl import load_workbook

from campbank.core.errors import AuthError, InputError, NotFound, RuleError
from campbank.formats.roster import RosterError
from campbank.formats.roster_import import import_roster
from campbank.ledger.actions.auth import sign_in
from campbank.ledger.actions.posting import post
from campbank.ledger.actions.users import add_user, deactivate, set_password
from campbank.ledger.verify import verify_file

HEADER = "last_name,first_name,middle_name,squad,grade,role,username,password"


def roster(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


GOOD_ROWS = (
    "Ivanova,Maria,Petrovna,Squad 1,9,student,maria,maria-pass-1",
    "Petrov,Ivan,,Squad 2,7,student,ivan,ivan-pass-11",
    "Sidorov,Oleg,,squad 3,11,student,oleg,oleg-pass-11",  # squads match case-insensitively
    "Teacher,Tina,,,,staff,tina,tina-pass-11",
)


def people(db) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    return {r[0]: r[1:] for r in query(db.path, "SELECT username, role, squad, grade, active FROM account")}


# --- roster import ---------------------------------------------------------------------------------


def test_import_creates_people_each_student_with_one_grant(db, tmp_path):
    manager = actor_of(db, "manager")
    plan = import_roster(db, manager, roster(tmp_path, *GOOD_ROWS))
    assert [row.line for row in plan.create] == [2, 3, 4, 5]
    assert not plan.update and not plan.generated_passwords
    found = people(db)
    assert found["maria"] == ("student", "Squad 1", 9, 1)
    assert found["oleg"] == ("student", "Squad 3", 11, 1)
    assert found["tina"] == ("staff", None, None, 1)
    for student in ("maria", "ivan", "oleg"):
        assert count_initial_grants(db.path, student) == [GRANT], "exactly one grant of 120.00"
        assert balance(db, student) == GRANT
    assert count_initial_grants(db.path, "tina") == [] and balance(db, "tina") == 0
    assert balance(db, "bank") == -3 * GRANT
    assert sign_in(db, "ivan", "ivan-pass-11").username == "ivan"
    assert audit_actions(db, prefix="users.import") == ["users.import"]
    assert audit_details(db, "users.import")[0] == {"created": 4, "updated": 0, "unchanged": 0}
    assert verify_file(db.path).ok


def test_reimport_updates_never_deletes_never_grants_twice(db, tmp_path):
    manager = actor_of(db, "manager")
    import_roster(db, manager, roster(tmp_path, *GOOD_ROWS))
    post(db, manager, money({"maria": "10"}))
    second = roster(
        tmp_path,
        "Ivanova,Maria,Petrovna,Squad 4,10,student,maria,",  # moved squad and grade
        "Petrov,Ivan,,Squad 2,7,student,ivan,",  # unchanged
        name="second.csv",
    )  # oleg and tina are not in the file
    plan = import_roster(db, manager, second)
    assert not plan.create
    assert [(username, changed) for _, username, changed in plan.update] == [("maria", ["squad", "grade"])]
    assert [username for _, username in plan.unchanged] == ["ivan"]
    found = people(db)
    assert found["maria"] == ("student", "Squad 4", 10, 1)
    assert {"oleg", "tina"} <= set(found), "a re-import never deletes"
    assert found["oleg"][3] == 1, "nor deactivates"
    for student in ("maria", "ivan", "oleg"):
        assert count_initial_grants(db.path, student) == [GRANT]
    assert balance(db, "maria") == GRANT + 1000, "history and balance stay"
    # and a third import of the very same file changes nothing but the audit log
    before = dump(db.path)
    plan = import_roster(db, manager, second)
    assert not plan.create and not plan.update
    after = dump(db.path)
    # only the audit log (and the chain's link over its new rows) may grow
    assert {t: rows for t, rows in after.items() if t not in ("audit_log", "chain")} == {
        t: rows for t, rows in before.items() if t not in ("audit_log", "chain")}


def test_reimport_matches_people_by_name_without_usernames(db, tmp_path):
    manager = actor_of(db, "manager")
    header = "last_name,first_name,middle_name,squad,grade,role"
    import_roster(db, manager, roster(tmp_path, "Kuznetsova,Olga,,Squad 1,8,student", header=header),
                  credentials_out=tmp_path / "c.xlsx")
    (username,) = [u for u in people(db) if u not in ("bank", "manager")]
    plan = import_roster(db, manager, roster(tmp_path, "Kuznetsova,Olga,,Squad 2,8,student", header=header,
                                             name="again.csv"))
    assert [(u, c) for _, u, c in plan.update] == [(username, ["squad"])]
    assert people(db)[username][1] == "Squad 2"
    assert count_initial_grants(db.path, username) == [GRANT]


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row(db, tmp_path):
    manager = actor_of(db, "manager")
    path = roster(
        tmp_path,
        "Good,Anna,,Squad 1,9,student,anna,anna-pass-1",
        "Bad,Grade,,Squad 1,6,student,,",  # line 3: grade 6 is not in the season
        "Fine,Boris,,Squad 2,8,student,boris,boris-pass-1",
        "Bad,Squad,,Squad 9,8,student,,",  # line 5: unknown squad
        "Bad,Role,,,,janitor,,",  # line 6: unknown role
        "Dup,Name,,Squad 1,9,student,anna,dup-pass-11",  # line 7: username again
    )
    before = dump(db.path)
    with pytest.raises(RosterError) as info:
        import_roster(db, manager, path, credentials_out=tmp_path / "c.xlsx")
    error = info.value
    assert isinstance(error, InputError)
    assert sorted({p.line for p in error.problems}) == [3, 5, 6, 7]
    text = str(error)
    for line in (3, 5, 6, 7):
        assert f"line {line}" in text
    assert {(p.line, p.field) for p in error.problems} >= {(3, "grade"), (5, "squad"), (6, "role"), (7, "username")}
    assert dump(db.path) == before, "a refused file writes nothing"
    assert not (tmp_path / "c.xlsx").exists()
    assert not list(tmp_path.glob("c.xlsx*"))


def test_generated_passwords_go_only_to_the_credentials_file(db, tmp_path):
    manager = actor_of(db, "manager")
    path = roster(tmp_path, "Smith,Anna,,Squad 1,9,student", "Brown,Bob,,,,staff",
                  header="last_name,first_name,middle_name,squad,grade,role")
    before = dump(db.path)
    with pytest.raises(InputError) as info:
        import_roster(db, manager, path)  # nowhere to put the passwords
    assert info.value.field == "credentials"
    assert dump(db.path) == before

    out = tmp_path / "credentials.xlsx"
    plan = import_roster(db, manager, path, credentials_out=out)
    assert out.exists() and (out.stat().st_mode & 0o077) == 0, "readable only by its owner"
    sheet = load_workbook(out).active
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
    assert {(name, user) for name, _, user, _ in rows} == {("Smith Anna", plan.usernames[2]),
                                                           ("Brown Bob", plan.usernames[3])}
    for _, _, username, password in rows:
        assert plan.generated_passwords[username] == password
        assert sign_in(db, username, password).username == username
        # the password itself is stored nowhere in the database (only its hash)
        assert password not in repr(dump(db.path))
    assert not list(tmp_path.glob("*.partial*"))


def test_dry_run_writes_nothing(db, tmp_path):
    manager = actor_of(db, "manager")
    path = roster(tmp_path, "Smith,Anna,,Squad 1,9,student", header="last_name,first_name,middle_name,squad,grade,role")
    before = dump(db.path)
    plan = import_roster(db, manager, path, dry_run=True)  # no credentials file needed for a dry run
    assert [row.last_name for row in plan.create] == ["Smith"]
    assert dump(db.path) == before
    assert set(tmp_path.iterdir()) - {db.path} == {path}, "no credentials file either"


# --- add_user ---------------------------------------------------------------------------------------


def test_add_a_student_gets_the_grant_once(db):
    manager = actor_of(db, "manager")
    made = add_user(db, manager, last_name="Lee", first_name="Kim", role="student", squad="Squad 2", grade=8)
    assert made.full_name == "Lee Kim" and made.squad == "Squad 2"
    assert len(made.password) >= 8
    assert sign_in(db, made.username, made.password).username == made.username
    assert count_initial_grants(db.path, made.username) == [GRANT]
    assert audit_actions(db, f"user:{made.username}", "user.") == ["user.credentials", "user.add"]


def test_add_staff_and_managers_get_no_grant(db):
    manager = actor_of(db, "manager")
    staff = add_user(db, manager, last_name="Doe", first_name="Jo", role="staff", username="jo", password="jo-pass-11")
    boss = add_user(db, manager, last_name="Roe", first_name="Al", role="manager", username="al")
    assert staff.password == "jo-pass-11"
    assert balance(db, "jo") == 0 and balance(db, "al") == 0
    assert sign_in(db, "al", boss.password).role == "manager"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"squad": "Squad 9"}, "squad"),
        ({"squad": None}, "squad"),
        ({"grade": 6}, "grade"),
        ({"role": "janitor"}, "role"),
        ({"last_name": ""}, "last_name"),
        ({"username": "Bad Name"}, "username"),
        ({"username": "bank"}, "username"),
        ({"password": "short"}, "password"),
    ],
)
def test_add_refuses_bad_details(db, fields, field):
    manager = actor_of(db, "manager")
    details = {"last_name": "Lee", "first_name": "Kim", "role": "student", "squad": "Squad 2", "grade": 8} | fields
    before = dump(db.path)
    with pytest.raises(InputError) as info:
        add_user(db, manager, **details)
    assert info.value.field == field
    assert dump(db.path) == before


def test_add_refuses_a_taken_username(camp):
    before = dump(camp.path)
    with pytest.raises(RuleError) as info:
        add_user(camp.db, camp.manager, last_name="X", first_name="Y", role="student", squad="Squad 1", grade=9,
                 username="s1")
    assert info.value.field == "username"
    assert dump(camp.path) == before


def test_generated_usernames_do_not_collide(db):
    manager = actor_of(db, "manager")
    names = {add_user(db, manager, last_name="Same", first_name=first, role="student", squad="Squad 1",
                      grade=9).username for first in ("Nina", "Nadia", "Nora")}
    assert len(names) == 3


# --- set_password ----------------------------------------------------------------------------------


def test_set_password(camp):
    old = query(camp.path, "SELECT password_hash FROM account WHERE username = 's1'")
    given = set_password(camp.db, camp.manager, "s1", "the-new-pass")
    assert given == "the-new-pass"
    assert query(camp.path, "SELECT password_hash FROM account WHERE username = 's1'") != old
    assert sign_in(camp.db, "s1", "the-new-pass").username == "s1"
    with pytest.raises(AuthError):
        sign_in(camp.db, "s1", STUDENT_PASSWORD)
    generated = set_password(camp.db, camp.manager, "s2")
    assert len(generated) >= 8 and sign_in(camp.db, "s2", generated).username == "s2"
    assert audit_actions(camp.db, prefix="user.password") == ["user.password", "user.password"]
    assert "the-new-pass" not in repr(dump(camp.path))


def test_set_password_refusals(camp):
    before = dump(camp.path)
    with pytest.raises(InputError) as info:
        set_password(camp.db, camp.manager, "s1", "short")
    assert info.value.field == "password"
    with pytest.raises(InputError):
        set_password(camp.db, camp.manager, "bank", "bank-pass-11")
    with pytest.raises(NotFound):
        set_password(camp.db, camp.manager, "nobody", "some-pass-11")
    assert dump(camp.path) == before


# --- deactivate --------------------------------------------------------------------------------------


def test_deactivate_keeps_history_and_balance(camp):
    post(camp.db, camp.actor("t1"), money({"s1": "10"}))
    deactivate(camp.db, camp.manager, "s1")
    assert people(camp.db)["s1"][3] == 0
    assert balance(camp.db, "s1") == GRANT + 1000
    assert query(camp.path, "SELECT COUNT(*) FROM journal j JOIN account a ON a.id = j.account_id "
                            "WHERE a.username = 's1'") == [(2,)]  # the grant and the 10
    with pytest.raises(AuthError):
        sign_in(camp.db, "s1", STUDENT_PASSWORD)
    assert audit_actions(camp.db, "user:s1", "user.deactivate") == ["user.deactivate"]
    assert verify_file(camp.path).ok


def test_deactivate_refusals(camp):
    deactivate(camp.db, camp.manager, "s1")
    before = dump(camp.path)
    with pytest.raises(RuleError, match="already"):
        deactivate(camp.db, camp.manager, "s1")
    with pytest.raises(RuleError, match="yourself"):
        deactivate(camp.db, camp.manager, "manager")
    with pytest.raises(InputError):
        deactivate(camp.db, camp.manager, "bank")
    with pytest.raises(NotFound):
        deactivate(camp.db, camp.manager, "nobody")
    assert dump(camp.path) == before
    # the manager still signs in
    assert sign_in(camp.db, "manager", MANAGER_PASSWORD).username == "manager"

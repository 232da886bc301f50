"""docs/guarantees.md#permissions as a table: every role against every action, through the ledger API.

Each row of MATRIX reads like that table: may a student / staff member / manager do it? A
deactivated user (signed in before being deactivated) may do nothing at all. A refusal is a
PermissionDenied and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from helpers import (
    MANAGER_PASSWORD,
    STAFF_PASSWORD,
    STUDENT_PASSWORD,
    Camp,
    actor_of,
    checksum,
    dump,
    fine,
    money,
    p2p,
    purchase,
    txn_state,
)
from typer.testing import CliRunner

from campbank.cli import app
from campbank.core.enums import State
from campbank.core.errors import PermissionDenied
from campbank.formats.exports import balances_csv, balances_json
from campbank.formats.roster_import import import_roster
from campbank.ledger.actions import tax
from campbank.ledger.actions.posting import alter, post, template
from campbank.ledger.actions.setup import season_source
from campbank.ledger.actions.states import approve, cancel, reject
from campbank.ledger.actions.users import add_user, deactivate, set_password
from campbank.ledger.views.accounts import account_balance, history
from campbank.rules import REGISTRY

Y, N = True, False
ROLES = ("student", "staff", "manager")
# Who plays each role; the other people of the camp (s2, s3, t2, "manager") are the "someone else".
PLAYER = {"student": "s1", "staff": "t1", "manager": "m1"}

Action = Callable[..., object]  # called with the actor


def _own(camp: Camp, who: str) -> int:
    """A transaction `who` created: a student's pending transfer, or a staff/manager payment."""
    if who.startswith("s"):
        return post(camp.db, camp.actor(who), p2p("s4", "1")).id
    return post(camp.db, camp.actor(who), money({"s4": "1"})).id


def _pending_transfer(camp: Camp) -> int:
    return post(camp.db, camp.actor("s2"), p2p("s3", "5")).id


def _approved_transfer(camp: Camp) -> int:
    txn_id = _pending_transfer(camp)
    approve(camp.db, camp.actor("t2"), txn_id)
    return txn_id


def _tax(camp: Camp) -> int:
    """A real tax day (the 2nd season day: 5.00@ from each student), run by a manager."""
    (day,) = tax.run(camp.db, camp.manager, day=date(2018, 8, 7))
    assert day.outcome == "charged"
    return day.transaction_id


def _roster(camp: Camp) -> object:
    path = camp.folder / "roster.csv"
    path.write_text("last_name,first_name,middle_name,squad,grade,role,username,password\n"
                    "Newman,Nina,,Squad 2,8,student,nina,nina-pass-1\n", encoding="utf-8")
    return path


def _view(camp: Camp, fn, username: str) -> Action:  # type: ignore[no-untyped-def]
    def act(actor):  # type: ignore[no-untyped-def]
        return fn(camp.db, actor, username)

    return act


# action -> (setup(camp, who) returning the action to try with the actor)
SCENARIOS: dict[str, Callable[[Camp, str], Action]] = {
    "post general_money": lambda c, w: lambda a: post(c.db, a, money({"s2": "5"})),
    "post fine": lambda c, w: lambda a: post(c.db, a, fine({"s2": "5"})),
    "post purchase": lambda c, w: lambda a: post(c.db, a, purchase({"s2": "5"})),
    "post p2p (request a transfer)": lambda c, w: lambda a: post(c.db, a, p2p("s2", "5")),
    "approve a student's transfer": lambda c, w: (lambda t: lambda a: approve(c.db, a, t))(_pending_transfer(c)),
    "reject a student's transfer": lambda c, w: (lambda t: lambda a: reject(c.db, a, t, reason="no"))(
        _pending_transfer(c)),
    "cancel own transaction": lambda c, w: (lambda t: lambda a: cancel(c.db, a, t, reason="mistake"))(_own(c, w)),
    "cancel a student's pending transfer": lambda c, w: (lambda t: lambda a: cancel(c.db, a, t, reason="mistake"))(
        _pending_transfer(c)),
    "cancel a student's approved transfer": lambda c, w: (lambda t: lambda a: cancel(c.db, a, t, reason="mistake"))(
        _approved_transfer(c)),
    "cancel another staff member's transaction": lambda c, w: (lambda t: lambda a: cancel(c.db, a, t, reason="no"))(
        post(c.db, c.actor("t2"), money({"s2": "5"})).id),
    "cancel another manager's transaction": lambda c, w: (lambda t: lambda a: cancel(c.db, a, t, reason="mistake"))(
        post(c.db, c.actor("manager"), fine({"s2": "5"})).id),
    "cancel a tax": lambda c, w: (lambda t: lambda a: cancel(c.db, a, t, reason="mistake"))(_tax(c)),
    "alter own transaction": lambda c, w: (lambda t: lambda a: alter(
        c.db, a, t, p2p("s4", "2") if w.startswith("s") else money({"s4": "2"})))(_own(c, w)),
    "alter someone else's transaction": lambda c, w: (lambda t: lambda a: alter(c.db, a, t, money({"s2": "6"})))(
        post(c.db, c.actor("t2"), money({"s2": "5"})).id),
    "template own transaction": lambda c, w: (lambda t: lambda a: template(c.db, a, t))(_own(c, w)),
    "template someone else's transaction": lambda c, w: (lambda t: lambda a: template(c.db, a, t))(
        post(c.db, c.actor("t2"), money({"s2": "5"})).id),
    "users: import a roster": lambda c, w: (lambda path: lambda a: import_roster(c.db, a, path))(_roster(c)),
    "users: add": lambda c, w: lambda a: add_user(c.db, a, last_name="Late", first_name="Lou", role="student",
                                                 squad="Squad 1", grade=9),
    "users: reset a password": lambda c, w: lambda a: set_password(c.db, a, "s3", "brand-new-pass"),
    "users: deactivate": lambda c, w: lambda a: deactivate(c.db, a, "s3"),
    "run the tax": lambda c, w: lambda a: tax.run(c.db, a, day=date(2018, 8, 8)),
    "void a tax day": lambda c, w: (lambda t: lambda a: tax.void(c.db, a, date(2018, 8, 7)))(_tax(c)),
    "export balances": lambda c, w: lambda a: (balances_json(c.db, a), balances_csv(c.db, a)),
    "view own balance": lambda c, w: _view(c, account_balance, w),
    "view own history": lambda c, w: _view(c, history, w),
    "view another student's balance": lambda c, w: _view(c, account_balance, "s2"),
    "view another student's history": lambda c, w: _view(c, history, "s2"),
    "view a staff member's balance": lambda c, w: _view(c, account_balance, "t2"),
    "view a staff member's history": lambda c, w: _view(c, history, "t2"),
}

MATRIX = [
    # action                                        student  staff  manager
    ("post general_money",                             N,      Y,     Y),
    ("post fine",                                      N,      Y,     Y),
    ("post purchase",                                  N,      Y,     Y),
    ("post p2p (request a transfer)",                  Y,      N,     N),
    ("approve a student's transfer",                   N,      Y,     Y),
    ("reject a student's transfer",                    N,      Y,     Y),
    ("cancel own transaction",                         Y,      Y,     Y),  # a student's: a pending request
    ("cancel a student's pending transfer",            N,      Y,     Y),
    ("cancel a student's approved transfer",           N,      Y,     Y),
    ("cancel another staff member's transaction",      N,      N,     Y),
    ("cancel another manager's transaction",           N,      N,     Y),
    ("cancel a tax",                                   N,      N,     N),
    ("alter own transaction",                          N,      Y,     Y),
    ("alter someone else's transaction",               N,      N,     N),
    ("template own transaction",                       N,      Y,     Y),
    ("template someone else's transaction",            N,      N,     Y),  # managers see every transaction
    ("users: import a roster",                         N,      N,     Y),
    ("users: add",                                     N,      N,     Y),
    ("users: reset a password",                        N,      N,     Y),
    ("users: deactivate",                              N,      N,     Y),
    ("run the tax",                                    N,      N,     Y),
    ("void a tax day",                                 N,      N,     Y),
    ("export balances",                                N,      N,     Y),
    ("view own balance",                               Y,      Y,     Y),
    ("view own history",                               Y,      Y,     Y),
    ("view another student's balance",                 N,      Y,     Y),
    ("view another student's history",                 N,      Y,     Y),
    ("view a staff member's balance",                  N,      N,     Y),
    ("view a staff member's history",                  N,      N,     Y),
]

# Where the product disagrees with the table; each is reported, not silently accepted.
KNOWN_GAPS: dict[tuple[str, str], str] = {}  # (action, role) -> why the product still differs from the table


def test_the_matrix_covers_every_scenario():
    assert {row[0] for row in MATRIX} == set(SCENARIOS)
    assert set(REGISTRY) >= {"general_money", "fine", "purchase", "p2p", "tax"}


def _cases():  # type: ignore[no-untyped-def]
    for action, *allowed in MATRIX:
        for role, ok in zip(ROLES, allowed, strict=True):
            marks = []
            if (action, role) in KNOWN_GAPS:
                marks.append(pytest.mark.xfail(reason=KNOWN_GAPS[(action, role)], strict=True))
            yield pytest.param(action, role, ok, id=f"{action}-{role}-{'yes' if ok else 'no'}", marks=marks)
        # A deactivated account of the strongest role that would be allowed is refused.
        role = next((r for r, ok in zip(ROLES[::-1], allowed[::-1], strict=True) if ok), "manager")
        yield pytest.param(action, f"deactivated {role}", False, id=f"{action}-deactivated {role}-no")


@pytest.mark.parametrize(("action", "role", "allowed"), list(_cases()))
def test_permission(camp, action, role, allowed):
    who = PLAYER[role.removeprefix("deactivated ")]
    attempt = SCENARIOS[action](camp, who)
    actor = camp.actor(who)  # signed in before anything else happens
    if role.startswith("deactivated"):
        deactivate(camp.db, camp.manager, who)
    before = checksum(camp.path)
    if allowed:
        attempt(actor)
    else:
        with pytest.raises(PermissionDenied):
            attempt(actor)
        assert checksum(camp.path) == before, "a refused action wrote something"


# --- the cells that need more than one role's view ------------------------------------------------------


def test_a_student_cannot_cancel_their_own_approved_transfer(camp):
    txn_id = _approved_transfer(camp)
    before = checksum(camp.path)
    with pytest.raises(PermissionDenied, match="pending"):
        cancel(camp.db, camp.actor("s2"), txn_id, reason="mistake")
    assert checksum(camp.path) == before
    assert txn_state(camp.db, txn_id) == State.PROCESSED


def test_nobody_cancels_a_tax_not_even_the_bank_that_created_it(camp):
    tax_id = _tax(camp)
    for who in ("bank", "manager", "m1", "t1"):
        with pytest.raises(PermissionDenied, match="tax"):
            cancel(camp.db, actor_of(camp.db, who), tax_id, reason="mistake")
    assert txn_state(camp.db, tax_id) == State.PROCESSED


def test_a_student_cannot_approve_their_own_or_anyone_elses_request(camp):
    own = post(camp.db, camp.actor("s1"), p2p("s2", "5")).id
    for who in ("s1", "s2"):
        with pytest.raises(PermissionDenied):
            approve(camp.db, camp.actor(who), own)
    assert txn_state(camp.db, own) == State.CREATED


# --- season load: its permission check lives in the CLI (there is no ledger entry point) ------------

PASSWORDS = {"student": STUDENT_PASSWORD, "staff": STAFF_PASSWORD, "manager": MANAGER_PASSWORD}


@pytest.mark.parametrize(("role", "allowed"), [("student", N), ("staff", N), ("manager", Y)])
def test_season_load(camp, role, allowed, monkeypatch):
    from campbank.ledger.season import in_force as season_store

    # season_store caches parsed seasons by row id across databases (reported as a bug): keep this
    # test's season 2 out of the process-wide cache
    monkeypatch.setattr(season_store, "_parsed", {})
    who = PLAYER[role]
    seasons_before = dump(camp.path)["season"]
    result = CliRunner().invoke(
        app, ["--db", str(camp.path), "season", "load", str(season_source("flat-tax")), "--as", who],
        env={"CAMPBANK_PASSWORD": PASSWORDS[role]},
    )
    seasons_after = dump(camp.path)["season"]
    if allowed:
        assert result.exit_code == 0, result.output
        assert len(seasons_after) == len(seasons_before) + 1
    else:
        assert result.exit_code == 1, result.output
        assert "may not run `campbank season load`: it needs a manager" in result.output
        assert seasons_after == seasons_before

"""Disputes through the JSON API: a student opens one about their own fine and reads the answers and the
outcome; what they may not dispute, or write, is refused with the field named."""

from __future__ import annotations

from datetime import date

from helpers import audit_actions, query
from web_support import Server

from campbank.ledger.actions import disputes
from campbank.ledger.people import account_named
from campbank.ledger.permissions import Actor
from campbank.ledger.store.database import open_database


class _Db:
    def __init__(self, server: Server) -> None:
        self.path = server.db_path


def test_a_student_disputes_a_fine_and_reads_the_outcome(server: Server) -> None:
    with server.as_user("t2") as t2:
        fine = t2.post("/transactions", json={"type": "fine", "fine_type": "fine_lang", "description": "Rude",
                                              "date": date.today().isoformat(), "amounts": {"s4": "3"}})
    assert fine.status_code == 201, fine.text
    fine_id = fine.json()["id"]
    with server.as_user("s4") as s4:
        opened = s4.post("/me/disputes", json={"text": "I said 'rudder', it is a boat word", "transaction_id": fine_id})
        assert opened.status_code == 201, opened.text
        body = opened.json()
        assert body["state"] == "open" and body["transaction"]["id"] == fine_id
        assert body["transaction"]["amount"] == "-3.00"
        assert [m["text"] for m in body["messages"]] == ["I said 'rudder', it is a boat word"]
        dispute_id = body["id"]
        db = open_database(server.db_path)
        with db.session() as session:
            t2_actor = Actor.of(account_named(session, "t2"))
        disputes.answer(db, t2_actor, dispute_id, "Fair enough.")
        disputes.resolve_by_cancelling(db, t2_actor, dispute_id, note="Cancelled.")
        db.dispose()
        [mine] = [d for d in s4.get("/me/disputes").json() if d["id"] == dispute_id]
    assert mine["state"] == "resolved" and mine["fixed_by"]["id"] == fine_id
    assert mine["fixed_by"]["state"] == "declined" and mine["closed_at"]
    assert [(m["author"], m["author_role"]) for m in mine["messages"]] == [
        ("s4", "student"), ("t2", "staff"), ("t2", "staff")]
    assert audit_actions(_Db(server), target=f"dispute:{dispute_id}")[0] == "dispute.opened"  # type: ignore[arg-type]


def test_what_may_not_be_disputed_or_written_is_refused(server: Server) -> None:
    someone_elses = query(server.db_path, """
        SELECT MAX(t.id) FROM txn t
         WHERE t.creator_id != (SELECT id FROM account WHERE username = 's5')
           AND NOT EXISTS (SELECT 1 FROM money_entry m JOIN account a ON a.id = m.receiver_id
                            WHERE m.transaction_id = t.id AND a.username = 's5')
           AND NOT EXISTS (SELECT 1 FROM counter_entry c JOIN account a ON a.id = c.receiver_id
                            WHERE c.transaction_id = t.id AND a.username = 's5')""")[0][0]
    before = query(server.db_path, "SELECT COUNT(*) FROM dispute")[0][0]
    with server.as_user("s5") as s5:
        for body, status, field in (
                ({"text": "not mine", "transaction_id": someone_elses}, 403, "transaction"),
                ({"text": "no such", "transaction_id": 10**12}, 404, "id"),
                ({"text": "bell\u0007"}, 400, "text"),
                ({"text": "x" * 501}, 400, "text"),
                ({"text": ""}, 400, "text"),
                ({"text": "ok", "extra": 1}, 400, "extra")):
            response = s5.post("/me/disputes", json=body)
            assert response.status_code == status, (body, response.text)
            assert response.json()["error"]["field"] == field, (body, response.text)
        question = s5.post("/me/disputes", json={"text": "When is the tax charged?"})
        assert question.status_code == 201 and question.json()["transaction"] is None
    assert query(server.db_path, "SELECT COUNT(*) FROM dispute")[0][0] == before + 1

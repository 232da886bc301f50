"""Where the chain's head is kept (docs/tamper-evidence.md): printed by each tax run and backup, beside each backup, on
the report's first sheet; and `campbank verify --anchor HEAD` with it."""

from __future__ import annotations

import re

from helpers import money, query
from openpyxl import load_workbook
from test_cli import cli

from campbank.ledger.actions.posting import post

HEAD = re.compile(r"Chain head: (\d+:[0-9a-f]{64})")


def head_now(path) -> str:  # type: ignore[no-untyped-def]
    seq, digest = query(path, "SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1")[0]
    return f"{seq}:{bytes(digest).hex()}"


def test_every_tax_run_prints_the_chain_head(camp):
    out = cli(camp.path, "tax", "run", "--date", "2018-08-08").output
    [head] = HEAD.findall(out)
    assert head == head_now(camp.path), "the head after the run's own writes"
    again = cli(camp.path, "tax", "run", "--date", "2018-08-08").output
    assert "already taxed" in again and HEAD.findall(again) == [head], "nothing written: the same head"


def test_verify_with_the_head_of_a_backup(camp, tmp_path):
    out = cli(camp.path, "backup", str(tmp_path / "copy.db")).output
    [head] = HEAD.findall(out)
    assert (tmp_path / "copy.db.head").read_text(encoding="ascii") == head + "\n"
    post(camp.db, camp.actor("t1"), money({"s1": "2"}))  # later, legitimate
    done = cli(camp.path, "verify", "--anchor", head).output
    assert f"Anchor {head}: the history up to it is unchanged." in done
    assert f"head {head_now(camp.path)}" in done


def test_verify_with_a_wrong_or_unknown_head(camp):
    seq, digest = head_now(camp.path).split(":")
    wrong = f"{seq}:{'0' * 64}"
    out = cli(camp.path, "verify", "--anchor", wrong, code=1).output
    assert f"anchor: {seq}:0000000000000000… is not proven: link {seq} is now {seq}:{digest}" in out
    unknown = f"{int(seq) + 1}:{digest}"
    out = cli(camp.path, "verify", "--anchor", unknown, code=1).output
    assert f"the chain has {seq} links: link {int(seq) + 1} is not in it" in out


def test_verify_refuses_an_anchor_that_is_not_a_head(camp):
    for text in ("", "12", "12:abc", "x:" + "a" * 64, "0:" + "a" * 64, "3:" + "g" * 64):
        out = cli(camp.path, "verify", "--anchor", text, code=2).output
        assert "error: --anchor:" in out and "SEQ:HASH" in out


def test_the_report_shows_the_head_on_its_first_sheet(camp, tmp_path):
    target = tmp_path / "report.xlsx"
    cli(camp.path, "report", "xlsx", "-o", str(target), as_user="manager")
    # the report read the camp after the manager's sign-in and before its own export row: the link before last
    seq, digest = query(camp.path, "SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1 OFFSET 1")[0]
    head = f"{seq}:{bytes(digest).hex()}"
    first = load_workbook(target, read_only=True).worksheets[0]
    notes = [cell for row in first.iter_rows(values_only=True) for cell in row
             if isinstance(cell, str) and "Hash chain head" in cell]
    assert notes == [f"Hash chain head when this report was read: {head} (`campbank verify --anchor` with it "
                     "proves this history unchanged later)."]
    assert "the history up to it is unchanged" in cli(camp.path, "verify", "--anchor", head).output

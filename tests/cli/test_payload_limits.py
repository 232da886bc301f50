"""Payloads built to break the reader — nested a hundred thousand deep, or with a number of thousands of
digits — end in one `error:` line with exit 2 and change nothing, from a file or from standard input; the
ledger refuses the same shapes from any other caller."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from helpers import DAY, STAFF_PASSWORD, checksum_apart_from_sign_in

from campbank.core.errors import InputError
from campbank.ledger.actions.posting import post

DEEP = "[" * 100_000 + "]" * 100_000
BIG = '{"type": "fine", "fine_type": "fine_any", "amounts": {"s1": ' + "9" * 4301 + "}}"


def run_post(camp, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "CAMPBANK_PASSWORD": STAFF_PASSWORD, "CAMPBANK_DB": str(camp.path)}
    command = [sys.executable, "-c", "from campbank.cli import app; app()", "post", *argv, "--as", "t1"]
    return subprocess.run(command, input=stdin, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("text", "words"), [
    (DEEP, "nested far too deeply"),
    ('{"type": "fine", "x": ' + "[" * 5000 + "]" * 5000 + "}", "nested far too deeply"),
    (BIG, "4301 digits"),
    ('{"type": "fine", "amounts": {"s1": -' + "1" * 40 + "}}", "40 digits"),
], ids=["100k deep", "5k deep inside", "4301 digits", "40 digits"])
@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_hostile_payload_is_one_error_line(camp, tmp_path, text, words, how):
    before = checksum_apart_from_sign_in(camp.path)
    if how == "file":
        path = tmp_path / "payload.json"
        path.write_text(text, encoding="utf-8")
        done = run_post(camp, str(path))
    else:
        done = run_post(camp, "-", stdin=text)
    assert done.returncode == 2, done.stderr[-500:]
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: payload: ") and words in line, line
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert checksum_apart_from_sign_in(camp.path) == before


def nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(("payload", "field"), [
    ({"type": "fine", "date": DAY, "amounts": {"s1": "1"}, "description": nested(10_000)}, "description"),
    ({"type": "fine", "date": DAY, "amounts": {"s1": "1"}, "note": nested(33)}, "note"),  # deeper than 32
    ({"type": "fine", "date": DAY, "fine_type": "fine_any", "amounts": {"s1": 10**4300}}, "amounts.s1"),
], ids=["10k deep", "33 deep", "4301 digits"])
def test_the_ledger_refuses_the_same_shapes_from_any_caller(camp, payload, field):
    before = checksum_apart_from_sign_in(camp.path)
    with pytest.raises(InputError) as refused:
        post(camp.db, camp.actor("t1"), payload)
    assert refused.value.field == field
    assert checksum_apart_from_sign_in(camp.path) == before

"""The names of pockets, funds and circles, and what a fund's money buys, go through the one input filter:
control characters, escape sequences, direction overrides, line separators and (in names) invisible
characters are refused naming the field and the character, and nothing is written."""

from __future__ import annotations

import pytest
from helpers import checksum

from campbank.core.errors import InputError
from campbank.ledger.actions import circles, funds, pockets

BAD_NAMES = ["hi \x1b]0;pwned\x07", "a\x00b", "a\x9bb", "invoice\u202egpj.exe", "a\u2028b", "zero\u200bwidth"]


def refused(camp, call, field: str) -> str:  # type: ignore[no-untyped-def]
    before = checksum(camp.path)
    with pytest.raises(InputError) as error:
        call()
    assert error.value.field == field, str(error.value)
    assert checksum(camp.path) == before
    return error.value.message


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_names_refuse_what_the_filter_refuses(savings, bad: str) -> None:  # type: ignore[no-untyped-def]
    t1, manager = savings.actor("t1"), savings.manager
    messages = [
        refused(savings, lambda: pockets.open_pocket(savings.db, savings.actor("s1"), "goal", bad), "name"),
        refused(savings, lambda: funds.open_fund(savings.db, t1, bad, "20", "2018-08-20"), "name"),
        refused(savings, lambda: circles.create(savings.db, manager, bad, ["s1", "s2"], "5", "2018-08-08"), "name"),
    ]
    assert all(" at character " in message for message in messages), messages


def test_what_a_fund_buys_is_free_text_on_one_line(savings) -> None:  # type: ignore[no-untyped-def]
    t1 = savings.actor("t1")
    fund = funds.open_fund(savings.db, t1, "Kayak", "1", "2018-08-20")
    message = refused(savings, lambda: funds.spend(savings.db, t1, fund, "a kayak\x1b[2J"), "description")
    assert "U+001B ESC" in message

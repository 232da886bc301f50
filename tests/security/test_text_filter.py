"""The input filter, the display guard and the formula guard of campbank.core.text, character by character."""

from __future__ import annotations

import pytest

from campbank.core.errors import InputError
from campbank.core.text import (
    check_secret,
    clean_name,
    clean_text,
    looks_like_formula,
    neutralise_formula,
    shown,
)

REFUSED_EVERYWHERE = {
    "NUL": "a\x00b",
    "BEL": "a\x07b",
    "ESC (OSC retitle)": "hi \x1b]0;pwned\x07",
    "ESC (clear screen)": "\x1b[2J",
    "DEL": "a\x7fb",
    "C1 CSI": "a\x9b31mb",
    "C1 NEL": "a\x85b",
    "CR": "a\rb",
    "right-to-left override": "invoice\u202egpj.exe",
    "left-to-right embedding": "a\u202ab",
    "first-strong isolate": "a\u2068b",
    "pop directional isolate": "a\u2069b",
    "line separator": "a\u2028b",
    "lone surrogate": "a\ud800b",
}


@pytest.mark.parametrize("text", REFUSED_EVERYWHERE.values(), ids=REFUSED_EVERYWHERE.keys())
def test_free_text_refuses_controls_escapes_overrides_and_surrogates(text: str) -> None:
    with pytest.raises(InputError) as refused:
        clean_text(text, field="description", max_length=500)
    assert refused.value.field == "description"
    assert "U+" in refused.value.message  # the character is named, by its code
    with pytest.raises(InputError):
        clean_text(text, field="text", max_length=500, multiline=True)
    with pytest.raises(InputError):
        clean_name(text, field="name", max_length=500)


def test_the_refusal_names_the_character_and_where_it_is() -> None:
    with pytest.raises(InputError) as refused:
        clean_text("thanks \x1b]0;x\x07", field="comment", max_length=100)
    assert str(refused.value) == (
        "comment: contains an escape character (U+001B ESC at character 8); "
        "control characters and escape sequences are not allowed"
    )


def test_tab_and_line_breaks_only_in_multiline_fields() -> None:
    assert clean_text("Soup\n\tand bread\r\nTea", field="text", max_length=100, multiline=True) == \
        "Soup\n\tand bread\nTea"
    for text in ("Soup\nbread", "Soup\tbread"):
        with pytest.raises(InputError, match="is one line"):
            clean_text(text, field="title", max_length=100)


def test_right_to_left_letters_and_marks_are_ordinary_text() -> None:
    assert clean_text("שלום \u200fمرحبا", field="description", max_length=100) == "שלום \u200fمرحبا"
    assert clean_name("Сидоров-Ибн Хаттаб", field="last_name", max_length=60) == "Сидоров-Ибн Хаттаб"
    assert clean_name("שרה", field="first_name", max_length=60) == "שרה"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200f"])
def test_names_refuse_invisible_characters_free_text_keeps_joiners(invisible: str) -> None:
    with pytest.raises(InputError, match="invisible character"):
        clean_name(f"iva{invisible}nov", field="username", max_length=32)
    if invisible in "\u200c\u200d":  # emoji sequences and Persian need the joiners
        assert clean_text(f"a{invisible}b", field="description", max_length=10) == f"a{invisible}b"


def test_markup_and_formulas_are_ordinary_text_at_input() -> None:
    for text in ("[/b]", "[link=x]y[/link]", "[bold red]", '=HYPERLINK("http://x","y")', "@SUM(A1)"):
        assert clean_text(text, field="description", max_length=100) == text


def test_length_limits_come_from_the_caller() -> None:
    with pytest.raises(InputError) as refused:
        clean_text("x" * 10_000, field="description", max_length=500)
    assert refused.value.message == "is 10,000 characters long; at most 500"
    with pytest.raises(InputError, match="is required"):
        clean_text("   ", field="title", max_length=80, required=True)
    with pytest.raises(InputError, match="must be text"):
        clean_text(12, field="description", max_length=80)


def test_a_password_refusal_never_repeats_the_password() -> None:
    check_secret("correct horse battery staple!")
    with pytest.raises(InputError) as refused:
        check_secret("s3cret\x1b[2Jpass")
    assert refused.value.field == "password"
    assert "s3cret" not in str(refused.value) and "2J" not in str(refused.value)


def test_shown_replaces_each_control_character_by_one_visible_character() -> None:
    stored = "hi \x1b]0;PWNED\x07\x1b[2J\x00\x7f\x9b\u202e\ud800 end"
    safe = shown(stored)
    assert len(safe) == len(stored)
    assert safe == "hi ␛]0;PWNED␇␛[2J␀␡\ufffd\ufffd\ufffd end"
    assert shown("line one\nline two") == "line one␊line two"
    assert shown("line one\n\tline two", multiline=True) == "line one\n\tline two"
    plain = "Ivanov [/b] =1"
    assert shown(plain) is plain


@pytest.mark.parametrize("cell", ["=1+2", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "  =HYPERLINK(\"x\")",
                                  "\n=1", "-", "+"])
def test_formula_looking_cells_are_neutralised(cell: str) -> None:
    assert looks_like_formula(cell)
    assert neutralise_formula(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-5", "-5.00", "12.50", "Squad 1", "a=b", "", "Ivanov"])
def test_numbers_and_ordinary_text_stay_as_they_are(cell: str) -> None:
    assert not looks_like_formula(cell)
    assert neutralise_formula(cell) == cell

"""sanitize_text: a table of nasty inputs, plus properties checked over random nasty strings."""

from __future__ import annotations

import random
import unicodedata

import pytest

from hotline.conversations.sanitize import sanitize_text

BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

CASES = [
    ("hello", "hello"),
    ("  hi there \n", "hi there"),
    ("", ""),
    ("   ", ""),
    # A leading "/" never reaches Rasa as a command.
    ("/restart", "restart"),
    (" /restart", "restart"),
    ('//intent{"a":1}', 'intent{"a":1}'),
    ("/ /restart", "restart"),
    ("\t/restart", "restart"),
    ("\u00a0/restart", "restart"),
    ("\u200b/restart", "restart"),
    ("\ufeff/restart", "restart"),
    ("\u202e/restart", "restart"),
    ("\x00/restart", "restart"),
    ("\r\n/stop", "stop"),
    ("///", ""),
    ("a/b and/or x/", "a/b and/or x/"),
    # Line breaks and tabs.
    ("a\r\nb", "a\nb"),
    ("a\rb", "a\nb"),
    ("a\u2028b", "a\nb"),
    ("a\tb", "a b"),
    ("line one\n\nline two", "line one\n\nline two"),
    # C0, DEL and C1 controls.
    ("a\x00b", "ab"),
    ("a\x1b[31mb", "a[31mb"),
    ("a\x07\x08b", "ab"),
    ("a\x7fb", "ab"),
    ("a\x85b\x9bc", "abc"),
    # Lone surrogates.
    ("a\ud800b\udfffc", "abc"),
    # Bidi embeddings, overrides and isolates go; marks and joiners stay.
    ("abc\u202edef", "abcdef"),
    ("\u2066x\u2069", "x"),
    ("\u202a\u202b\u202c\u202d\u2067\u2068y", "y"),
    ("مرحبا\u200fبك", "مرحبا\u200fبك"),
    ("क्\u200dष", "क्\u200dष"),
    ("می\u200cخواهم", "می\u200cخواهم"),
    ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),
    ("👋🏽 hi", "👋🏽 hi"),
    # NFC, also across a removed control character.
    ("e\u0301", "é"),
    ("e\x00\u0301", "é"),
    ("\u1100\u1161", "\uac00"),
    ("ภาษาไทย", "ภาษาไทย"),
    ("မြန်မာ", "မြန်မာ"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_table(raw: str, expected: str) -> None:
    assert sanitize_text(raw) == expected


def test_caps_length() -> None:
    assert sanitize_text("a" * 2000) == "a" * 1600
    assert sanitize_text("hello world", max_length=5) == "hello"
    assert sanitize_text("abcd efgh", max_length=5) == "abcd"
    assert sanitize_text("/" * 10 + "x" * 10, max_length=4) == "xxxx"
    assert sanitize_text("anything", max_length=0) == ""


def test_length_counts_characters_not_bytes() -> None:
    assert sanitize_text("ب" * 1700) == "ب" * 1600


def test_negative_max_length_is_an_error() -> None:
    with pytest.raises(ValueError):
        sanitize_text("x", max_length=-1)


NASTY = (
    "ab/ \t\r\n\x00\x01\x1b\x7f\x85\x9f\u00a0\u200b\u200c\u200d\u200e\u200f\u2028\u2029"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2060\ufeff\ud800\udc00"
    "e\u0301\u0301\u0645\u0631\u1100\u1161\u0e20\u0e32\U0001f44b\U0001f3fd{}\"'<>"
)


def _random_nasty_strings(count: int) -> list[str]:
    rng = random.Random(20240601)
    return ["".join(rng.choice(NASTY) for _ in range(rng.randint(0, 40))) for _ in range(count)]


@pytest.mark.parametrize("raw", _random_nasty_strings(400))
def test_properties(raw: str) -> None:
    clean = sanitize_text(raw, max_length=25)
    assert len(clean) <= 25
    assert not clean.startswith("/")
    assert clean == clean.strip()
    assert not BIDI_CONTROLS & set(clean)
    assert all(c == "\n" or unicodedata.category(c) != "Cc" for c in clean)
    assert "\ufeff" not in clean
    assert not any("\ud800" <= c <= "\udfff" for c in clean)
    clean.encode("utf-8")  # no lone surrogate survives
    assert unicodedata.is_normalized("NFC", clean)
    assert sanitize_text(clean, max_length=25) == clean  # idempotent

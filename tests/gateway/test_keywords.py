"""match_keyword: whole-message, case-insensitive, data-driven keywords."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.conversations.keywords import (
    KEYWORDS_DIR,
    Keyword,
    KeywordTable,
    is_emergency,
    match_keyword,
    read_keyword_files,
)

CASES = [
    ("STOP", Keyword.STOP),
    ("stop", Keyword.STOP),
    ("Stop.", Keyword.STOP),
    ("  stop!! ", Keyword.STOP),
    ('"STOP"', Keyword.STOP),
    ("stop ✋️", Keyword.STOP),
    ("StopAll", Keyword.STOP),
    ("unsubscribe", Keyword.STOP),
    ("Cancel", Keyword.STOP),
    ("END", Keyword.STOP),
    ("quit", Keyword.STOP),
    ("СТОП", Keyword.STOP),
    ("start", Keyword.START),
    ("UNSTOP", Keyword.START),
    ("help", Keyword.HELP),
    ("Info?", Keyword.HELP),
    ("¿Ayuda?", Keyword.HELP),
    ("menu", Keyword.MENU),
    ("Menú", Keyword.MENU),
    ("MENU\u0301", Keyword.MENU),  # decomposed accent: NFC first
    ("person", Keyword.PERSON),
    ("PERSONA", Keyword.PERSON),
    # Not keywords: more than the word, or nothing at all.
    ("don't stop", None),
    ("stop please", None),
    ("help me", None),
    ("I need help", None),
    ("stopp", None),
    ("s t o p", None),
    ("", None),
    ("  ...  ", None),
    ("yes", None),
    ("1", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_match(text: str, expected: Keyword | None) -> None:
    assert match_keyword(text) is expected


@pytest.mark.parametrize("text", ["YES", "yes", "Yes!"])
def test_yes_is_start_only_when_opted_out(text: str) -> None:
    assert match_keyword(text) is None
    assert match_keyword(text, opted_out=True) is Keyword.START


@pytest.mark.parametrize(("text", "expected"), [(t, k) for t, k in CASES if k is not None])
def test_opted_out_changes_nothing_else(text: str, expected: Keyword) -> None:
    assert match_keyword(text, opted_out=True) is expected


def test_twilio_words_are_all_there() -> None:
    for word in ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]:
        assert match_keyword(word) is Keyword.STOP
    for word in ["START", "UNSTOP"]:
        assert match_keyword(word) is Keyword.START
    for word in ["HELP", "INFO"]:
        assert match_keyword(word) is Keyword.HELP


def test_every_word_in_the_data_file_matches_its_keyword() -> None:
    data = read_keyword_files(KEYWORDS_DIR)
    assert {k.value for k in Keyword} <= set(data)
    for name, by_language in data.items():
        for language, words in by_language.items():
            for word in words:
                if name == "negations":
                    assert not is_emergency(word), (language, word)
                elif name == "start_if_opted_out":
                    assert match_keyword(word, opted_out=True) is Keyword.START, (language, word)
                elif name == "emergency":
                    assert is_emergency(word), (language, word)
                    assert is_emergency(f"please, {word.upper()}!!"), (language, word)
                else:
                    assert match_keyword(word) is Keyword(name), (language, word)
                    assert match_keyword(f" {word.lower()}! ") is Keyword(name), (language, word)


def _table(tmp_path: Path, text: str, **more: str) -> KeywordTable:
    for code, content in {"en": text, **more}.items():
        (tmp_path / f"{code}.yml").write_text(content, encoding="utf-8")
    return KeywordTable.from_directory(tmp_path)


def test_a_new_language_is_only_data(tmp_path: Path) -> None:
    table = _table(tmp_path, "stop: [STOP]\n", de="stop: [HALT]\nhelp: [HILFE]\n")
    assert table.match("halt!") is Keyword.STOP
    assert table.match("Hilfe") is Keyword.HELP


@pytest.mark.parametrize(
    "text",
    [
        "stop: [STOP]\nhelp: [stop]\n",  # one word, two keywords
        "start_if_opted_out: ['HELP']\nhelp: [HELP]\n",
        "shout: [HEY]\n",  # unknown keyword
        "start_if_opted_out: [YES]\n",  # bare YES is a YAML boolean
        "stop: STOP\n",  # not a list
        "stop: ['...']\n",  # nothing left after normalising
        "- stop\n",
    ],
)
def test_bad_data_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ValueError):
        _table(tmp_path, text)


def test_one_word_for_two_keywords_in_two_languages_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        _table(tmp_path, "stop: [STOP]\n", de="help: [stop]\n")


@pytest.mark.parametrize(
    "text",
    ["Help me now!", "HE IS COMING", "i'm in danger", "please, they are hurting me", "SOS"],
)
def test_emergency_phrases_are_found_anywhere_in_a_message(text: str) -> None:
    assert is_emergency(text)


def test_a_negation_right_before_an_emergency_phrase_cancels_it(tmp_path: Path) -> None:
    table = _table(tmp_path, "stop: [STOP]\n", ro="emergency: [sunt in pericol]\nnegations: [nu]\n")
    assert not table.is_emergency("Nu sunt in pericol, multumesc")
    assert table.is_emergency("sunt in pericol!")
    assert table.is_emergency("nu stiu, sunt in pericol")  # the negation is not right before


@pytest.mark.parametrize(
    "text",
    ["no estoy en peligro", "não estou em perigo", "nu sunt în pericol"],
)
def test_the_real_negations_cancel_the_real_phrases(text: str) -> None:
    assert not is_emergency(text)


@pytest.mark.parametrize(
    "text", ["a dangerous job", "is he coming to dinner?", "sosa", "help", "delete"]
)
def test_ordinary_words_are_not_emergencies(text: str) -> None:
    assert not is_emergency(text)


def test_delete_is_a_keyword_only_as_a_whole_message() -> None:
    assert match_keyword("Delete") is Keyword.DELETE
    assert match_keyword("delete my data") is Keyword.DELETE
    assert match_keyword("how do I delete this chat") is None

"""The LANGUAGE keyword, in every supported language."""

from __future__ import annotations

import pytest

from bot.languages import supported_codes
from hotline.conversations.keywords import KEYWORDS_DIR, Keyword, match_keyword, read_keyword_files


def test_every_supported_language_has_a_language_word():
    words = read_keyword_files(KEYWORDS_DIR)["language"]
    assert all(words.get(code) for code in supported_codes())


@pytest.mark.parametrize(
    "text",
    [
        "LANGUAGE",
        "language.",
        "Idioma",
        "langue",
        "اللغة",
        "язык",
        "мова",
        "limba",
        "wika",
        "भाषा",
        "ภาษา",
        "ngôn ngữ",
        "ngon ngu",
    ],
)
def test_the_language_word_is_a_keyword(text):
    assert match_keyword(text) is Keyword.LANGUAGE


def test_a_sentence_with_the_word_is_not_the_keyword():
    assert match_keyword("what language do you speak") is None

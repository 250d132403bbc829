"""The LANGUAGE keyword, in every supported language."""

from __future__ import annotations

import pytest
import yaml

from bot.languages import supported_codes
from hotline.conversations.keywords import KEYWORDS_FILE, Keyword, match_keyword


def test_every_supported_language_has_a_language_word():
    words = yaml.safe_load(KEYWORDS_FILE.read_text(encoding="utf-8"))["language"]
    assert set(supported_codes()) <= set(words)


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

"""Deterministic keywords (STOP, START, HELP, MENU, PERSON): whole-message matches, never ML.

The words per language are data in hotline/content/keywords.yml.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

KEYWORDS_FILE = Path(__file__).resolve().parent.parent / "content" / "keywords.yml"
# Words that mean START only for a contact who has opted out (Twilio treats YES as opt-in).
_START_IF_OPTED_OUT = "start_if_opted_out"


class Keyword(Enum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    MENU = "menu"
    PERSON = "person"


def _is_edge_noise(char: str) -> bool:
    # Punctuation, symbols (emoji), separators, controls/format chars, variation selectors.
    return unicodedata.category(char)[0] in "PSZC" or "\ufe00" <= char <= "\ufe0f"


def normalize_word(text: str) -> str:
    """The form both keywords and messages are compared in."""
    text = unicodedata.normalize("NFC", text).casefold()
    start, end = 0, len(text)
    while start < end and _is_edge_noise(text[start]):
        start += 1
    while end > start and _is_edge_noise(text[end - 1]):
        end -= 1
    return " ".join(text[start:end].split())


@dataclass(frozen=True)
class KeywordTable:
    words: Mapping[str, Keyword]
    opted_out_words: Mapping[str, Keyword]

    @classmethod
    def from_yaml(cls, path: Path) -> KeywordTable:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of keyword -> language -> words")
        words: dict[str, Keyword] = {}
        opted_out_words: dict[str, Keyword] = {}
        for name, by_language in data.items():
            if name == _START_IF_OPTED_OUT:
                keyword, table = Keyword.START, opted_out_words
            else:
                try:
                    keyword, table = Keyword(name), words
                except ValueError:
                    raise ValueError(f"{path}: unknown keyword {name!r}") from None
            for word in _words_of(path, name, by_language):
                _add(path, table, word, keyword)
        for word, keyword in opted_out_words.items():
            if words.get(word, keyword) is not keyword:
                raise ValueError(f"{path}: {word!r} is both {keyword.name} and {words[word].name}")
        return cls(words=words, opted_out_words=opted_out_words)

    def match(self, text: str, *, opted_out: bool = False) -> Keyword | None:
        word = normalize_word(text)
        if not word:
            return None
        keyword = self.words.get(word)
        if keyword is None and opted_out:
            keyword = self.opted_out_words.get(word)
        return keyword


def _words_of(path: Path, name: str, by_language: Any) -> list[str]:
    if not isinstance(by_language, dict):
        raise ValueError(f"{path}: {name} must map language codes to lists of words")
    found: list[str] = []
    for language, words in by_language.items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"{path}: {name}.{language} must be a list of words")
        found.extend(words)
    return found


def _add(path: Path, table: dict[str, Keyword], word: str, keyword: Keyword) -> None:
    normalized = normalize_word(word)
    if not normalized:
        raise ValueError(f"{path}: {keyword.name} has an empty word {word!r}")
    if table.setdefault(normalized, keyword) is not keyword:
        raise ValueError(f"{path}: {word!r} is both {keyword.name} and {table[normalized].name}")


@lru_cache(maxsize=1)
def default_keyword_table() -> KeywordTable:
    return KeywordTable.from_yaml(KEYWORDS_FILE)


def match_keyword(text: str, *, opted_out: bool = False) -> Keyword | None:
    """The keyword `text` is, as a whole message, or None."""
    return default_keyword_table().match(text, opted_out=opted_out)

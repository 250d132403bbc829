"""Deterministic keywords, never ML: whole-message words (STOP, START, HELP, MENU, PERSON,
DELETE, LANGUAGE) and emergency phrases found anywhere in a message ("help me now", "he is coming").

The words and phrases are data, one file per language: hotline/content/keywords/<code>.yml
(rules in the README there).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

KEYWORDS_DIR = Path(__file__).resolve().parent.parent / "content" / "keywords"
# Words that mean START only for a contact who has opted out (Twilio treats YES as opt-in).
_START_IF_OPTED_OUT = "start_if_opted_out"
_EMERGENCY = "emergency"
# Words that cancel an emergency phrase they come right before: "nu sunt in pericol" is
# "I am NOT in danger" in Romanian, where the negation comes first.
_NEGATIONS = "negations"


class Keyword(Enum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    MENU = "menu"
    PERSON = "person"
    DELETE = "delete"
    LANGUAGE = "language"


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


def _phrase_form(text: str) -> str:
    """Lower case, punctuation as spaces, single spaces: "I'm in DANGER!!" → "i m in danger"."""
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join("".join(" " if _is_edge_noise(c) else c for c in text).split())


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    # Whole words where the script separates words with spaces; inside a run of Thai,
    # Burmese and similar scripts there are no word boundaries to look for.
    spaced = any(c.isalpha() and ord(c) < 0x0E00 for c in phrase)
    body = re.escape(phrase)
    return re.compile(rf"(?<!\w){body}(?!\w)" if spaced else body)


@dataclass(frozen=True)
class KeywordTable:
    words: Mapping[str, Keyword]
    opted_out_words: Mapping[str, Keyword]
    emergency_phrases: tuple[re.Pattern[str], ...] = ()
    negations: frozenset[str] = frozenset()
    # The languages each word (keyword or emergency phrase form) belongs to.
    word_languages: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_directory(cls, directory: Path) -> KeywordTable:
        """From <code>.yml files, each a mapping keyword -> words."""
        return cls.from_data(read_keyword_files(directory), directory)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], path: Path) -> KeywordTable:
        """From a mapping keyword -> language -> words (`path` names the source in errors)."""
        words: dict[str, Keyword] = {}
        opted_out_words: dict[str, Keyword] = {}
        emergency: list[re.Pattern[str]] = []
        languages: dict[str, set[str]] = {}
        negations: set[str] = set()
        for name, by_language in data.items():
            for code, entries in (
                (by_language or {}).items() if isinstance(by_language, dict) else ()
            ):
                for entry in entries if isinstance(entries, list) else ():
                    if isinstance(entry, str):
                        languages.setdefault(normalize_word(entry), set()).add(code)
            if name == _NEGATIONS:
                negations.update(_phrase_form(word) for word in _words_of(path, name, by_language))
                continue
            if name == _EMERGENCY:
                for phrase in _words_of(path, name, by_language):
                    if not _phrase_form(phrase):
                        raise ValueError(f"{path}: empty emergency phrase {phrase!r}")
                    emergency.append(_phrase_pattern(_phrase_form(phrase)))
                continue
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
        return cls(
            words=words,
            opted_out_words=opted_out_words,
            emergency_phrases=tuple(emergency),
            negations=frozenset(negations),
            word_languages={word: frozenset(codes) for word, codes in languages.items()},
        )

    def match(self, text: str, *, opted_out: bool = False) -> Keyword | None:
        word = normalize_word(text)
        if not word:
            return None
        keyword = self.words.get(word)
        if keyword is None and opted_out:
            keyword = self.opted_out_words.get(word)
        return keyword

    def language_of(self, text: str) -> str | None:
        """The language whose keyword `text` is, when only one language has that word."""
        codes = self.word_languages.get(normalize_word(text), frozenset())
        return next(iter(codes)) if len(codes) == 1 else None

    def is_emergency(self, text: str) -> bool:
        form = _phrase_form(text)
        for pattern in self.emergency_phrases:
            for found in pattern.finditer(form):
                before = form[: found.start()].split()
                if not (before and before[-1] in self.negations):
                    return True
        return False


def read_keyword_files(directory: Path) -> dict[str, dict[str, list[str]]]:
    """keyword -> language -> words, from the directory's <code>.yml files."""
    merged: dict[str, dict[str, list[str]]] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of keyword -> words")
        for name, words in data.items():
            merged.setdefault(name, {})[path.stem] = words or []
    return merged


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
    return KeywordTable.from_directory(KEYWORDS_DIR)


def match_keyword(text: str, *, opted_out: bool = False) -> Keyword | None:
    """The keyword `text` is, as a whole message, or None."""
    return default_keyword_table().match(text, opted_out=opted_out)


def keyword_language(text: str) -> str | None:
    """The one language whose keyword the whole message is ("AYUDA" → es), else None."""
    return default_keyword_table().language_of(text)


def is_emergency(text: str) -> bool:
    """Whether the message contains an emergency phrase, anywhere in it."""
    return default_keyword_table().is_emergency(text)

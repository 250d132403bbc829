"""A Rasa tokenizer for every script, including the ones written without spaces between words.

    pipeline:
      - name: bot.nlu_normaliser.TextNormaliser
      - name: bot.tokenizer.ScriptTokenizer

Rasa's WhitespaceTokenizer refuses Thai and leaves a whole Burmese sentence as one "word". This
tokenizer first splits on spaces exactly as the WhitespaceTokenizer does (same options), then
cuts every run of characters whose Unicode script is written without spaces (THAI, LAO, KHMER,
MYANMAR, CJK, ...: the `unspaced_scripts` option) into words:

- THAI: the dictionary word segmenter of PyThaiNLP ("newmm", with its bundled dictionary,
  offline); without PyThaiNLP, grapheme clusters.
- MYANMAR: syllables, by the rule-based syllable break of Burmese orthography (no dictionary).
- any other unspaced script: grapheme clusters (one CJK character, one Khmer or Lao cluster);
  the character n-gram featurizer then sees its words.

The choice is made per run, by the script of its characters, never by the language code: one
model serves every language, and a Thai word inside a Latin sentence is still cut into words.
Token offsets always point into the message text.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import regex
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.scripts import UNSPACED_SCRIPTS, script_of

log = logging.getLogger(__name__)

_ZERO_WIDTH_SPACE = "\u200b"
_GRAPHEME = regex.compile(r"\X")

# Burmese syllable break (after Ye Kyaw Thu's "sylbreak"): a syllable starts at a consonant
# that is neither stacked under the previous one (preceded by ္) nor killed (followed by ် or
# ္), or at an independent vowel, digit, or symbol.
_MYANMAR_BREAK = regex.compile(
    r"(?<!\u1039)[\u1000-\u1021](?![\u103a\u1039])"
    r"|[\u1023-\u102a\u103f\u104c-\u104f\u1040-\u1049\u104a\u104b]"
)


def _script_runs(word: str, unspaced: frozenset[str]) -> Iterator[tuple[int, int, bool]]:
    """(start, end, unspaced?) for the runs of `word`; marks stay with their base character."""
    start, current = 0, None
    for index, char in enumerate(word):
        if char == _ZERO_WIDTH_SPACE:
            if current is not None and index > start:
                yield start, index, current
            start, current = index + 1, None
            continue
        if unicodedata.category(char).startswith("M") and current is not None:
            continue
        kind = script_of(char) in unspaced
        if current is None:
            current, start = kind, index
        elif kind != current:
            yield start, index, current
            start, current = index, kind
    if current is not None and start < len(word):
        yield start, len(word), current


def _graphemes(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _GRAPHEME.finditer(text)]


def _myanmar_syllables(text: str) -> list[tuple[int, int]]:
    starts = sorted({0, *(match.start() for match in _MYANMAR_BREAK.finditer(text))})
    return [(a, b) for a, b in zip(starts, [*starts[1:], len(text)], strict=True) if a < b]


@lru_cache(maxsize=1)
def _thai_word_tokenize() -> Callable[[str], list[str]] | None:
    try:
        from pythainlp.tokenize import word_tokenize
    except ImportError:  # pragma: no cover - PyThaiNLP is a dependency; kept optional here
        log.warning("PyThaiNLP not installed: Thai is cut into grapheme clusters")
        return None
    return lambda text: word_tokenize(text, engine="newmm", keep_whitespace=False)


def _thai_words(text: str) -> list[tuple[int, int]]:
    tokenize = _thai_word_tokenize()
    if tokenize is None:
        return _graphemes(text)
    spans, offset = [], 0
    for word in tokenize(text):
        start = text.find(word, offset)
        if start < 0:  # a segmenter that altered the text: be safe, use clusters
            return _graphemes(text)
        spans.append((start, start + len(word)))
        offset = start + len(word)
    return spans


_SEGMENTERS: dict[str, Callable[[str], list[tuple[int, int]]]] = {
    "THAI": _thai_words,
    "MYANMAR": _myanmar_syllables,
}


def segment(text: str, unspaced_scripts: tuple[str, ...] = UNSPACED_SCRIPTS) -> list[str]:
    """The words of one space-free piece of text (for tests and tools)."""
    return [text[a:b] for a, b in _split_word(text, frozenset(unspaced_scripts))]


def _split_word(word: str, unspaced: frozenset[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for start, end, is_unspaced in _script_runs(word, unspaced):
        if not is_unspaced:
            spans.append((start, end))
            continue
        run = word[start:end]
        segmenter = _SEGMENTERS.get(script_of(run[0]), _graphemes)
        spans.extend((start + a, start + b) for a, b in segmenter(run) if run[a:b].strip())
    return spans


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ScriptTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer, plus word segmentation for scripts written without spaces."""

    @staticmethod
    def not_supported_languages() -> list[str] | None:
        return None

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **WhitespaceTokenizer.get_default_config(),
            "unspaced_scripts": list(UNSPACED_SCRIPTS),
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.unspaced = frozenset(
            str(script).upper() for script in self._config.get("unspaced_scripts") or ()
        )
        if "THAI" in self.unspaced:
            # Load the segmenter's dictionary now (~1 s), not while a texter's first Thai
            # message waits and every message queued behind it on Rasa's event loop.
            _thai_words("ไทย")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScriptTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        if not self.unspaced:
            return tokens
        result: list[Token] = []
        for token in tokens:
            spans = _split_word(token.text, self.unspaced)
            if len(spans) <= 1 and (not spans or spans[0] == (0, len(token.text))):
                result.append(token)
                continue
            for start, end in spans:
                result.append(Token(token.text[start:end], token.start + start))
        return result

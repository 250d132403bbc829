"""Rasa's lookup-table entity extractor, with word boundaries taken from the tokenizer.

RegexEntityExtractor marks word edges with the regex `\\b`, which misses them in two kinds of
script: Thai and Burmese have no spaces between words (no edge is ever found), and Devanagari
words that end in a vowel sign ("सहायता") never end at a `\\b`, since Python does not count
the sign as a word character. So help categories, rights topics and kinds of offer were not
found in Thai, Burmese and Nepali texts, and the flows asked for them again.

This extractor matches the lookup tables without `\\b` and keeps a match where each of its two
ends is a word edge, for `\\b` or for the tokenizer: the ScriptTokenizer's words know every
script. "job" is still not found inside "jobs" or "jobless".
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.regex_entity_extractor import RegexEntityExtractor
from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message

_WORD_EDGE = re.compile(r"\b")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class TokenEntityExtractor(RegexEntityExtractor):
    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        # Edges come from the tokens; `\b` in the patterns would hide the matches to judge.
        super().__init__({**config, "use_word_boundaries": False}, *args, **kwargs)

    def _extract_entities(self, message: Message) -> list[dict[str, Any]]:
        text = message.get(TEXT) or ""
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        starts = {token.start for token in tokens}
        ends = {token.end for token in tokens}

        def edge(position: int, token_edges: set[int]) -> bool:
            return position in token_edges or bool(_WORD_EDGE.match(text, position))

        return [
            entity
            for entity in super()._extract_entities(message)
            if edge(entity[ENTITY_ATTRIBUTE_START], starts)
            and edge(entity[ENTITY_ATTRIBUTE_END], ends)
        ]

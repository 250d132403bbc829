"""NLU components of our own (config.yml: `- name: bot.nlu.NumberAnswers`).

NumberAnswers: a message that is only a number is an answer, never left to machine learning.
"0" means skip (CONTENT.md: every question can be skipped with 0); any other number is an age
(the screening's age question also takes "16"). Numbers that pick a shown option ("1", "2")
never get here: the gateway turns them into the option's payload first. Digits of any script
count ("٠" is 0). Runs after the FallbackClassifier, so a number is never "not understood".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

SKIP_INTENT = "skip"
AGE_INTENT = "inform_age"
_NUMBER = re.compile(r"^[\W_]*(\d+)[\W_]*$")


def number_answer(text: str) -> str | None:
    """The intent a message that is only a number stands for, or None."""
    match = _NUMBER.match((text or "").strip())
    if not match:
        return None
    value = int("".join(str(unicodedata.decimal(char)) for char in match.group(1)))
    return SKIP_INTENT if value == 0 else AGE_INTENT


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class NumberAnswers(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NumberAnswers:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = number_answer(message.get(TEXT) or "")
            if intent is None:
                continue
            chosen = {INTENT_NAME_KEY: intent, "confidence": 1.0}
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen], add_to_output=True)
        return messages

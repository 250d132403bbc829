"""A Rasa NLU component that normalises the text before it is tokenized (bot/normalise.py):
Zawgyi → Unicode Burmese, Arabic spelling variants, digits of every script, full-width forms.

    pipeline:
      - name: bot.nlu_normaliser.TextNormaliser   # first, before the tokenizer
      - name: bot.tokenizer.ScriptTokenizer

It rewrites the message text in training and at prediction, so both see the same spelling.
(The gateway applies the same normalisation before a message reaches Rasa; doing it again is a
no-op.) Registered as a featurizer-type component because Rasa 3.6's default recipe runs only
tokenizers and featurizers over the training data; it adds no features.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.normalise import normalise_text


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TextNormaliser(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormaliser:
        return cls()

    @staticmethod
    def _normalise(message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text:
            normalised = normalise_text(text)
            if normalised != text:
                message.set(TEXT, normalised)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalise(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message)
        return messages

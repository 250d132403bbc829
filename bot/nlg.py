"""Rasa's response generator for Safeline: localised, in-process, never silent.

Configured in endpoints.yml as `nlg: type: bot.nlg.LocalisedNLG`. Rasa constructs it as
`LocalisedNLG(endpoint_config=..., domain=...)` (rasa/core/nlg/generator.py) and, when a model
is loaded, replaces `self.responses` with the model's domain responses.

Compared with Rasa's TemplatedNaturalLanguageGenerator it
- renders in the conversation's language (the `language` slot when the domain has one, else
  the `language` in the latest message's metadata, else English) through bot/responses.py, and
- fills the configured placeholders `{emergency_text}` and `{hotline_text}` as well as slots,
- fills the directory's placeholders ({country_name}, {help_entries}, ...) from the slots'
  codes, in the conversation's language (bot/directory.py), so slots never hold words.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import directory
from bot.responses import DEFAULT_LANGUAGE, LOCALE_DIR, config_placeholders, localise

log = logging.getLogger(__name__)

LANGUAGE_SLOT = "language"


def conversation_language(tracker: DialogueStateTracker) -> str:
    """The language to answer in: slot, then latest message metadata, then English."""
    slot = tracker.slots.get(LANGUAGE_SLOT)
    if slot is not None and isinstance(slot.value, str) and slot.value:
        return slot.value
    latest = tracker.latest_message
    metadata = getattr(latest, "metadata", None) or {}
    language = metadata.get("language") if isinstance(metadata, dict) else None
    if isinstance(language, str) and language:
        return language
    return DEFAULT_LANGUAGE


class LocalisedNLG(TemplatedNaturalLanguageGenerator):
    """Templated responses from the domain, translated and with every placeholder filled."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        domain: Domain | None = None,
        **_kwargs: Any,
    ) -> None:
        super().__init__(domain.responses if domain is not None else {})
        self.endpoint_config = endpoint_config
        kwargs = (endpoint_config.kwargs or {}) if endpoint_config is not None else {}
        self.locale_dir = kwargs.get("locale_dir") or LOCALE_DIR

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        language = kwargs.pop("language", None) or conversation_language(tracker)
        return self.generate_from_slots(
            utter_action,
            tracker.current_slot_values(),
            output_channel,
            language=language,
            **kwargs,
        )

    def generate_from_slots(
        self,
        utter_action: str,
        filled_slots: dict[str, Any],
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        language = kwargs.pop("language", None) or DEFAULT_LANGUAGE
        response = self._random_response_for(utter_action, output_channel, filled_slots)
        if response is None:
            log.debug("no response named %r for channel %r", utter_action, output_channel)
            return None
        values: dict[str, Any] = config_placeholders(None, language, self.locale_dir)
        values.update({name: value for name, value in filled_slots.items() if value is not None})
        values.update(directory_placeholders(filled_slots, language))
        values.update(kwargs)
        return localise(response, language, values, self.locale_dir, utter_action)


def directory_placeholders(slots: dict[str, Any], language: str) -> dict[str, str]:
    """The directory's words for the conversation's codes (slots country, help_category,
    rights_topic), in `language`: country name, entries, the country's rights note."""
    country = slots.get("country")
    values = {
        "country_name": directory.country_name(country, language),
        "help_entries": directory.lines(
            directory.help_entries(country, slots.get("help_category"))[1]
        ),
        "rights_helpers": directory.lines(
            directory.rights_helpers(country, slots.get("rights_topic"))
        ),
        "child_contacts": directory.lines(directory.child_contacts(country)),
    }
    note = directory.rights_note(country, slots.get("rights_topic"), language)
    if note is not None:
        values["rights_note"] = note.text[language]
        values["rights_note_source"] = directory.source_label(note.source or "")
    return values

"""Every message the assistant or the gateway can send keeps the content rules (CONTENT.md).

Over all of domain.yml and hotline/content/service_messages.yml, rendered as the texter gets
them (placeholders filled with the default configuration and long example values, options
appended as numbered lines):
at most 2 SMS segments, GSM-7 only for English (no emoji, curly quotes, long dashes or costly
extension characters), nothing alarming in the lock-screen preview, every placeholder filled,
and no blank line (Rasa's REST channel would split the message there).
"""

from __future__ import annotations

import pytest

from bot.catalog_check import sample_values
from bot.responses import (
    DEFAULT_EMERGENCY_TEXT,
    DEFAULT_HOTLINE_TEXT,
    DOMAIN_FILE,
    SERVICE_MESSAGES_FILE,
    ResponseBook,
    load_responses,
)
from hotline.channels.sms_format import format_for_sms, message_problems, sms_segments

BOOK = ResponseBook([DOMAIN_FILE, SERVICE_MESSAGES_FILE], env={})
# Long real-world values for every placeholder (shared with the every-language gate).
LONGEST_VALUES = sample_values("en")
ALL_VARIATIONS = [
    (name, index, variation)
    for path in (DOMAIN_FILE, SERVICE_MESSAGES_FILE)
    for name, variations in load_responses(path).items()
    for index, variation in enumerate(variations)
]


def sms_body(variation: dict) -> str:
    book = ResponseBook.from_responses({"r": [variation]}, env={})
    rendered = book.render("r", **LONGEST_VALUES)
    return format_for_sms(rendered["text"], rendered["buttons"])[0]


def test_there_is_something_to_check():
    names = {name for name, _, _ in ALL_VARIATIONS}
    assert {"utter_intro_safety", "utter_handoff", "utter_keyword_help"} <= names
    assert len(ALL_VARIATIONS) >= 15


@pytest.mark.parametrize(
    ("name", "index", "variation"),
    ALL_VARIATIONS,
    ids=[f"{name}[{index}]" for name, index, _ in ALL_VARIATIONS],
)
def test_every_response_keeps_the_sms_rules(name, index, variation):
    body = sms_body(variation)
    assert message_problems(body, gsm7_language=True) == [], body
    encoding, segments = sms_segments(body)
    assert encoding == "GSM-7" and segments <= 2
    assert len(body) <= 306
    assert "{" not in body and "}" not in body, f"unfilled placeholder in {name}: {body}"
    assert "\n\n" not in variation.get("text", ""), "a blank line splits the message in Rasa"


@pytest.mark.parametrize("name", BOOK.names())
def test_every_option_has_a_payload_and_a_short_title(name):
    for button in BOOK.render(name, **LONGEST_VALUES)["buttons"]:
        assert button["payload"].startswith("/"), button
        assert 0 < len(button["title"]) <= 40, button


def test_the_default_configuration_texts_keep_the_rules_too():
    assert message_problems(DEFAULT_EMERGENCY_TEXT) == []
    assert message_problems(DEFAULT_HOTLINE_TEXT) == []

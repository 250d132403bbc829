"""The model understands the texters' words in the test stories (`rasa test core` does not
check intents, only actions), and a few held-out messages it was not trained on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

STORIES_DIR = Path(__file__).resolve().parents[1] / "stories"


# An entity annotation in a test story: "[shelter]{...}" or "[shelter](help_category)".
_ANNOTATION = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")


def story_messages() -> list[tuple[str, str]]:
    messages = set()
    for path in sorted(STORIES_DIR.glob("*.yml")):
        for story in yaml.safe_load(path.read_text())["stories"]:
            for step in story["steps"]:
                text = _ANNOTATION.sub(r"\1", (step.get("user") or "").strip())
                if text and not text.startswith("/"):
                    messages.add((text, step["intent"]))
    return sorted(messages)


# Not in data/nlu: how people might really answer, to catch a model that only memorised.
HELD_OUT = [
    ("helloo", "greet"),
    ("good evening sir", "greet"),
    ("yes its ok", "affirm"),
    ("ya i can", "affirm"),
    ("nope not that", "deny"),
    ("i cant talk right now", "not_safe_now"),
    ("not safe here", "not_safe_now"),
    ("i need to speak with someone please", "request_human"),
    ("can i talk to a lawyer", "request_human"),
    ("show me the menu pls", "show_menu"),
    ("is it free", "about_service"),
    ("who is reading my messages", "about_service"),
    ("thank you very much sister", "thank"),
    ("ok bye bye", "goodbye"),
    ("my boss took my passport and wont give it back", "something_wrong"),
    ("i cant go out of the house", "something_wrong"),
    ("they said i have a debt to pay", "something_wrong"),
    ("smthg is wrong here", "something_wrong"),
    ("they didnt pay me for 2 months", "something_wrong"),
    ("is this job offer a scam", "check_offer"),
    ("agency wants 2000 dollars for the visa", "check_offer"),
    ("what rights do i have here", "know_rights"),
    ("where can i find some help", "find_help"),
    ("i am in kuwait", "inform_country"),
    ("i am in bahrain now", "inform_country"),
    ("pls skip", "skip"),
    ("no idea really", "dont_know"),
    ("show me more", "more"),
    ("im 16 years old", "inform_age"),
    ("other country pls", "change_country"),
    ("tips for working abroad", "before_you_go"),
]


def parse(agent, loop, text: str) -> dict:
    return loop.run_until_complete(agent.parse_message(text))


@pytest.mark.parametrize(("text", "intent"), story_messages())
def test_the_words_in_the_test_stories_are_understood(agent, event_loop_for_agent, text, intent):
    assert parse(agent, event_loop_for_agent, text)["intent"]["name"] == intent


@pytest.mark.parametrize(("text", "intent"), HELD_OUT)
def test_held_out_messages_are_understood(agent, event_loop_for_agent, text, intent):
    assert parse(agent, event_loop_for_agent, text)["intent"]["name"] == intent

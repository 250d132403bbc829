"""The model understands the texters' words in the test stories (`rasa test core` does not
check intents, only actions), and a few held-out messages it was not trained on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

STORIES_DIR = Path(__file__).resolve().parents[1] / "stories"


def story_messages() -> list[tuple[str, str]]:
    messages = set()
    for path in sorted(STORIES_DIR.glob("*.yml")):
        for story in yaml.safe_load(path.read_text())["stories"]:
            for step in story["steps"]:
                text = (step.get("user") or "").strip()
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
]


def parse(agent, loop, text: str) -> dict:
    return loop.run_until_complete(agent.parse_message(text))


@pytest.mark.parametrize(("text", "intent"), story_messages())
def test_the_words_in_the_test_stories_are_understood(agent, event_loop_for_agent, text, intent):
    assert parse(agent, event_loop_for_agent, text)["intent"]["name"] == intent


@pytest.mark.parametrize(("text", "intent"), HELD_OUT)
def test_held_out_messages_are_understood(agent, event_loop_for_agent, text, intent):
    assert parse(agent, event_loop_for_agent, text)["intent"]["name"] == intent

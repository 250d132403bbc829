"""The misunderstanding counter (actions/actions.py), without an action server."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionCountMisunderstandings, consecutive_misunderstandings


def user(intent: str) -> dict:
    return {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}}}


def action(name: str) -> dict:
    return {"event": "action", "name": name}


LISTEN = action("action_listen")
COUNT = action("action_count_misunderstandings")


def test_the_first_misunderstanding_counts_one():
    events = [
        action("action_session_start"),
        {"event": "session_started"},
        LISTEN,
        user("greet"),
        action("utter_intro_safety"),
        LISTEN,
        user("nlu_fallback"),
    ]
    assert consecutive_misunderstandings(events) == 1


def test_misunderstandings_in_a_row_add_up_whatever_answered_them():
    events = [
        LISTEN,
        user("affirm"),
        action("utter_main_menu"),
        LISTEN,
        user("out_of_scope"),
        COUNT,
        action("utter_did_not_understand"),
        LISTEN,
        user("nlu_fallback"),
        COUNT,
        action("utter_fallback_options"),
        LISTEN,
        user("nlu_fallback"),
    ]
    assert consecutive_misunderstandings(events) == 3


def test_an_understood_message_ends_the_run():
    events = [
        LISTEN,
        user("nlu_fallback"),
        COUNT,
        action("utter_did_not_understand"),
        LISTEN,
        user("show_menu"),
        action("utter_main_menu"),
        LISTEN,
        user("nlu_fallback"),
    ]
    assert consecutive_misunderstandings(events) == 1


def test_a_first_message_answered_with_the_intro_is_not_a_misunderstanding():
    events = [
        LISTEN,
        user("nlu_fallback"),
        action("utter_intro_safety"),
        LISTEN,
        user("nlu_fallback"),
    ]
    assert consecutive_misunderstandings(events) == 1


def test_a_restart_or_new_session_ends_the_run():
    for reset in ({"event": "restart"}, {"event": "session_started"}):
        events = [
            LISTEN,
            user("nlu_fallback"),
            COUNT,
            action("utter_did_not_understand"),
            reset,
            LISTEN,
            user("nlu_fallback"),
        ]
        assert consecutive_misunderstandings(events) == 1


def test_the_action_sets_the_slot_the_rules_read():
    events = [
        LISTEN,
        user("nlu_fallback"),
        COUNT,
        action("utter_did_not_understand"),
        LISTEN,
        user("nlu_fallback"),
    ]
    tracker = Tracker("t", {}, {}, events, False, None, {}, "action_listen")
    result = asyncio.run(ActionCountMisunderstandings().run(CollectingDispatcher(), tracker, {}))
    assert result == [
        {"event": "slot", "name": "misunderstood", "value": "again", "timestamp": None}
    ]

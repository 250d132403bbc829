"""The misunderstanding counter (actions/actions.py), without an action server."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (
    SCREENING_QUESTIONS,
    ActionCountMisunderstandings,
    ActionOffer,
    ActionScreening,
    age_from_text,
    consecutive_misunderstandings,
    last_bot_action,
    screening_outcome,
)
from hotline.conversations.screening import AGES, FLAGS, OUTCOMES


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


# --- issue 3: the logic of the flows -----------------------------------------------------------


def run_action(action, events, slots, intent, text="...", entities=()):
    latest = {"intent": {"name": intent}, "entities": list(entities), "text": text}
    tracker = Tracker("t", slots, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(action.run(dispatcher, tracker, {}))
    return {event["name"]: event["value"] for event in result}, dispatcher.messages


def test_the_screening_codes_are_the_consoles():
    assert set(SCREENING_QUESTIONS) == set(FLAGS)
    assert {"danger_now", "strong_signs", "some_signs", "no_signs", "not_finished"} == set(OUTCOMES)
    assert {"under_18", "unsure", "adult"} == set(AGES)


@pytest.mark.parametrize(
    ("flags", "danger", "outcome"),
    [
        ([], False, "no_signs"),
        (["not_paid"], False, "some_signs"),
        (["not_paid", "no_days_off"], False, "some_signs"),
        (["not_paid", "no_days_off", "isolated"], False, "strong_signs"),
        (["documents_kept"], False, "strong_signs"),
        (["debt"], False, "strong_signs"),
        (["violence"], True, "danger_now"),
    ],
)
def test_the_outcome_route(flags, danger, outcome):
    assert screening_outcome(flags, danger) == outcome


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("16", "under_18"),
        ("i am 17", "under_18"),
        ("im 25 years old", "adult"),
        ("18", "adult"),
        ("\u0661\u0665", "under_18"),
        ("i am old", None),
        ("between 16 and 20", None),
    ],
)
def test_an_age_written_as_a_number(text, band):
    assert age_from_text(text) == band


def test_the_last_bot_action_before_the_latest_message():
    events = [LISTEN, user("something_wrong"), action("utter_screening_consent"), LISTEN,
              user("affirm")]  # fmt: skip
    assert last_bot_action(events) == "utter_screening_consent"
    assert last_bot_action([LISTEN, user("greet")]) is None


def test_the_screening_starts_after_consent_and_ends_with_a_summary_of_codes():
    consent = [LISTEN, user("something_wrong"), action("utter_screening_consent"), LISTEN,
               user("affirm")]  # fmt: skip
    slots, _ = run_action(ActionScreening(), consent, {}, "affirm")
    assert slots["screening_step"] == "age" and slots["screening_next"] == "question"
    asked = [LISTEN, action("utter_screening_question"), LISTEN, user("affirm")]
    slots, messages = run_action(
        ActionScreening(), asked, {"screening_step": "violence", "screening_flags": ["debt"],
                                   "age": "adult"}, "deny")  # fmt: skip
    assert slots["screening_next"] == "strong_signs"
    assert messages == [
        {"text": None, "buttons": [], "elements": [], "custom": {"screening": {
            "outcome": "strong_signs", "flags": ["debt"], "age": "adult"}},
         "template": None, "response": None, "image": None, "attachment": None}
    ]  # fmt: skip


def test_a_yes_to_threats_asks_about_danger_now():
    asked = [LISTEN, action("utter_screening_question"), LISTEN, user("deny")]
    slots, messages = run_action(
        ActionScreening(), asked, {"screening_step": "violence", "screening_flags": ["threats"]},
        "deny")  # fmt: skip
    assert slots["screening_step"] == "danger_now" and messages == []


def test_the_offer_contract_question_flags_a_no():
    slots, _ = run_action(
        ActionOffer(), [], {"offer_type": "job", "offer_step": "contract", "offer_flags": []},
        "deny")  # fmt: skip
    assert slots["offer_flags"] == ["contract"] and slots["offer_next"] == "explain_question"
    slots, _ = run_action(
        ActionOffer(), [], {"offer_type": "job", "offer_step": "fee", "offer_flags": []}, "deny"
    )
    assert slots["offer_flags"] == [] and slots["offer_next"] == "question"


def test_an_offer_answer_that_is_not_yes_no_or_skip_is_asked_again():
    slots, _ = run_action(ActionOffer(), [], {"offer_type": "job", "offer_step": "fee"}, "greet")
    assert slots == {"offer_next": "reask"}

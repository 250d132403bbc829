"""The assistant's screening summary in its reply: the router keeps known codes only."""

from __future__ import annotations

from hotline.conversations.router import Router


def reply(custom: dict, text: str | None = None) -> dict:
    message = {"recipient_id": "x", "custom": custom}
    if text:
        message["text"] = text
    return message


def test_the_summary_and_the_handoff_are_read_from_the_replies():
    outcome = Router._from_assistant(
        [
            reply({"screening": {"outcome": "danger_now", "flags": ["violence"], "age": "adult"}}),
            reply({"handoff": {"reason": "danger_now", "priority": "urgent"}}, "We are here."),
        ]
    )
    assert outcome.screening == {"outcome": "danger_now", "flags": ["violence"], "age": "adult"}
    assert outcome.handoff == ("danger_now", 100)
    assert outcome.replies == ["We are here."]


def test_unknown_codes_and_free_text_are_never_kept():
    outcome = Router._from_assistant(
        [
            reply(
                {
                    "screening": {
                        "outcome": "my boss hits me",
                        "flags": ["threats", "he took my passport", 7],
                        "age": "15 years",
                    }
                }
            )
        ]
    )
    assert outcome.screening == {"outcome": None, "flags": ["threats"], "age": None}


def test_no_summary_without_a_screening():
    assert Router._from_assistant([{"recipient_id": "x", "text": "Hello"}]).screening is None

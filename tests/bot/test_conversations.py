"""Conversations as a texter has them, against the trained model and the real action server.

Each test is one texter's session: what they type (a number picks an option, as on SMS) and the
SMS bodies they get back. The gateway's keywords arrive as payloads (PERSON -> /request_human,
MENU -> /show_menu).
"""

from __future__ import annotations

import pytest

from bot.responses import DEFAULT_EMERGENCY_TEXT, DEFAULT_HOTLINE_TEXT

HANDOFF = {"reason": "asked", "priority": "normal"}
# Messages our model does not understand (out of scope, or below the fallback threshold).
GIBBERISH = ["asdfgh", "qwerty zxcv", "jjjjjj"]


def is_intro(turn) -> bool:
    return (
        len(turn.bodies) == 1
        and "automated assistant" in turn.text
        and "Is it safe for you to text now?" in turn.text
        and turn.text.endswith("\n1 Yes\n2 No")
        and turn.options == ["/affirm", "/deny"]
    )


MENU_OPTIONS = [
    "/check_offer",
    "/know_rights",
    "/something_wrong",
    "/find_help",
    "/request_human",
    "/about_service",
]


def is_menu(turn) -> bool:
    return (
        turn.bodies[-1].startswith("What would you like to do?")
        and "\n1 Check a job or travel offer\n2 Know your rights\n" in turn.text
        and turn.options == MENU_OPTIONS
    )


def is_handoff(turn) -> bool:
    return (
        "A person from the hotline will reply to you here" in turn.text
        and DEFAULT_EMERGENCY_TEXT in turn.text
        and turn.handoff == HANDOFF
    )


def test_first_contact_says_what_we_are_and_asks_about_safety(texter):
    turn = texter.send("hi")
    assert is_intro(turn)
    assert "A person can also help you" in turn.text
    assert DEFAULT_HOTLINE_TEXT in turn.text  # how to reach a person: reply PERSON
    assert turn.custom == []


@pytest.mark.parametrize("first_message", ["hello?", "yes", "no", "thanks", "bye", "what is this"])
def test_any_first_message_gets_the_introduction(texter, first_message):
    assert is_intro(texter.send(first_message))


def test_a_first_message_that_is_not_understood_gets_the_introduction(texter):
    assert is_intro(texter.send(GIBBERISH[0]))
    assert is_menu(texter.send("1"))  # and that was not counted as a misunderstanding


def test_not_safe_gets_one_line_then_silence_then_a_fresh_start(texter):
    texter.send("hello")
    turn = texter.send("2")
    assert turn.sent == "/deny"
    assert len(turn.bodies) == 1 and turn.options == [] and turn.custom == []
    assert "send any message to this number to start again" in turn.text
    assert len(turn.text) <= 160  # one short line, one SMS
    # Silence: nothing is sent until the texter writes again; then it starts from the top.
    assert is_intro(texter.send("hi"))
    assert is_menu(texter.send("yes"))


def test_not_safe_in_own_words(texter):
    texter.send("hey")
    turn = texter.send("no")
    assert "We will not send you any more messages" in turn.text
    assert is_intro(texter.send("hello again"))


def test_not_safe_any_more_in_the_middle_of_a_conversation(texter):
    texter.send("hi")
    texter.send("yes")
    turn = texter.send("cant talk now")
    assert "We will not send you any more messages" in turn.text and turn.options == []
    assert is_intro(texter.send("hi"))


def test_safe_to_text_shows_the_menu_of_what_exists(texter):
    texter.send("hi")
    turn = texter.send("1")
    assert turn.sent == "/affirm"
    assert is_menu(turn)
    assert turn.bodies == [
        "What would you like to do? Reply with a number, or write in your own words.\n"
        "1 Check a job or travel offer\n2 Know your rights\n"
        "3 Something is wrong at work or home\n4 Find help near me\n5 Talk to a person\n"
        "6 About this service and your data"
    ]


def test_safe_to_text_in_own_words(texter):
    texter.send("hello i got this number from a friend")
    assert is_menu(texter.send("yes i am alone now"))


def test_talk_to_a_person_by_number(texter):
    texter.send("hi")
    texter.send("1")
    turn = texter.send("5")
    assert turn.sent == "/request_human"
    assert is_handoff(turn)
    assert turn.custom == [{"handoff": HANDOFF}]
    assert len(turn.bodies) == 1


@pytest.mark.parametrize(
    "words", ["talk to someone", "i want to talk to a real person", "can someone call me"]
)
def test_talk_to_a_person_in_own_words(texter, words):
    texter.send("hi")
    texter.send("yes")
    assert is_handoff(texter.send(words))


def test_after_a_person_the_next_message_to_the_assistant_starts_afresh(texter):
    # While a person holds the conversation the gateway does not ask Rasa; when the operator
    # hands it back, the texter's next message is a first contact again: safety first.
    texter.send("hi")
    texter.send("yes")
    assert is_handoff(texter.send("5"))
    assert is_intro(texter.send("hello"))


def test_person_keyword_works_from_the_first_message(texter):
    assert is_handoff(texter.send_payload("/request_human"))


def test_person_keyword_works_at_the_safety_question(texter):
    texter.send("hi")
    assert is_handoff(texter.send_payload("/request_human"))


def test_menu_keyword_works_from_the_first_message(texter):
    assert is_menu(texter.send_payload("/show_menu"))


def test_menu_and_person_keywords_work_after_a_misunderstanding(texter):
    texter.send("hi")
    texter.send("yes")
    texter.send(GIBBERISH[0])
    assert is_menu(texter.send_payload("/show_menu"))
    texter.send(GIBBERISH[1])
    assert is_handoff(texter.send_payload("/request_human"))


def test_about_the_service_and_back_to_the_menu(texter):
    texter.send("hi")
    texter.send("yes")
    turn = texter.send("6")
    assert turn.sent == "/about_service"
    assert "automated assistant" in turn.text and "encrypted" in turn.text
    assert turn.options == ["/request_human", "/show_menu"]
    assert is_menu(texter.send("2"))


def test_two_misunderstandings_offer_the_menu_and_a_person(texter):
    texter.send("hi")
    texter.send("yes")
    first = texter.send(GIBBERISH[0])
    assert first.bodies == [
        "Sorry, I did not understand. You can write it in other words. "
        "Reply MENU to see the options or PERSON to reach a person."
    ]
    assert first.options == []
    second = texter.send(GIBBERISH[1])
    assert second.text.startswith("Sorry, I still did not understand.")
    assert second.options == ["/show_menu", "/request_human"]
    assert second.text.endswith("\n1 See the menu\n2 Talk to a person")
    assert is_handoff(texter.send("2"))


def test_misunderstandings_never_loop(texter):
    texter.send("hi")
    texter.send("yes")
    replies = [texter.send(message) for message in GIBBERISH]
    # From the second time on, always the two ways out, never "I did not understand" again.
    assert replies[0].options == []
    assert all(reply.options == ["/show_menu", "/request_human"] for reply in replies[1:])
    assert is_menu(texter.send("1"))


def test_the_count_starts_again_after_an_understood_message(texter):
    texter.send("hi")
    texter.send("yes")
    texter.send(GIBBERISH[0])
    texter.send_payload("/show_menu")
    assert texter.send(GIBBERISH[1]).text.startswith("Sorry, I did not understand.")


def test_a_safety_answer_not_understood_asks_again(texter):
    texter.send("hi")
    turn = texter.send(GIBBERISH[0])
    assert turn.text.startswith("Sorry, I did not understand. Is it safe for you to text now?")
    assert turn.options == ["/affirm", "/deny"]
    assert "We will not send you" in texter.send("2").text


def test_a_safety_answer_not_understood_twice_offers_the_way_out(texter):
    texter.send("hi")
    texter.send(GIBBERISH[0])
    turn = texter.send(GIBBERISH[1])
    assert turn.options == ["/show_menu", "/request_human"]


def test_no_outside_a_question_does_not_loop(texter):
    texter.send("hi")
    texter.send("yes")
    turn = texter.send("no thanks")
    assert turn.text.startswith("OK. Whenever you want") and turn.options == []


def test_thanks_and_goodbye_then_a_fresh_start(texter):
    texter.send("hi")
    texter.send("yes")
    assert texter.send("thank you").text.startswith("You are welcome.")
    turn = texter.send("ok bye")
    assert turn.text.startswith("Take care.") and turn.options == []
    assert is_intro(texter.send("hello"))


def test_replies_are_in_english_when_the_gateway_says_en(texter):
    assert texter.language == "en"
    assert texter.send("hi").text.startswith("Hello, this is the automated assistant")

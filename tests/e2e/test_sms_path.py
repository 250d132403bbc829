"""A texter's SMS through the real system: signed webhook in, Rasa, reply out via Twilio."""

from __future__ import annotations

import json
import time

import httpx

from tests.e2e.stack import HOTLINE_NUMBER


def stored_inbound(stack, phone: str, channel: str = "sms") -> int:
    return stack.sql(
        "SELECT count(*) FROM message m JOIN conversation c ON c.id = m.conversation_id"
        " WHERE c.contact_id = :contact AND m.direction = 'in'",
        contact=stack.pseudonym(phone, channel),
    )[0][0]


def conversation_state(stack, phone: str) -> str:
    return stack.sql(
        "SELECT state FROM conversation WHERE contact_id = :contact ORDER BY id DESC LIMIT 1",
        contact=stack.pseudonym(phone),
    )[0][0]


def test_first_message_gets_the_assistant_and_the_safety_question(stack, texter):
    [reply] = texter.send("hello, is anyone there")
    assert "automated" in reply.lower()
    assert "safe" in reply.lower()
    [captured] = stack.captured(to=texter.phone)
    assert captured["from_"] == HOTLINE_NUMBER
    assert captured["status_callback"] == f"{stack.hotline_url}/twilio/status"


def test_a_digit_answers_the_options_shown_last(stack, texter):
    texter.send("hello, is anyone there")
    menu = " ".join(texter.send("1"))  # 1 = yes, it is safe
    assert "person" in menu.lower()
    assert conversation_state(stack, texter.phone) == "bot"


def test_asking_for_a_person_queues_the_conversation_and_the_bot_falls_silent(stack, texter):
    texter.send("hello, is anyone there")
    texter.send("yes")
    handoff = " ".join(texter.send("PERSON"))
    assert "112" in handoff  # what to do in an emergency
    assert conversation_state(stack, texter.phone) == "queued"
    texter.send("are you there?")  # for the operator now
    assert "are you there?" not in rasa_user_texts(stack, texter.phone)  # Rasa is not asked
    assert stored_inbound(stack, texter.phone) == 4


def rasa_user_texts(stack, phone: str) -> list[str]:
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{stack.pseudonym(phone)}/tracker", timeout=10
    ).json()
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def test_delivery_statuses_come_back_from_twilio(stack, texter):
    texter.send("hello, is anyone there")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        statuses = stack.sql(
            "SELECT m.status FROM message m JOIN conversation c ON c.id = m.conversation_id"
            " WHERE c.contact_id = :contact AND m.direction = 'out'",
            contact=stack.pseudonym(texter.phone),
        )
        if statuses and statuses[0][0] == "delivered":
            break
        time.sleep(0.1)
    assert statuses == [("delivered",)]


def test_a_repeated_message_sid_is_answered_once(stack, texter):
    fields = texter.fields("hello")
    assert texter.webhook(fields).status_code == 200
    assert texter.webhook(fields).status_code == 200
    stack.wait_turn_done(fields["MessageSid"])
    time.sleep(0.5)
    assert len(texter.new_replies()) == 1
    assert stored_inbound(stack, texter.phone) == 1


def test_stop_means_nothing_more_is_sent_until_start(stack, texter):
    texter.send("hello, is anyone there")
    assert texter.send("STOP") == []
    assert texter.send("hello?") == []
    assert texter.send("no") == []
    [welcome_back] = texter.send("start")
    assert welcome_back
    assert texter.send("hello, is anyone there")  # answered again
    assert stored_inbound(stack, texter.phone) == 6  # every message kept


def test_help_keyword_says_what_this_number_is(stack, texter):
    [reply] = texter.send("help")
    assert "112" in reply


def test_a_texter_cannot_force_rasa_commands(stack, texter):
    texter.send("hello, is anyone there")
    texter.send("/restart")
    texter.send('/intent{"x": 1}')
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{stack.pseudonym(texter.phone)}/tracker", timeout=10
    ).json()
    assert not [e for e in tracker["events"] if e["event"] == "restart"]
    user_texts = rasa_user_texts(stack, texter.phone)
    assert "restart" in user_texts and not any(t.startswith("/") for t in user_texts)
    assert conversation_state(stack, texter.phone) == "bot"


def test_media_without_text_gets_a_short_explanation(stack, texter):
    [reply] = texter.send("", NumMedia="1", MediaUrl0="https://example.org/a.jpg")
    assert "text" in reply.lower()


def test_whatsapp_replies_go_back_on_whatsapp(stack, new_texter):
    texter = new_texter("whatsapp:")
    texter.send("hello", To="whatsapp:" + HOTLINE_NUMBER)
    [captured] = stack.captured(to="whatsapp:" + texter.phone)
    assert captured["from_"] == "whatsapp:" + HOTLINE_NUMBER


def test_replies_through_a_messaging_service_use_it(stack, texter):
    texter.send("hello", MessagingServiceSid="MG" + "1" * 32)
    [captured] = stack.captured(to=texter.phone)
    assert captured["messaging_service_sid"] == "MG" + "1" * 32


def test_transient_twilio_errors_are_retried_without_doubles(stack, texter):
    httpx.post(f"{stack.twilio_url}/_fail", json={"status": 500, "count": 2, "code": 20500})
    replies = texter.send("hello, is anyone there")
    assert len(replies) == 1


def test_health_reports_database_and_rasa(stack):
    response = httpx.get(f"{stack.hotline_url}/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json()["database"] == "up" and response.json()["rasa"] == "up"


def test_logs_carry_no_phone_number_and_no_message_body(stack, texter):
    texter.send("my boss keeps my passport")
    for process in ("hotline", "rasa", "actions"):
        log = stack.logs(process)
        assert texter.phone not in log and texter.phone[1:] not in log, process
        assert "passport" not in log, process


def test_emergency_words_bring_the_numbers_and_a_person_first(stack, texter):
    texter.send("hello, is anyone there")
    reply = " ".join(texter.send("please help me now he is coming"))
    assert "112" in reply and "person" in reply.lower()
    assert reply[:40].lower().count("police") == 0
    state, reason, priority = stack.sql(
        "SELECT state, handoff_reason, priority FROM conversation WHERE contact_id = :c",
        c=stack.pseudonym(texter.phone),
    )[0]
    assert (state, reason) == ("queued", "emergency")
    assert priority == max(row[0] for row in stack.sql("SELECT priority FROM conversation"))
    assert "please help me now he is coming" not in rasa_user_texts(stack, texter.phone)


def conversation_row(stack, phone: str):
    return stack.sql(
        "SELECT state, handoff_reason, priority, screening, is_child FROM conversation"
        " WHERE contact_id = :c ORDER BY id DESC LIMIT 1",
        c=stack.pseudonym(phone),
    )[0]


def screening_of(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value


def test_the_screening_is_stored_as_codes_and_danger_goes_first(stack, texter):
    texter.send("hello, is anyone there")
    texter.send("1")  # safe to text
    assert "10 short yes or no questions" in " ".join(texter.send("3"))
    texter.send("1")  # consent
    texter.send("16")  # the child pathway
    for answer in "2122222221":  # cannot leave, violence
        texter.send(answer)
    reply = " ".join(texter.send("1"))  # in danger now
    assert "112" in reply and "person" in reply.lower()
    state, reason, priority, screening, is_child = conversation_row(stack, texter.phone)
    assert (state, reason) == ("queued", "danger_now")
    assert screening_of(screening) == {
        "outcome": "danger_now",
        "flags": ["cannot_leave", "violence"],
        "age": "under_18",
    }
    assert is_child and priority == max(
        row[0] for row in stack.sql("SELECT priority FROM conversation")
    )
    assert "cannot_leave" not in stack.logs("hotline")


def test_strong_signs_are_stored_and_a_person_comes_with_high_priority(stack, texter):
    texter.send("hello, is anyone there")
    texter.send("yes")
    texter.send("my boss keeps my passport")
    texter.send("yes")
    texter.send("2")  # 18 or older
    for answer in "1222222222":  # documents kept
        texter.send(answer)
    state, _, _, screening, is_child = conversation_row(stack, texter.phone)
    assert state == "bot" and not is_child
    assert screening_of(screening)["outcome"] == "strong_signs"
    texter.send("1")  # talk to a person now
    state, reason, priority, _, _ = conversation_row(stack, texter.phone)
    assert (state, reason) == ("queued", "strong_signs") and priority == 50

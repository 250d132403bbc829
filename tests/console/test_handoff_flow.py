"""The hand-off through the running service: webhooks in, console actions, SMS out.

The hotline runs for real (uvicorn, its own fake Twilio in simulator mode); Rasa is a scripted
stand-in that records what it was asked.
"""

from __future__ import annotations

import re
import threading
import time

import httpx
import pytest
from sqlalchemy import select

from hotline.audit.models import AuditEvent
from hotline.conversations.models import Message
from tests.console.conftest import CLOSED, new_phone, queued_conversation, wait_until


def test_asking_for_a_person_queues_and_tells_the_place_in_line(system):
    phone = new_phone()
    queued_conversation(system, phone)
    replies = system.replies(phone)
    assert replies[-2] == "OK. A person from the hotline will reply here."
    assert replies[-1].startswith("You are next in line.")
    other = new_phone()
    queued_conversation(system, other)
    assert system.replies(other)[-1].startswith("You are number 2 in line.")


def test_while_people_hold_it_nothing_reaches_rasa_even_after_a_restart(system_factory):
    system = system_factory()
    phone = new_phone()
    queued_conversation(system, phone)
    sender = system.sender_id(phone)
    asked = len(system.rasa.texts_from(sender))
    before = len(system.replies(phone))
    system.text(phone, "/restart")
    system.text(phone, "are you there?")
    assert len(system.rasa.texts_from(sender)) == asked
    assert len(system.replies(phone)) == before  # silent: the operator will answer
    wait_until(lambda: (sender, "pause") in system.rasa.events)  # Rasa's tools see the pause

    # A restart of the hotline on the same database changes nothing.
    again = system_factory(database_url=system.settings.database_url)
    again.text(phone, "hello?")
    assert len(system.rasa.texts_from(sender)) == asked
    assert again.conversation(phone).state == "queued"


def test_operator_chat_both_ways_then_back_to_the_assistant(system):
    phone = new_phone()
    conversation_id = queued_conversation(system, phone)
    system.add_operator("ana")
    ana = system.login("ana")

    page = ana.get(f"/console/conversations/{conversation_id}")
    assert page.status_code == 200 and "Take this conversation" in page.text
    assert ana.act(f"/console/conversations/{conversation_id}/claim").json() == {"ok": True}

    sent = ana.act(f"/console/conversations/{conversation_id}/messages", {"text": "Hello, Ana."})
    assert sent.status_code == 200, sent.text
    wait_until(lambda: system.replies(phone)[-1] == "Hello, Ana.")
    [message] = system.hotline.outbox.messages(to=phone)[-1:]
    assert message.from_ == "+15555550000"  # from the number the texter wrote to

    def delivered():
        live = ana.get(f"/console/conversations/{conversation_id}/live?after=0").json()
        return live["statuses"].get(str(sent.json()["message_id"])) == "Delivered"

    wait_until(delivered)

    system.text(phone, "thank you")
    live = ana.get(f"/console/conversations/{conversation_id}/live?after=0").json()
    texts = [m["text"] for m in live["messages"]]
    assert texts[:2] == ["hello", "Assistant: hello"]  # the bot's part is in the transcript
    assert texts[-2:] == ["Hello, Ana.", "thank you"]
    authors = {m["text"]: m["author"] for m in live["messages"]}
    assert authors["Hello, Ana."] == "Ana" and authors["thank you"] == "Texter"

    assert ana.act(f"/console/conversations/{conversation_id}/end").json() == {"ok": True}
    wait_until(lambda: "has ended" in system.replies(phone)[-1])
    sender = system.sender_id(phone)
    wait_until(lambda: system.rasa.events[-1:] == [(sender, "resume")])
    closed = ana.act(
        f"/console/conversations/{conversation_id}/wrapup",
        {"outcome": "information_given", "referrals": ["legal_aid"], "notes": "ok"},
    )
    assert closed.json() == {"ok": True}

    system.text(phone, "hello again")
    assert system.replies(phone)[-1] == "Assistant: hello again"
    assert system.conversation(phone).id != conversation_id


def test_a_texter_message_reaches_a_connected_console_within_a_second(system):
    phone = new_phone()
    conversation_id = queued_conversation(system, phone)
    system.add_operator("ana")
    ana = system.login("ana")
    received: list[tuple[float, dict]] = []
    ready = threading.Event()

    def listen():
        with ana.http.stream("GET", "/console/events", timeout=30) as stream:
            kind = None
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                    if kind == "ready":
                        ready.set()
                elif line.startswith("data: ") and kind == "message":
                    received.append((time.monotonic(), line))
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert ready.wait(10)
    sent_at = time.monotonic()
    system.text(phone, "is anyone there?", wait=False)
    listener.join(5)
    assert received, "no live event"
    arrived_at, data = received[0]
    assert f'"conversation_id":{conversation_id}' in data
    live = ana.get(f"/console/conversations/{conversation_id}/live?after=0").json()
    assert live["messages"][-1]["text"] == "is anyone there?"
    assert time.monotonic() - sent_at < 1.0
    assert arrived_at - sent_at < 1.0


def test_transfer_to_another_operator_and_back_to_the_queue(system):
    phone = new_phone()
    conversation_id = queued_conversation(system, phone)
    system.add_operator("ana")
    bob_id = system.add_operator("bob", languages=("en", "es"))
    ana, bob = system.login("ana"), system.login("bob")
    ana.act(f"/console/conversations/{conversation_id}/claim")
    assert bob.act(f"/console/conversations/{conversation_id}/claim").status_code == 409
    moved = ana.act(f"/console/conversations/{conversation_id}/transfer", {"to": str(bob_id)})
    assert moved.json() == {"ok": True}
    assert system.conversation(phone).assigned_operator_id == bob_id
    # Ana no longer holds it: she cannot write any more.
    refused = ana.act(f"/console/conversations/{conversation_id}/messages", {"text": "hi"})
    assert refused.status_code == 409
    assert bob.act(f"/console/conversations/{conversation_id}/transfer", {"to": "queue"}).json()
    assert system.conversation(phone).state == "queued"


def test_out_of_hours_the_texter_chooses_and_the_operator_sees_the_choice(system):
    system.set_config(CLOSED)
    phone = new_phone()
    conversation_id = queued_conversation(system, phone)
    closed_message = system.replies(phone)[-1]
    assert closed_message.startswith("People from the hotline are not available right now.")
    assert "112" in closed_message and "1 Leave a message" in closed_message

    system.text(phone, "1")
    assert system.replies(phone)[-1].startswith("OK. Write your message")
    system.text(phone, "My boss keeps my passport.")
    assert "When is it safe" in system.replies(phone)[-1]
    system.text(phone, "2")
    assert "Write the days and times" in system.replies(phone)[-1]
    system.text(phone, "weekdays after 6pm")
    assert system.replies(phone)[-1].startswith("Thank you. A person from the hotline will read")
    conversation = system.conversation(phone)
    assert (conversation.state, conversation.contact_preference) == ("queued", "safe_time")
    assert system.rasa.texts_from(system.sender_id(phone)) == ["hello", "person please"]

    system.add_operator("ana")
    ana = system.login("ana")
    queue = ana.get("/console/queue").text
    assert "Left a message" in queue and "Only at a safe time" in queue
    page = ana.get(f"/console/conversations/{conversation_id}").text
    assert "weekdays after 6pm" in page and "My boss keeps my passport." in page


def test_out_of_hours_no_message_and_no_contact(system):
    system.set_config(CLOSED)
    phone = new_phone()
    queued_conversation(system, phone)
    system.text(phone, "2")
    assert system.replies(phone)[-1].startswith("OK. Nobody will contact you.")
    conversation = system.conversation(phone)
    assert (conversation.state, conversation.contact_preference) == ("closed", "no_contact")
    sender = system.sender_id(phone)
    wait_until(lambda: system.rasa.events[-1:] == [(sender, "resume")])
    system.text(phone, "hi")
    assert system.replies(phone)[-1] == "Assistant: hi"


def test_html_in_a_texter_message_is_shown_as_text(system):
    phone = new_phone()
    conversation_id = queued_conversation(system, phone)
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    system.text(phone, payload)
    system.add_operator("ana")
    ana = system.login("ana")
    page = ana.get(f"/console/conversations/{conversation_id}")
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    live = ana.get(f"/console/conversations/{conversation_id}/live?after=0")
    assert live.headers["content-type"] == "application/json"
    assert live.json()["messages"][-1]["text"] == payload  # data, rendered with textContent


def test_logs_carry_no_number_and_no_message_text(system, caplog):
    phone = new_phone()
    with caplog.at_level("DEBUG"):
        conversation_id = queued_conversation(system, phone)
        system.add_operator("ana", role="supervisor")
        ana = system.login("ana")
        ana.act(f"/console/conversations/{conversation_id}/claim")
        ana.act(f"/console/conversations/{conversation_id}/messages", {"text": "secret words"})
        ana.act(f"/console/conversations/{conversation_id}/reveal")
        wait_until(lambda: system.replies(phone)[-1] == "secret words")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert phone not in logged and phone[1:] not in logged
    assert "secret words" not in logged and "person please" not in logged


def test_opening_a_transcript_and_revealing_a_number_are_audited(system):
    phone = new_phone()
    conversation_id = queued_conversation(system, phone)
    system.add_operator("sue", role="supervisor")
    sue = system.login("sue")
    page = sue.get(f"/console/conversations/{conversation_id}").text
    masked = re.search(r'<span id="number" dir="ltr">([^<]+)</span>', page).group(1)
    assert phone not in page and masked.endswith(phone[-2:]) and "•" in masked
    assert sue.act(f"/console/conversations/{conversation_id}/reveal").json() == {"number": phone}
    with system.db.session() as session:
        actions = [
            (e.action, e.actor_name, e.conversation_id)
            for e in session.execute(
                select(AuditEvent).where(AuditEvent.conversation_id == conversation_id)
            ).scalars()
        ]
    assert ("transcript_opened", "Sue", conversation_id) in actions
    assert ("number_revealed", "Sue", conversation_id) in actions
    audit_page = sue.get("/console/audit").text
    assert "Revealed a phone number" in audit_page and "Opened a transcript" in audit_page


@pytest.mark.parametrize("outcome", ["stop"])
def test_an_operator_reply_to_a_texter_who_sent_stop_is_not_sent(system, outcome):
    phone = new_phone()
    conversation_id = queued_conversation(system, phone)
    system.add_operator("ana")
    ana = system.login("ana")
    ana.act(f"/console/conversations/{conversation_id}/claim")
    system.text(phone, "STOP")
    before = len(system.replies(phone))
    sent = ana.act(f"/console/conversations/{conversation_id}/messages", {"text": "hello?"})
    message_id = sent.json()["message_id"]
    with system.db.session() as session:
        assert session.get(Message, message_id).status == "suppressed"
    assert len(system.replies(phone)) == before


def test_the_supervisor_view_shows_the_queue_and_the_team(system):
    for _ in range(2):
        queued_conversation(system, new_phone())
    system.add_operator("sue", role="supervisor", languages=("en", "ar"))
    sue = system.login("sue")
    page = sue.get("/console/supervisor").text
    assert re.search(r'id="sv-queue-length">2<', page)
    assert re.search(r'id="sv-online">1<', page)
    assert "Arabic" in page and "English" in page
    assert httpx.get(f"{system.url}/console/supervisor").status_code in (303, 307)

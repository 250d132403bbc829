"""The hand-off timers, driven by calling `tick` with a made-up "now"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.responses import ResponseBook
from hotline.app import RESPONSE_FILES
from hotline.audit.models import AuditEvent
from hotline.config import load_settings
from hotline.conversations import handoff
from hotline.conversations.desk import HandoffDesk
from hotline.conversations.hours import parse_handoff_config
from hotline.conversations.models import Conversation, Message, Wrapup
from hotline.live import LiveHub
from tests.console.conftest import T0, acting, add_conversation, add_operator

MINUTE = timedelta(minutes=1)
OPEN = parse_handoff_config(
    {
        "timezone": "UTC",
        "always_open": True,
        "timeouts": {
            "assignment_inactivity_minutes": 10,
            "wrapup_minutes": 30,
            "waiting_update_minutes": 15,
        },
    },
    {},
)
# Open Monday 08:00-09:00 UTC only; T0 is Monday 10:00.
CLOSED = parse_handoff_config(
    {"timezone": "UTC", "opening_hours": {"monday": "08:00-09:00"}}, {"HOTLINE_ALWAYS_OPEN": "0"}
)


@pytest.fixture
def desk(db, vault, tmp_path):
    settings = load_settings(
        {"HOTLINE_VAR_DIR": str(tmp_path), "HOTLINE_SECRET_KEY": "test-secret"}
    )
    return HandoffDesk(settings, db, vault, ResponseBook(RESPONSE_FILES), OPEN, LiveHub())


def texts(session, vault, conversation_id: int) -> list[str]:
    return [
        vault.decrypt(m.body_encrypted)
        for m in session.execute(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.direction == "out")
            .order_by(Message.id)
        ).scalars()
    ]


def test_an_idle_assignment_goes_back_to_the_queue_and_the_texter_is_told(db, vault, desk):
    with db.session() as session:
        conversation_id = add_conversation(session, vault)
        ana = add_operator(session, "ana")
        handoff.claim(session, conversation_id, acting(ana), T0)
    with db.session() as session:
        assert desk.tick(session, T0 + 9 * MINUTE) == []
        handoff.touch(session, conversation_id, ana.id, T0 + 9 * MINUTE)  # she typed
    with db.session() as session:
        assert desk.tick(session, T0 + 18 * MINUTE) == []
        assert session.get(Conversation, conversation_id).state == "assigned"
    with db.session() as session:
        [outbound] = desk.tick(session, T0 + 20 * MINUTE)
        conversation = session.get(Conversation, conversation_id)
        assert conversation.state == "queued"
        assert conversation.assigned_operator_id is None
        assert session.get(Message, outbound).status == "pending"
        assert "back in line" in texts(session, vault, conversation_id)[-1]
        event = session.execute(
            select(AuditEvent).where(AuditEvent.action == "assignment_timed_out")
        ).scalar_one()
        assert (event.actor_id, event.subject_operator_id) == (None, ana.id)
    with db.session() as session:
        assert desk.tick(session, T0 + 40 * MINUTE) == []  # told once


def test_a_wrap_up_always_ends(db, vault, desk):
    with db.session() as session:
        conversation_id = add_conversation(session, vault)
        ana = add_operator(session, "ana")
        handoff.claim(session, conversation_id, acting(ana), T0)
        handoff.end(session, conversation_id, acting(ana), T0)
    with db.session() as session:
        desk.tick(session, T0 + 29 * MINUTE)
        assert session.get(Conversation, conversation_id).state == "wrapup"
    with db.session() as session:
        assert desk.tick(session, T0 + 31 * MINUTE) == []  # the texter was told at the end
        assert session.get(Conversation, conversation_id).state == "closed"
        wrapup = session.get(Wrapup, conversation_id)
        assert not wrapup.completed and wrapup.operator_id == ana.id


def test_a_long_wait_gets_one_honest_update(db, vault, desk):
    with db.session() as session:
        conversation_id = add_conversation(session, vault, queued_at=T0)
    with db.session() as session:
        assert desk.tick(session, T0 + 14 * MINUTE) == []
        assert len(desk.tick(session, T0 + 16 * MINUTE)) == 1
        assert "not forgotten" in texts(session, vault, conversation_id)[-1]
    with db.session() as session:
        assert desk.tick(session, T0 + 60 * MINUTE) == []
        assert desk.tick(session, T0 + 600 * MINUTE) == []


def test_the_place_in_line_is_told_again_only_when_it_moved_meaningfully(db, vault, desk):
    with db.session() as session:
        ids = [add_conversation(session, vault, queued_at=T0 + i * MINUTE) for i in range(6)]
        last = ids[-1]
        handoff.set_position_told(session, last, 6)
        ana = add_operator(session, "ana", capacity=10)
    with db.session() as session:
        handoff.claim(session, ids[0], acting(ana), T0)  # now 5th: not worth a message
        assert desk.tick(session, T0 + MINUTE) == []
    with db.session() as session:
        handoff.claim(session, ids[1], acting(ana), T0)
        handoff.claim(session, ids[2], acting(ana), T0)  # now 3rd: half-way, worth it
        assert len(desk.tick(session, T0 + 2 * MINUTE)) == 1
        assert "number 3 in line" in texts(session, vault, last)[-1]
    with db.session() as session:
        handoff.claim(session, ids[3], acting(ana), T0)  # 2nd: not enough
        assert desk.tick(session, T0 + 3 * MINUTE) == []
        handoff.claim(session, ids[4], acting(ana), T0)  # 1st: always worth it
        assert len(desk.tick(session, T0 + 4 * MINUTE)) == 1
        assert "next in line" in texts(session, vault, last)[-1]


def test_waiting_texters_get_the_out_of_hours_message_at_closing_time(db, vault, desk):
    desk.config = CLOSED
    with db.session() as session:
        conversation_id = add_conversation(session, vault, queued_at=T0 - 90 * MINUTE)
        [outbound] = desk.tick(session, T0)
        conversation = session.get(Conversation, conversation_id)
        assert conversation.after_hours_step == "choice"
        assert conversation.options == ["/after_hours_leave_message", "/after_hours_no_contact"]
        body = texts(session, vault, conversation_id)[-1]
        assert "not available right now" in body and "Monday 9 March 08:00" in body
        assert "112" in body  # what to do in an emergency
    with db.session() as session:
        assert desk.tick(session, T0 + MINUTE) == []  # once


def test_no_automated_message_to_texters_who_chose_when_or_whether_to_be_contacted(db, vault, desk):
    with db.session() as session:
        quiet = add_conversation(session, vault, queued_at=T0)
        handoff.set_contact_preference(session, vault, quiet, "no_contact", None, T0)
        later = add_conversation(session, vault, queued_at=T0)
        handoff.set_contact_preference(session, vault, later, "safe_time", "after 6pm", T0)
        ana = add_operator(session, "ana")
        handoff.claim(session, later, acting(ana), T0)
    with db.session() as session:
        assert desk.tick(session, T0 + 600 * MINUTE) == []  # no waiting update, no requeue text
        assert session.get(Conversation, later).state == "queued"
        assert texts(session, vault, quiet) == texts(session, vault, later) == []


def test_rasa_is_told_what_our_database_says(db, vault):
    with db.session() as session:
        waiting = add_conversation(session, vault)
        back_with_bot = add_conversation(session, vault, state="bot")
        session.get(Conversation, back_with_bot).rasa_paused = True
        add_conversation(session, vault, state="bot")  # in sync
        out_of_sync = {cid: pause for cid, _sender, pause in handoff.rasa_out_of_sync(session)}
        assert out_of_sync == {waiting: True, back_with_bot: False}
        handoff.mark_rasa_paused(session, waiting, True)
        handoff.mark_rasa_paused(session, back_with_bot, False)
        assert handoff.rasa_out_of_sync(session) == []


def test_timers_pick_up_where_they_were_after_a_restart(db, vault, tmp_path):
    """All timer state is in the database: a new process (a new desk) carries on."""
    with db.session() as session:
        idle = add_conversation(session, vault, queued_at=T0)
        ended = add_conversation(session, vault, queued_at=T0)
        ana = add_operator(session, "ana")
        handoff.claim(session, idle, acting(ana), T0)
        handoff.claim(session, ended, acting(ana), T0)
        handoff.end(session, ended, acting(ana), T0)
    settings = load_settings({"HOTLINE_VAR_DIR": str(tmp_path), "HOTLINE_SECRET_KEY": "x"})
    restarted = HandoffDesk(settings, db, vault, ResponseBook(RESPONSE_FILES), OPEN, LiveHub())
    with db.session() as session:
        restarted.tick(session, T0 + 45 * MINUTE)
        assert session.get(Conversation, idle).state == "queued"
        assert session.get(Conversation, ended).state == "closed"

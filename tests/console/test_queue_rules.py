"""The hand-off state machine and routing rules, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.audit.models import AuditEvent
from hotline.conversations import handoff, service
from hotline.conversations.handoff import HandoffError
from hotline.conversations.models import Conversation, Message, Wrapup
from hotline.operators import service as operators
from hotline.timeutil import utcnow
from tests.console.conftest import T0, acting, add_conversation, add_operator

URGENT, HIGH, NORMAL = service.PRIORITY_URGENT, service.PRIORITY_HIGH, service.PRIORITY_NORMAL


def presence(session, now=T0):
    return operators.presence(
        session, now, timedelta(seconds=45), 3, handoff.operator_loads(session)
    )


def test_ranking_is_priority_then_children_then_waiting_time(db, vault):
    with db.session() as session:
        minute = timedelta(minutes=1)
        plain_old = add_conversation(session, vault, priority=NORMAL, queued_at=T0)
        plain_child = add_conversation(
            session, vault, priority=NORMAL, is_child=True, queued_at=T0 + 5 * minute
        )
        strong_new = add_conversation(session, vault, priority=HIGH, queued_at=T0 + 9 * minute)
        strong_old = add_conversation(session, vault, priority=HIGH, queued_at=T0 + minute)
        danger = add_conversation(session, vault, priority=URGENT, queued_at=T0 + 10 * minute)
        danger_child = add_conversation(
            session, vault, priority=URGENT, is_child=True, queued_at=T0 + 11 * minute
        )
        add_conversation(session, vault, state="assigned", priority=URGENT)  # not waiting

    with db.session() as session:
        view = handoff.queue_view(session, presence(session))
        order = [entry.conversation_id for entry in view.entries]
        assert order == [danger_child, danger, strong_old, strong_new, plain_child, plain_old]
        assert view.total == 6
        assert [entry.position for entry in view.entries] == [1, 2, 3, 4, 5, 6]
        places = handoff.positions(session)
        for conversation_id in order:
            assert handoff.position_of(session, conversation_id) == places[conversation_id]


def test_a_conversation_is_offered_first_to_speakers_of_its_language(db, vault):
    with db.session() as session:
        spanish = add_conversation(session, vault, language="es", queued_at=T0)
        english = add_conversation(session, vault, language="en", queued_at=T0 + timedelta(1))
        add_operator(session, "ana", languages=("es", "en"))
        bob = add_operator(session, "bob", languages=("en",))

    with db.session() as session:
        view = handoff.queue_view(session, presence(session), ("en",))
        by_id = {entry.conversation_id: entry for entry in view.entries}
        assert not by_id[spanish].offered  # Ana speaks Spanish and is available
        assert not by_id[spanish].needs_interpreter
        assert by_id[english].offered
        # Take next skips what is offered to others.
        assert handoff.claim_next(session, acting(bob), presence(session), T0) == english
        assert handoff.claim_next(session, acting(bob), presence(session), T0) is None


def test_nobody_available_in_the_language_means_anyone_with_an_interpreter(db, vault):
    with db.session() as session:
        arabic = add_conversation(session, vault, language="ar")
        add_operator(session, "away", languages=("ar",)).status = "away"
        add_operator(session, "offline", languages=("ar",), online_at=T0 - timedelta(hours=1))
        busy = add_operator(session, "busy", languages=("ar",), capacity=1)
        bob = add_operator(session, "bob", languages=("en",))
        add_conversation(session, vault, state="assigned").__class__  # noqa: B018
        held = add_conversation(session, vault, language="ar", queued_at=T0 - timedelta(1))
        assert handoff.claim(session, held, acting(busy), T0)  # busy is now at capacity

    with db.session() as session:
        [entry] = handoff.queue_view(session, presence(session), ("en",)).entries
        assert entry.conversation_id == arabic
        assert entry.needs_interpreter and entry.offered
        assert handoff.claim_next(session, acting(bob), presence(session), T0) == arabic
        assert session.get(Conversation, arabic).needs_interpreter


def test_two_operators_cannot_claim_the_same_conversation(db, vault):
    with db.session() as session:
        conversation_id = add_conversation(session, vault)
        team = [add_operator(session, f"op{i}") for i in range(8)]
        team = [acting(operator) for operator in team]

    barrier = threading.Barrier(len(team))
    results: dict[int, bool] = {}

    def claim(who):
        barrier.wait()
        with db.session() as session:
            results[who.operator_id] = handoff.claim(session, conversation_id, who, T0)

    threads = [threading.Thread(target=claim, args=(who,)) for who in team]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [operator_id for operator_id, won in results.items() if won]
    assert len(winners) == 1
    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.state == "assigned"
        assert conversation.assigned_operator_id == winners[0]
        claims = session.execute(select(AuditEvent).where(AuditEvent.action == "claimed")).scalars()
        assert [event.actor_id for event in claims] == winners


def test_only_the_holder_or_a_supervisor_acts_on_a_conversation(db, vault):
    with db.session() as session:
        conversation_id = add_conversation(session, vault)
        ana, bob = add_operator(session, "ana"), add_operator(session, "bob")
        boss = add_operator(session, "boss", role="supervisor")
        assert handoff.claim(session, conversation_id, acting(ana), T0)
        assert not handoff.claim(session, conversation_id, acting(bob), T0)
        assert not handoff.transfer(session, conversation_id, acting(bob), bob.id, ["en"], T0)
        assert not handoff.release(session, conversation_id, acting(bob), T0)
        assert not handoff.end(session, conversation_id, acting(bob), T0)
        with pytest.raises(HandoffError):
            handoff.store_operator_message(session, vault, conversation_id, acting(bob), "hi", T0)
        # A supervisor may move it.
        assert handoff.transfer(
            session, conversation_id, acting(boss, supervise=True), bob.id, ["en"], T0
        )
        assert session.get(Conversation, conversation_id).assigned_operator_id == bob.id


def test_transfer_release_end_and_wrap_up(db, vault):
    with db.session() as session:
        conversation_id = add_conversation(session, vault, language="es")
        ana = add_operator(session, "ana", languages=("es",))
        bob = add_operator(session, "bob", languages=("en",))
        assert handoff.claim(session, conversation_id, acting(ana), T0)
        assert not session.get(Conversation, conversation_id).needs_interpreter
        assert handoff.transfer(session, conversation_id, acting(ana), bob.id, ["en"], T0)
        conversation = session.get(Conversation, conversation_id)
        assert conversation.needs_interpreter  # Bob does not speak Spanish
        queued_at = conversation.queued_at
        assert handoff.release(session, conversation_id, acting(bob), T0)
        conversation = session.get(Conversation, conversation_id)
        assert conversation.state == "queued" and conversation.assigned_operator_id is None
        assert conversation.queued_at == queued_at  # keeps its place in line
        assert handoff.claim(session, conversation_id, acting(ana), T0)
        assert handoff.end(session, conversation_id, acting(ana), T0)
        assert session.get(Conversation, conversation_id).state == "wrapup"
        assert not handoff.end(session, conversation_id, acting(ana), T0)  # only once
        assert handoff.complete_wrapup(
            session,
            vault,
            conversation_id,
            acting(ana),
            outcome="referred",
            referrals=["shelter", "legal_aid", "shelter"],
            notes="Gave the shelter line.",
            now=T0,
        )
        conversation = session.get(Conversation, conversation_id)
        assert conversation.state == "closed" and conversation.closed_at is not None
        wrapup = session.get(Wrapup, conversation_id)
        assert wrapup.completed and wrapup.referrals == ["shelter", "legal_aid"]
        assert vault.decrypt(wrapup.notes_encrypted) == "Gave the shelter line."
        actions = [
            e.action for e in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        ]
        assert actions == [
            "claimed", "transferred", "released", "claimed", "ended", "wrapup_completed",
        ]  # fmt: skip


def test_the_texters_next_message_after_the_end_starts_a_conversation_with_the_assistant(db, vault):
    with db.session() as session:
        phone = "+447700900777"
        conversation_id = add_conversation(session, vault, phone=phone)
        ana = add_operator(session, "ana")
        handoff.claim(session, conversation_id, acting(ana), T0)
        handoff.end(session, conversation_id, acting(ana), T0)
    with db.session() as session:
        message, _ = service.store_inbound(
            session,
            vault,
            service.InboundSms("SMnext", phone, "+15555550000", None, "hello again", 0),
        )
        fresh = session.get(Conversation, message.conversation_id)
        assert fresh.id != conversation_id
        assert fresh.state == "bot"
        assert session.get(Conversation, conversation_id).state == "wrapup"


def test_operator_messages_are_stored_pending_for_the_one_sender(db, vault):
    with db.session() as session:
        conversation_id = add_conversation(session, vault)
        ana = add_operator(session, "ana")
        with pytest.raises(HandoffError, match="Take the conversation"):
            handoff.store_operator_message(session, vault, conversation_id, acting(ana), "hi", T0)
        handoff.claim(session, conversation_id, acting(ana), T0)
        with pytest.raises(HandoffError, match="empty"):
            handoff.store_operator_message(
                session, vault, conversation_id, acting(ana), " \u200b ", T0
            )
        with pytest.raises(HandoffError, match="longer"):
            handoff.store_operator_message(
                session, vault, conversation_id, acting(ana), "x" * 1601, T0
            )
        later = T0 + timedelta(minutes=3)
        message_id = handoff.store_operator_message(
            session, vault, conversation_id, acting(ana), "Hello, I am Ana.", later
        )
        message = session.get(Message, message_id)
        assert (message.direction, message.author, message.status) == ("out", "operator", "pending")
        assert message.operator_id == ana.id
        assert vault.decrypt(message.body_encrypted) == "Hello, I am Ana."
        assert session.get(Conversation, conversation_id).operator_activity_at is not None


def test_a_texter_who_asked_for_no_contact_is_not_texted_until_they_write(db, vault):
    with db.session() as session:
        conversation_id = add_conversation(session, vault)  # its message was sent before now
        now = utcnow() + timedelta(seconds=1)
        handoff.set_contact_preference(session, vault, conversation_id, "no_contact", None, now)
        ana = add_operator(session, "ana")
        handoff.claim(session, conversation_id, acting(ana), T0)
        with pytest.raises(HandoffError, match="not to be contacted"):
            handoff.store_operator_message(session, vault, conversation_id, acting(ana), "hi", T0)
        session.add(
            Message(
                conversation_id=conversation_id,
                direction="in",
                author="texter",
                body_encrypted=vault.encrypt("you can text me now"),
                status="processed",
                created_at=now + timedelta(minutes=1),
            )
        )
        session.flush()
        handoff.store_operator_message(session, vault, conversation_id, acting(ana), "hi", T0)


def test_the_screening_ranks_the_hand_off_and_marks_children(db, vault):
    with db.session() as session:
        conversation_id = add_conversation(session, vault)
        handoff.record_screening(
            session,
            conversation_id,
            outcome="strong_signs",
            flags=["documents_kept", "debt", "debt"],
            age="unsure",
        )
        conversation = session.get(Conversation, conversation_id)
        assert conversation.priority == HIGH
        assert conversation.is_child
        assert conversation.screening == {
            "outcome": "strong_signs",
            "flags": ["debt", "documents_kept"],
            "age": "unsure",
        }
        conversation.priority = URGENT  # an emergency word came first
        handoff.record_screening(session, conversation_id, outcome="some_signs", age="adult")
        assert conversation.priority == URGENT  # never lowered
        assert not conversation.is_child
        # The assistant's actions know the texter by their sender id (the pseudonym).
        sender = conversation.contact_id
        assert (
            handoff.record_screening_for_sender(
                session, sender, outcome="danger_now", flags=["violence"]
            )
            == conversation_id
        )
        assert conversation.screening["flags"] == ["violence"]
        assert handoff.record_screening_for_sender(session, "c_nobody", outcome=None) is None


def test_who_may_open_a_transcript(db, vault):
    with db.session() as session:
        phone = "+447700900555"
        earlier = add_conversation(session, vault, phone=phone)
        session.get(Conversation, earlier).state = "closed"
        current = add_conversation(session, vault, phone=phone)
        other_waiting = add_conversation(session, vault)
        ana, bob = add_operator(session, "ana"), add_operator(session, "bob")
        assert handoff.may_view(session, other_waiting, bob.id, False)  # the queue is open
        handoff.claim(session, current, acting(ana), T0)
        assert handoff.may_view(session, current, ana.id, False)
        assert handoff.may_view(session, earlier, ana.id, False)  # history of her texter
        assert not handoff.may_view(session, current, bob.id, False)
        assert not handoff.may_view(session, earlier, bob.id, False)
        assert handoff.may_view(session, earlier, bob.id, True)  # supervisors see all


def test_meaningful_moves_in_line():
    assert handoff.meaningful_move(10, 5)
    assert not handoff.meaningful_move(10, 6)
    assert handoff.meaningful_move(2, 1)  # to the front
    assert handoff.meaningful_move(5, 3)
    assert not handoff.meaningful_move(5, 4)
    assert not handoff.meaningful_move(3, 5)  # never "you moved back"

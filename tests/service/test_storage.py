"""The data layer on SQLite and PostgreSQL: stored once, encrypted, pseudonymous, recoverable."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from hotline.contacts.models import Contact
from hotline.conversations import service
from hotline.conversations.models import Conversation, Message
from hotline.crypto import Vault
from hotline.db import Database

PHONE = "+447700900123"
HOTLINE_NUMBER = "+15555550000"


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def vault():
    return Vault("test-secret")


def inbound(sid: str, body: str = "hello", sender: str = PHONE) -> service.InboundSms:
    return service.InboundSms(
        message_sid=sid,
        from_address=sender,
        to_address=HOTLINE_NUMBER,
        messaging_service_sid=None,
        body=body,
        num_media=0,
    )


def test_a_message_is_stored_once_per_message_sid(db, vault):
    with db.session() as session:
        first, created = service.store_inbound(session, vault, inbound("SM1"))
        assert created
    with db.session() as session:
        again, created_again = service.store_inbound(session, vault, inbound("SM1"))
        assert not created_again
        assert again.id == first.id
        assert session.execute(select(Message)).scalars().all() == [again]


def test_phone_numbers_and_bodies_are_not_stored_in_clear(db, vault):
    with db.session() as session:
        service.store_inbound(session, vault, inbound("SM1", body="my boss keeps my passport"))
    with db.engine.connect() as connection:
        dump = " ".join(
            str(row)
            for table in ("contact", "conversation", "message")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
    assert PHONE not in dump and PHONE[1:] not in dump
    assert "passport" not in dump
    with db.session() as session:
        contact = session.execute(select(Contact)).scalar_one()
        assert contact.id == vault.pseudonym("sms", PHONE)
        assert vault.decrypt(contact.address_encrypted) == PHONE


def test_the_same_texter_keeps_one_pseudonym_and_conversation(db, vault):
    with db.session() as session:
        service.store_inbound(session, vault, inbound("SM1"))
        service.store_inbound(session, vault, inbound("SM2"))
        service.store_inbound(session, vault, inbound("SM3", sender="whatsapp:" + PHONE))
    with db.session() as session:
        contacts = session.execute(select(Contact).order_by(Contact.channel)).scalars().all()
        assert [c.channel for c in contacts] == ["sms", "whatsapp"]
        assert len(session.execute(select(Conversation)).scalars().all()) == 2


def test_a_pseudonym_depends_on_the_secret_key():
    assert Vault("one").pseudonym("sms", PHONE) != Vault("two").pseudonym("sms", PHONE)
    with pytest.raises(ValueError):
        Vault("two").decrypt(Vault("one").encrypt("x"))


def test_a_claimed_message_cannot_be_claimed_again(db, vault):
    with db.session() as session:
        message, _ = service.store_inbound(session, vault, inbound("SM1", body="hi"))
    with db.session() as session:
        turn = service.claim_inbound(session, vault, message.id)
        assert turn.text == "hi" and turn.state == "bot"
    with db.session() as session:
        assert service.claim_inbound(session, vault, message.id) is None


def test_delivery_statuses_only_move_forward(db, vault):
    with db.session() as session:
        message, _ = service.store_inbound(session, vault, inbound("SM1"))
        turn = service.claim_inbound(session, vault, message.id)
        [reply_id] = service.finish_turn(session, vault, turn, ["hello back"])
        service.record_sent(session, reply_id, sid="SMout", status="queued", error_code=None)
    with db.session() as session:
        assert service.record_delivery_status(session, "SMout", "delivered", None)
        assert service.record_delivery_status(session, "SMout", "sent", None)
        assert not service.record_delivery_status(session, "SMunknown", "sent", None)
    with db.session() as session:
        assert session.get(Message, reply_id).status == "delivered"


def test_recovery_after_a_crash_neither_loses_nor_doubles(db, vault):
    with db.session() as session:
        waiting, _ = service.store_inbound(session, vault, inbound("SM1"))
        caught, _ = service.store_inbound(session, vault, inbound("SM2", sender="+15550001111"))
        service.claim_inbound(session, vault, caught.id)  # the worker had it when we stopped
        answered, _ = service.store_inbound(session, vault, inbound("SM3", sender="+15550002222"))
        turn = service.claim_inbound(session, vault, answered.id)
        unsent, mid_send = service.finish_turn(session, vault, turn, ["one", "two"])
    with db.session() as session:
        assert service.start_sending(session, vault, mid_send) is not None  # then the crash
    with db.session() as session:
        interrupted, to_handle, to_send = service.recover_after_restart(session)
    assert interrupted == [(caught.id, caught.conversation_id)]
    assert to_handle == [(waiting.id, waiting.conversation_id)]
    assert to_send == [unsent]
    with db.session() as session:
        assert session.get(Message, mid_send).status == "unknown"


def test_a_person_held_conversation_keeps_its_state_and_raises_priority(db, vault):
    with db.session() as session:
        message, _ = service.store_inbound(session, vault, inbound("SM1"))
        conversation_id = message.conversation_id
        service.queue_for_person(session, conversation_id, "asked", service.PRIORITY_NORMAL)
        service.queue_for_person(session, conversation_id, "danger", service.PRIORITY_URGENT)
    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.state == "queued"
        assert conversation.handoff_reason == "asked"
        assert conversation.priority == service.PRIORITY_URGENT


def test_deleting_a_contact_removes_its_conversations_and_messages(db, vault):
    with db.session() as session:
        service.store_inbound(session, vault, inbound("SM1"))
    with db.session() as session:
        session.delete(session.execute(select(Contact)).scalar_one())
    with db.session() as session:
        assert session.execute(select(Message)).first() is None
        assert session.execute(select(Conversation)).first() is None

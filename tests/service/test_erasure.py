"""DELETE, confirmed, leaves no row and no Rasa tracker event for that texter (SQLite and
PostgreSQL), and leaves every other texter alone."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from hotline.app import Hotline
from hotline.channels.fake_twilio import FakeTwilioOutbox, create_fake_twilio_app
from hotline.config import load_settings
from hotline.contacts.models import Contact
from hotline.conversations import service
from hotline.conversations.models import Conversation, Message
from tests.net import serve

ACCOUNT_SID = "AC" + "7" * 32
TOKEN = "erasure-token"
ERASED, KEPT = "+447700900111", "+447700900222"


def rasa_store(url: str) -> SQLTrackerStore:
    """Rasa's own SQL tracker store, on the database the hotline will be told about."""
    if url.startswith("sqlite"):
        return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=url.split("///", 1)[1])
    rest = url.split("://", 1)[1]  # safeline@127.0.0.1:PORT/NAME
    user, location = rest.split("@", 1)
    host_port, name = location.split("/", 1)
    host, port = host_port.split(":")
    return SQLTrackerStore(
        Domain.empty(), dialect="postgresql", host=host, port=int(port), db=name, username=user
    )


def remember(store: SQLTrackerStore, sender: str, text: str) -> None:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered(text))
    asyncio.run(store.save(tracker))


@pytest.fixture
def hotline(database_url, tmp_path):
    outbox = FakeTwilioOutbox()
    with serve(create_fake_twilio_app(ACCOUNT_SID, TOKEN, outbox)) as twilio_url:
        settings = load_settings(
            {
                "DATABASE_URL": database_url,
                "RASA_TRACKER_DB_URL": database_url,  # Rasa's tables beside ours, for the test
                "HOTLINE_VAR_DIR": str(tmp_path),
                "HOTLINE_SECRET_KEY": "erasure-secret",
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": TOKEN,
                "TWILIO_API_BASE_URL": twilio_url,
                "RASA_URL": "http://127.0.0.1:9",
            }
        )
        system = Hotline(settings)
        system.db.upgrade()
        system.outbox = outbox
        yield system
        system.db.dispose()


def text_in(hotline: Hotline, phone: str, body: str) -> list[str]:
    """One texter message through the router; the bodies Twilio was asked to send back."""
    before = len(hotline.outbox.messages(to=phone))
    with hotline.db.session() as session:
        message, _ = service.store_inbound(
            session,
            hotline.vault,
            service.InboundSms(
                message_sid=f"SM{phone[1:]}{before}{len(body)}{body[:3]}",
                from_address=phone,
                to_address="+15005550006",
                messaging_service_sid=None,
                body=body,
                num_media=0,
            ),
        )
        ids = (message.id, message.conversation_id)

    async def handle() -> None:
        await hotline.router.handle(*ids)
        await hotline.sender.aclose()  # its HTTP session belongs to this event loop

    asyncio.run(handle())
    return [m.body for m in hotline.outbox.messages(to=phone)[before:]]


def rows_of(hotline: Hotline, phone: str) -> int:
    contact_id = hotline.vault.pseudonym("sms", phone)
    with hotline.db.session() as session:
        contacts = session.execute(select(Contact).where(Contact.id == contact_id)).all()
        conversations = session.execute(
            select(Conversation).where(Conversation.contact_id == contact_id)
        ).all()
        messages = session.execute(
            select(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.contact_id == contact_id)
        ).all()
    return len(contacts) + len(conversations) + len(messages)


def test_delete_confirmed_erases_everything_about_that_texter(hotline, database_url):
    store = rasa_store(database_url)
    for phone in (ERASED, KEPT):
        text_in(hotline, phone, "HELP")  # a contact, a conversation, messages both ways
        remember(store, hotline.vault.pseudonym("sms", phone), "my boss keeps my passport")

    [question] = text_in(hotline, ERASED, "DELETE")
    assert "erase" in question and "1 Yes" in question
    [goodbye] = text_in(hotline, ERASED, "1")
    assert "erased" in goodbye

    assert rows_of(hotline, ERASED) == 0
    assert asyncio.run(store.retrieve(hotline.vault.pseudonym("sms", ERASED))) is None
    assert rows_of(hotline, KEPT) > 0
    assert asyncio.run(store.retrieve(hotline.vault.pseudonym("sms", KEPT))) is not None


def test_anything_but_yes_keeps_the_data(hotline):
    text_in(hotline, ERASED, "DELETE")
    [kept] = text_in(hotline, ERASED, "2")
    assert "nothing was erased" in kept.lower()
    assert rows_of(hotline, ERASED) == 6  # contact, conversation, 2 messages each way

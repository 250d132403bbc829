"""The only code that reads or writes conversations and messages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.contacts import service as contacts
from hotline.contacts.models import Contact
from hotline.conversations.models import (
    HUMAN_STATES,
    Conversation,
    Direction,
    InboundStatus,
    Message,
    OutboundStatus,
    State,
)
from hotline.crypto import Vault
from hotline.timeutil import utcnow

# Delivery statuses only move forward: a late "sent" never overwrites "delivered".
_STATUS_RANK = {
    "pending": 0,
    "sending": 1,
    "accepted": 2,
    "scheduled": 2,
    "queued": 3,
    "sent": 4,
    "delivered": 5,
    "read": 6,
    "undelivered": 7,
    "failed": 7,
}

PRIORITY_NORMAL = 0
PRIORITY_HIGH = 50
PRIORITY_URGENT = 100


@dataclass(frozen=True)
class InboundSms:
    message_sid: str
    from_address: str  # as Twilio sends it, maybe with `whatsapp:`
    to_address: str
    messaging_service_sid: str | None
    body: str
    num_media: int


@dataclass(frozen=True)
class Turn:
    """One inbound message with what the router needs to handle it."""

    message_id: int
    conversation_id: int
    contact_id: str
    channel: str
    state: str
    language: str | None
    opted_out: bool
    options: list[str]
    text: str
    num_media: int


def current_conversation(session: Session, contact: Contact) -> Conversation | None:
    # A conversation in wrap-up is over for the texter (they got the closing message): their
    # next message starts a new conversation with the assistant.
    over = (State.CLOSED.value, State.WRAPUP.value)
    return session.execute(
        select(Conversation)
        .where(Conversation.contact_id == contact.id, Conversation.state.notin_(over))
        .order_by(Conversation.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def store_inbound(session: Session, vault: Vault, sms: InboundSms) -> tuple[Message, bool]:
    """Store an inbound message keyed by its MessageSid; (message, False) for a redelivery."""
    existing = _message_by_sid(session, sms.message_sid)
    if existing is not None:
        return existing, False
    channel, address = contacts.split_address(sms.from_address)
    contact = contacts.get_or_create(session, vault, channel, address)
    conversation = current_conversation(session, contact)
    if conversation is None:
        conversation = Conversation(
            contact_id=contact.id,
            channel=channel,
            state=State.BOT.value,
            priority=PRIORITY_NORMAL,
            language=contact.language,
            options=[],
        )
        session.add(conversation)
    # Replies leave from wherever this message arrived.
    conversation.service_number = contacts.split_address(sms.to_address)[1] or None
    conversation.messaging_service_sid = sms.messaging_service_sid or None
    session.flush()
    message = Message(
        conversation_id=conversation.id,
        direction=Direction.IN.value,
        author="texter",
        body_encrypted=vault.encrypt(sms.body),
        num_media=sms.num_media,
        twilio_sid=sms.message_sid,
        status=InboundStatus.RECEIVED.value,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        # Twilio redelivered concurrently and the other request won the unique sid.
        existing = _message_by_sid(session, sms.message_sid)
        if existing is None:
            raise
        return existing, False
    return message, True


def _message_by_sid(session: Session, sid: str) -> Message | None:
    return session.execute(select(Message).where(Message.twilio_sid == sid)).scalar_one_or_none()


def claim_inbound(session: Session, vault: Vault, message_id: int) -> Turn | None:
    """Mark a received message as being handled; None if someone already handled it."""
    claimed = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == InboundStatus.RECEIVED.value)
        .values(status=InboundStatus.PROCESSING.value, updated_at=utcnow())
    ).rowcount
    if not claimed:
        return None
    return load_turn(session, vault, message_id)


def load_turn(session: Session, vault: Vault, message_id: int) -> Turn:
    message = session.get(Message, message_id)
    conversation = session.get(Conversation, message.conversation_id)
    contact = session.get(Contact, conversation.contact_id)
    return Turn(
        message_id=message.id,
        conversation_id=conversation.id,
        contact_id=contact.id,
        channel=conversation.channel,
        state=conversation.state,
        language=conversation.language or contact.language,
        opted_out=contact.opted_out,
        options=list(conversation.options or []),
        text=vault.decrypt(message.body_encrypted),
        num_media=message.num_media,
    )


def finish_turn(
    session: Session,
    vault: Vault,
    turn: Turn,
    replies: list[str],
    *,
    options: list[str] | None = None,
    author: str = "bot",
) -> list[int]:
    """Record the replies and mark the inbound handled, in one transaction.

    Once this commits the message is never handled again; the replies are stored as
    pending, so a crash before sending loses nothing and doubles nothing.
    """
    conversation = session.get(Conversation, turn.conversation_id)
    if options is not None:
        conversation.options = options
    session.execute(
        update(Message)
        .where(Message.id == turn.message_id)
        .values(status=InboundStatus.PROCESSED.value, updated_at=utcnow())
    )
    outbound = [
        Message(
            conversation_id=turn.conversation_id,
            direction=Direction.OUT.value,
            author=author,
            body_encrypted=vault.encrypt(body),
            status=OutboundStatus.PENDING.value,
        )
        for body in replies
    ]
    session.add_all(outbound)
    session.flush()
    return [message.id for message in outbound]


def queue_for_person(
    session: Session, conversation_id: int, reason: str, priority: int = PRIORITY_NORMAL
) -> None:
    """Hand the conversation to people; from now on Rasa is not asked."""
    conversation = session.get(Conversation, conversation_id)
    if conversation.state in HUMAN_STATES:
        conversation.priority = max(conversation.priority, priority)
        return
    conversation.state = State.QUEUED.value
    conversation.priority = priority
    conversation.handoff_reason = reason
    conversation.queued_at = utcnow()
    conversation.options = []


def set_opted_out(session: Session, contact_id: str, opted_out: bool) -> None:
    contacts.set_opted_out(session.get(Contact, contact_id), opted_out)


def set_language(session: Session, conversation_id: int, language: str) -> None:
    """The texter's language, on this conversation and, so that it sticks, on the contact."""
    conversation = session.get(Conversation, conversation_id)
    conversation.language = language
    session.get(Contact, conversation.contact_id).language = language


@dataclass(frozen=True)
class Route:
    """Where a reply in this conversation goes, and where it leaves from."""

    to: str
    from_number: str | None
    messaging_service_sid: str | None


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    conversation_id: int
    body: str
    route: Route


def route_of(session: Session, vault: Vault, conversation_id: int) -> Route:
    conversation = session.get(Conversation, conversation_id)
    contact = session.get(Contact, conversation.contact_id)
    return Route(
        to=contacts.reply_address(vault, contact),
        from_number=_from_number(conversation),
        messaging_service_sid=conversation.messaging_service_sid,
    )


def start_sending(session: Session, vault: Vault, message_id: int) -> Outgoing | None:
    """Mark a pending reply as sending; None if it is not pending any more."""
    claimed = session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == OutboundStatus.PENDING.value)
        .values(
            status=OutboundStatus.SENDING.value,
            attempts=Message.attempts + 1,
            updated_at=utcnow(),
        )
    ).rowcount
    if not claimed:
        return None
    message = session.get(Message, message_id)
    conversation = session.get(Conversation, message.conversation_id)
    if session.get(Contact, conversation.contact_id).opted_out:
        message.status = OutboundStatus.SUPPRESSED.value
        return None
    return Outgoing(
        message_id=message.id,
        conversation_id=conversation.id,
        body=vault.decrypt(message.body_encrypted),
        route=route_of(session, vault, conversation.id),
    )


def _from_number(conversation: Conversation) -> str | None:
    if not conversation.service_number:
        return None
    return contacts.twilio_address(conversation.channel, conversation.service_number)


def record_sent(
    session: Session, message_id: int, *, sid: str | None, status: str, error_code: str | None
) -> None:
    message = session.get(Message, message_id)
    message.twilio_sid = sid
    message.status = status
    message.error_code = error_code


def record_delivery_status(session: Session, sid: str, status: str, error_code: str | None) -> bool:
    """Apply a Twilio status callback; False when no message has that sid (yet)."""
    message = _message_by_sid(session, sid)
    if message is None:
        return False
    if _STATUS_RANK.get(status, 0) >= _STATUS_RANK.get(message.status, 0):
        message.status = status
        if error_code:
            message.error_code = error_code
    return True


Pending = tuple[int, int]  # (message id, conversation id)


def recover_after_restart(
    session: Session,
) -> tuple[list[Pending], list[Pending], list[int]]:
    """After a stop: (inbound caught mid-way, inbound to handle, reply ids to send).

    A message caught mid-way is never handed to Rasa again (it might answer twice): the
    router gives it the fallback and a person. A reply caught mid-send is not resent
    (Twilio may have it already): it is marked unknown.
    """
    session.execute(
        update(Message)
        .where(
            Message.direction == Direction.OUT.value,
            Message.status == OutboundStatus.SENDING.value,
        )
        .values(status=OutboundStatus.UNKNOWN.value)
    )

    def inbound(status: InboundStatus) -> list[Pending]:
        return [
            (message_id, conversation_id)
            for message_id, conversation_id in session.execute(
                select(Message.id, Message.conversation_id)
                .where(Message.direction == Direction.IN.value, Message.status == status.value)
                .order_by(Message.id)
            )
        ]

    to_send = session.execute(
        select(Message.id)
        .where(
            Message.direction == Direction.OUT.value,
            Message.status == OutboundStatus.PENDING.value,
        )
        .order_by(Message.id)
    ).scalars()
    return inbound(InboundStatus.PROCESSING), inbound(InboundStatus.RECEIVED), list(to_send)

"""Conversations and their messages. The state here is authoritative, never Rasa's."""

import enum

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)

from hotline.db import Base
from hotline.timeutil import utcnow


class State(str, enum.Enum):
    BOT = "bot"
    QUEUED = "queued"
    ASSIGNED = "assigned"
    WRAPUP = "wrapup"
    CLOSED = "closed"


HUMAN_STATES = (State.QUEUED.value, State.ASSIGNED.value)


class Direction(str, enum.Enum):
    IN = "in"
    OUT = "out"


class InboundStatus(str, enum.Enum):
    RECEIVED = "received"  # stored, not yet handled
    PROCESSING = "processing"  # a worker has it
    PROCESSED = "processed"  # handled; never handled again
    INTERRUPTED = "interrupted"  # the service stopped mid-way; a person looks at it


class OutboundStatus(str, enum.Enum):
    PENDING = "pending"  # stored, not yet handed to Twilio
    SENDING = "sending"
    SUPPRESSED = "suppressed"  # texter opted out before it went
    UNKNOWN = "unknown"  # the service stopped while sending; not resent to avoid doubles
    # From here on, Twilio's own statuses: queued, sent, delivered, undelivered, failed, ...
    FAILED = "failed"


class Conversation(Base):
    __tablename__ = "conversation"

    id = Column(Integer, primary_key=True, autoincrement=True)
    contact_id = Column(String(40), ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)
    channel = Column(String(16), nullable=False)
    state = Column(String(16), nullable=False, default=State.BOT.value)
    priority = Column(Integer, nullable=False, default=0)
    handoff_reason = Column(String(40), nullable=True)
    language = Column(String(16), nullable=True)
    # Where replies go out from: the number that was texted, or the messaging service.
    service_number = Column(String(64), nullable=True)
    messaging_service_sid = Column(String(64), nullable=True)
    # Payloads of the numbered options shown last, so a reply "2" means what the texter saw.
    options = Column(JSON, nullable=False, default=list)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    queued_at = Column(DateTime(timezone=True), nullable=True)
    closed_at = Column(DateTime(timezone=True), nullable=True)

    __table_args__ = (Index("ix_conversation_contact_state", "contact_id", "state"),)


class Message(Base):
    __tablename__ = "message"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        Integer, ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False
    )
    direction = Column(String(3), nullable=False)
    author = Column(String(16), nullable=False)  # texter | bot | system | operator
    body_encrypted = Column(Text, nullable=False)
    num_media = Column(Integer, nullable=False, default=0)
    twilio_sid = Column(String(64), nullable=True, unique=True)
    status = Column(String(24), nullable=False)
    error_code = Column(String(16), nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_message_conversation", "conversation_id", "id"),
        Index("ix_message_direction_status", "direction", "status"),
    )
